"""The settle wait does not wait for nothing: on a static screen no capture where the device counts its page
flips (the kept frame is the next observation), one beyond the observation where it gives nothing; a screen
that changed is captured afresh; and it waits out an animation that runs for a known time on the simulated
phone."""

from __future__ import annotations

import tempfile

import pytest

from qwen2vl_agent.envs.android import SettlePolicy, open_android
from qwen2vl_agent.envs.android.dumpsys import parse_latest_frame, parse_page_flips
from qwen2vl_agent.envs.android.fake import FakePhone
from qwen2vl_agent.envs.sim.animation import ANIMATION_MS
from qwen2vl_agent.tools import Tap

PHONE_LATENCY = (
    "16666666\n" + "0\t0\t0\n" * 3 + "95000\t95500\t94000\n120000\t9223372036854775807\t119000\n100000\t101000\t99000\n"
)


def test_latest_frame_reads_the_newest_presented_timestamp():
    assert parse_latest_frame(PHONE_LATENCY) == 101000  # empty slots and a pending fence are skipped
    assert parse_latest_frame("16666666\n") is None  # Android 12+ without a layer: the period only
    assert parse_latest_frame("") is None


def test_page_flips_read_the_count_of_service_call():
    assert parse_page_flips("Result: Parcel(000002a5    '....')\n") == 0x2A5
    assert parse_page_flips("Result: Parcel(0000f00d 00000001   '........')") == 0xF00D00000001  # read whole
    assert parse_page_flips('Result: Parcel(Error: 0xffffffffffffffb6 "Permission denied")') is None
    assert parse_page_flips("service: Service SurfaceFlinger does not exist\n") is None
    assert parse_page_flips("Result: Parcel(NULL)\n") is None
    assert parse_page_flips("") is None


def test_static_screen_costs_no_capture_where_the_device_counts_page_flips(make_sim_env, sim_phone):
    env = make_sim_env(disable_animations=True)
    env.reset()
    env.execute(Tap(point=(540, 1200)))  # settles the home screen once: the frame it grabs is kept
    sim_phone.device.shell("svc wifi disable")  # the status bar redraws: the count is seen to move
    env.execute(Tap(point=(540, 1200)))
    kept = env.observe()
    outcome = env.execute(Tap(point=(540, 1200)))  # an empty spot of the home screen: nothing changes
    assert outcome.extra["settle"] == {"signal": "page_flips", "frames": 0, "probes": 1, "settled": True}
    obs = env.observe()
    assert obs.extra["settled_frame"] and obs.screenshot is kept.screenshot
    assert obs.screenshot.tobytes() == sim_phone.device.screenshot().tobytes()  # and it is the screen


def test_a_screen_changed_behind_the_envs_back_is_captured_afresh(make_sim_env, sim_phone):
    """A kept frame stands for the screen only while the page-flip count has not moved: a change the env
    did not make (an app started through another client) is seen by the next wait, which grabs."""
    env = make_sim_env(disable_animations=True)
    env.reset()
    env.execute(Tap(point=(540, 1200)))
    home = env.observe().screenshot
    sim_phone.device.shell("am start -n com.android.settings/.Settings")
    outcome = env.execute(Tap(point=(540, 60)))  # the status bar: nothing that changes the screen again
    assert outcome.extra["settle"]["signal"] == "page_flips" and outcome.extra["settle"]["frames"] >= 1
    obs = env.observe()
    assert obs.screenshot.tobytes() == sim_phone.device.screenshot().tobytes() != home.tobytes()


def test_settle_waits_out_a_screen_transition(make_sim_env, sim_phone, center):
    env = make_sim_env(settle=SettlePolicy(timeout_s=3.0))
    env.reset()
    sim_phone.device.settings.put("global", "transition_animation_scale", "1")
    outcome = env.execute(Tap(point=center(sim_phone.device.ui_xml(), content_desc="Settings")))
    assert not sim_phone.device.animations.running()  # the animation was over when the wait ended
    assert outcome.settle_s >= ANIMATION_MS / 1000 * 0.8
    assert outcome.extra["settle"]["signal"] == "page_flips" and outcome.extra["settle"]["settled"]
    assert outcome.extra["settle"]["probes"] > 2


def test_without_timestamps_a_static_screen_costs_one_capture_beyond():
    phone = FakePhone()
    with open_android(transport=phone.transport(), settle=SettlePolicy(timeout_s=1.0)) as env:
        env.reset()
        fake = env.device.transport.inner
        before = len(fake.commands("screencap"))
        outcome = env.execute(Tap(point=(1, 1)))
        assert outcome.extra["settle"] == {"signal": "frames", "frames": 2, "probes": 0, "settled": True}
        assert len(fake.commands("screencap")) - before == 2
        assert env.observe().extra["settled_frame"] and len(fake.commands("screencap")) - before == 2


@pytest.mark.parametrize("signal", ["auto", "frames"])
def test_the_signal_is_configurable(make_sim_env, signal):
    env = make_sim_env(disable_animations=True, settle=SettlePolicy(signal=signal))
    env.reset()
    outcome = env.execute(Tap(point=(540, 1200)))
    assert outcome.extra["settle"]["signal"] == ("page_flips" if signal == "auto" else "frames")


def test_the_step_record_keeps_what_the_settle_wait_cost(make_sim_env):
    from qwen2vl_agent.agent.loop import LoopConfig, run_episode
    from qwen2vl_agent.agent.policy import QwenPolicy
    from qwen2vl_agent.agent.recorder import TrajectoryRecorder
    from qwen2vl_agent.agent.trajectory import read_steps
    from qwen2vl_agent.model import ScriptedModel

    env = make_sim_env(disable_animations=True)
    replies = ['✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [480, 480]}', '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}']
    with tempfile.TemporaryDirectory() as out:
        run_episode(env, QwenPolicy(ScriptedModel(replies), env.action_space), "t", LoopConfig(),
                    hooks=[TrajectoryRecorder(out, html=False)])  # fmt: skip
        call = read_steps(out)[0].calls[0]
    assert call.settle is not None and call.settle["signal"] == "page_flips" and call.settle["frames"] == 1
