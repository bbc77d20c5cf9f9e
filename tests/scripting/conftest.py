"""``make_phone``: a ``Phone`` with chosen facade options (a model, a cache, a recording) on the session's
simulated phone that the package's ``sim_phone`` fixture also uses, reset before each test."""

from __future__ import annotations

import pytest

from qwen2vl_agent.agent.scripting import Phone
from qwen2vl_agent.envs.android import SettlePolicy, open_android

QUICK = SettlePolicy(timeout_s=2.0, interval_s=0.02)


@pytest.fixture
def make_phone(_qwen2vl_sim_device):
    sim = _qwen2vl_sim_device
    sim.reset(seed=0)
    made: list[Phone] = []

    def make(**facade) -> Phone:
        env = open_android(sim.serial, host=sim.adb_host, port=sim.adb_port, settle=QUICK)
        made.append(Phone(env, **facade))
        made[-1].sim = sim
        return made[-1]

    yield make
    for phone in made:
        phone.close()
