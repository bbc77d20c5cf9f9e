"""A device lost mid-episode: the run stops with DeviceLost and the trajectory keeps every finished step."""

from __future__ import annotations

from qwen2vl_agent.agent.loop import run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.envs.android import AdbDeviceLost, FakeAdb, FakePhone, SettlePolicy, open_android
from qwen2vl_agent.model import ScriptedModel

TAP = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}'


class UnplugAfter:
    """A loop hook that 'unplugs' the fake phone once ``steps`` steps are done."""

    def __init__(self, steps: int) -> None:
        self.steps, self.unplugged = steps, False

    def on_start(self, task, observation) -> None: ...

    def on_step(self, step, observation) -> None:
        self.unplugged = step.index + 1 >= self.steps

    def on_end(self, result, observation) -> None: ...


def test_disconnect_mid_episode_keeps_finished_steps(tmp_path):
    phone, unplug = FakePhone(), UnplugAfter(2)

    def handler(argv):
        if unplug.unplugged:
            raise AdbDeviceLost("device 'fake-0001' not found")
        return phone(argv)

    settle = SettlePolicy(timeout_s=0.3, interval_s=0.0)
    with open_android(transport=FakeAdb(handler), settle=settle, retry={"backoff_s": 0.0}) as env:
        policy = QwenPolicy(ScriptedModel([TAP] * 5), env.action_space)
        result = run_episode(env, policy, "tap a lot", hooks=[unplug, TrajectoryRecorder(tmp_path, html=False)])
    assert result.status == "error" and "DeviceLost" in result.reason and "not found" in result.reason
    steps = read_steps(tmp_path)
    assert [s.index for s in steps] == [0, 1, 2]  # the step in flight too, with the fault
    assert [s.fault is not None for s in steps] == [False, False, True]
    assert all(s.calls[0].executed == {"type": "Tap", "point": [54, 120]} for s in steps)
    assert all(s.calls[0].settle_s > 0 for s in steps[:2])
    assert read_result(tmp_path).status == "error"
    assert [e for e in phone.events if e[0] == "tap"] == [("tap", "54", "120")] * 2
