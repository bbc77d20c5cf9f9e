"""One small simulated phone for the task tests (reset before each use), and a TaskDevice on it over adb.

The phone is 540x1200 at 210 dpi: the same layout in dp as a 1080x2400 phone at 420 dpi, a quarter of the
pixels to capture, so the suite stays fast.
"""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.sim import SimPhone
from qwen2vl_agent.envs.tasks import TaskDevice

SMALL = {"size": (540, 1200), "density": 210}


@pytest.fixture(scope="session")
def shared_phone(sim_phones) -> SimPhone:
    """The small phone; ``phone`` is it, reset."""
    return sim_phones(**SMALL)


@pytest.fixture
def device(phone: SimPhone) -> TaskDevice:
    return TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port)


@pytest.fixture
def adb(phone: SimPhone):
    """The raw adbutils device: tests tamper with the phone through it, independently of the tasks' wrapper."""
    return phone.adb_device()
