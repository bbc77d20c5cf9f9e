"""Fixtures for the simulated phone: a bare device core, and one phone behind a real adb server.

The adb-backed phone is shared by the session (starting the real server costs ~0.5 s) and reset to
its seeded state before every test that uses it, so tests stay independent.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from qwen2vl_agent.envs.sim import Device, SimPhone
from qwen2vl_agent.envs.sim.transport.adbserver import adb_binary

sys.path.insert(0, os.path.dirname(__file__))  # for sim_helpers (pytest runs with --import-mode=importlib)


@pytest.fixture
def device() -> Device:
    return Device(seed=0)


@pytest.fixture(scope="session")
def shared_phone(sim_phones) -> SimPhone:
    """A default phone (1080x2400 at 420 dpi); ``phone`` is it, reset."""
    return sim_phones()


@pytest.fixture
def adb(phone: SimPhone):
    """Run the real ``adb`` client against the phone: ``adb("shell", "echo hi")`` -> CompletedProcess."""

    def run(*args: str, text: bool = True, timeout: float = 20) -> subprocess.CompletedProcess:
        cmd = [adb_binary(), "-P", str(phone.adb_port), "-s", phone.serial, *args]
        env = {k: v for k, v in os.environ.items() if k != "ANDROID_SERIAL"}
        return subprocess.run(cmd, capture_output=True, text=text, timeout=timeout, stdin=subprocess.DEVNULL, env=env)

    return run


@pytest.fixture
def dev(phone: SimPhone):
    """An ``adbutils.AdbDevice`` for the phone."""
    return phone.adb_device()
