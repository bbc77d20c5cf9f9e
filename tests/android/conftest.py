"""Shared fixtures: a simulated phone behind a private real adb server, and an AndroidEnv on it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from qwen2vl_agent.envs.android import AndroidEnv, SettlePolicy, open_android

QUICK_SETTLE = SettlePolicy(timeout_s=1.0, interval_s=0.0)


@pytest.fixture(scope="session")
def sim_phone():
    """One SimPhone for the session (reset before each test that uses ``sim_env``)."""
    sim = pytest.importorskip("qwen2vl_agent.envs.sim")
    with sim.SimPhone(seed=0, size=(1080, 2400)) as phone:
        yield phone


@pytest.fixture
def make_sim_env(sim_phone):
    """A factory of AndroidEnvs on the (freshly reset) session phone; options are AndroidConfig fields."""
    sim_phone.reset(seed=0)
    made: list[AndroidEnv] = []

    def make(**options) -> AndroidEnv:
        options.setdefault("settle", QUICK_SETTLE)
        made.append(open_android(sim_phone.serial, host=sim_phone.adb_host, port=sim_phone.adb_port, **options))
        return made[-1]

    yield make
    for env in made:
        env.close()


@pytest.fixture
def sim_env(make_sim_env):
    env = make_sim_env()
    env.reset()
    return env


@pytest.fixture
def center():
    return node_center


def node_center(xml: str, **attrs: str) -> tuple[int, int]:
    """The centre of the first UI node whose attributes (``content_desc=``, ``text=``...) all match."""
    want = {k.replace("_", "-"): v for k, v in attrs.items()}
    for node in ET.fromstring(xml).iter("node"):
        if all(node.get(k) == v for k, v in want.items()):
            x1, y1, x2, y2 = map(int, re.findall(r"\d+", node.get("bounds", "")))
            return (x1 + x2) // 2, (y1 + y2) // 2
    raise LookupError(f"no node with {want}")
