"""The ``sim_phone`` and ``sim_cluster`` pytest fixtures, shipped with the package (entry point ``pytest11``).

::

    def test_wifi_turns_on(sim_phone):
        sim_phone.open_app("Settings")
        sim_phone.tap(text="Network & internet")
        sim_phone(id="switchWidget", desc="Wi-Fi").tap()
        assert sim_phone.sim.device.settings.get("global", "wifi_on") == "0"

``sim_phone`` is a ``Phone`` on a simulated phone behind a real adb server: the device starts once per
session and is reset to seed 0 before each test, so tests do not see each other's changes.
``sim_cluster(n)`` gives ``n`` such phones (seeds 0..n-1) on one shared adb server, stopped after the test.
A project's own fixture of the same name (in a conftest) overrides these, as pytest always does.
Nothing is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .phone import Phone

SEED = 0


def _settle() -> Any:
    from qwen2vl_agent.envs.android import SettlePolicy

    return SettlePolicy(timeout_s=2.0, interval_s=0.02)


@pytest.fixture(scope="session")
def _qwen2vl_sim_device() -> Iterator[Any]:
    from qwen2vl_agent.envs.sim import SimPhone

    with SimPhone(seed=SEED) as sim:
        yield sim


@pytest.fixture
def sim_phone(_qwen2vl_sim_device: Any) -> Iterator[Phone]:
    """A ``Phone`` on the session's simulated phone, freshly reset (seed 0); ``.sim`` is the ``SimPhone``."""
    from qwen2vl_agent.envs.android import open_android

    from .phone import Phone

    sim = _qwen2vl_sim_device
    sim.reset(seed=SEED)
    env = open_android(sim.serial, host=sim.adb_host, port=sim.adb_port, settle=_settle())
    with Phone(env, name="sim_phone") as phone:
        phone.sim = sim
        yield phone


@pytest.fixture
def sim_cluster() -> Iterator[Callable[[int], list[Phone]]]:
    """A factory: ``sim_cluster(3)`` -> three ``Phone``s on fresh simulated phones sharing one adb server."""
    from qwen2vl_agent.envs.android import open_android
    from qwen2vl_agent.envs.sim import SimCluster

    from .phone import Phone

    clusters: list[Any] = []
    phones: list[Phone] = []

    def make(n: int) -> list[Phone]:
        cluster = SimCluster(n, seed=SEED).start()
        clusters.append(cluster)
        made = []
        for sim in cluster:
            phone = Phone(open_android(sim.serial, host=cluster.adb_host, port=cluster.adb_port, settle=_settle()))
            phone.sim = sim
            phone.start()
            made.append(phone)
        phones.extend(made)
        return made

    yield make
    for phone in phones:
        phone.close()
    for cluster in clusters:
        cluster.stop()
