"""A phone unplugged mid-episode (through the real adb server): the run stops with a DeviceLost error in
bounded time, and the recorded trajectory keeps every finished step."""

from __future__ import annotations

import time

import pytest

from qwen2vl_agent.agent.loop import run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.envs.android import SettlePolicy, open_android
from qwen2vl_agent.model import ScriptedModel

REPLIES = [
    'Open Settings.\n✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Settings"}',
    "Go back.\n✿FUNCTION✿: Back\n✿ARGS✿: {}",
    'Open the drawer.\n✿FUNCTION✿: Swipe\n✿ARGS✿: {"start": [500, 750], "end": [500, 250]}',
    "✿FUNCTION✿: Home\n✿ARGS✿: {}",
]


class UnplugAfter:
    """A loop hook that removes the phone from the adb server once ``steps`` steps are recorded."""

    def __init__(self, phone, steps: int) -> None:
        self.phone, self.steps = phone, steps

    def on_start(self, task, observation) -> None: ...

    def on_step(self, step, observation) -> None:
        if step.index + 1 == self.steps:
            self.phone.adb_server.disconnect(self.phone.serial)

    def on_end(self, result, observation) -> None: ...


def test_unplugged_mid_episode_keeps_every_finished_step(tmp_path):
    sim = pytest.importorskip("qwen2vl_agent.envs.sim")
    with sim.SimPhone(seed=0) as phone:
        settle = SettlePolicy(timeout_s=1.0, interval_s=0.0)
        with open_android(phone.serial, host=phone.adb_host, port=phone.adb_port, settle=settle) as env:
            policy = QwenPolicy(ScriptedModel(REPLIES), env.action_space)
            hooks = [UnplugAfter(phone, 2), TrajectoryRecorder(tmp_path, html=False)]
            started = time.monotonic()
            result = run_episode(env, policy, "open settings, go back, open the drawer", hooks=hooks)
            elapsed = time.monotonic() - started
        assert phone.device.wm.top.package == "com.google.android.apps.nexuslauncher"  # Back ran, Swipe did not
        assert not phone.device.wm.top.extras.get("drawer")
    assert result.status == "error" and "DeviceLost" in result.reason and "not connected" in result.reason
    assert elapsed < 15
    steps = read_steps(tmp_path)
    assert [s.calls[0].name for s in steps] == ["OpenApp", "Back", "Swipe"]  # the step in flight too
    assert [s.fault is not None for s in steps] == [False, False, True]
    assert "DeviceLost" in steps[-1].fault and steps[-1].calls[0].result.startswith("Not completed: AdbDeviceLost")
    assert steps[0].calls[0].executed == {"type": "OpenApp", "name": "Settings"}
    assert all((tmp_path / s.screenshot).exists() for s in steps)
    assert read_result(tmp_path).status == "error"
