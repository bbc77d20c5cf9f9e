"""Gymnasium's contract on every env: ``reset(seed=, options=)``, wrappers, the seeded reset of the sim, the
benchmark's episode start through ``TaskEnv``; and ``check_env`` itself refusing envs that break it."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import EnvCheckError, FakeEnv, Outcome, Wrapper, check_env
from qwen2vl_agent.envs.android import FakePhone, SettlePolicy, open_android
from qwen2vl_agent.envs.sim import SimEnv
from qwen2vl_agent.envs.tasks import TaskEnv, get_task
from qwen2vl_agent.tools import MOBILE_ACTIONS, Back, Home, Swipe, Tap, Wait

from .conftest import QUICK_SETTLE

FAST = dict(settle=SettlePolicy(timeout_s=0.5, interval_s=0.0))


def test_check_env_on_the_fake_env_with_a_seed_and_options():
    check_env(lambda: FakeEnv(), [Tap(point=(5, 5)), Wait(seconds=0.01)], seed=7, options={"start": 0})


def test_the_fake_env_starts_where_the_options_say_and_keeps_the_seeds():
    env = FakeEnv()
    assert env.reset(seed=3, options={"start": 2}).screenshot is env.screens[2]
    env.reset()
    assert env.seeds == [3, None]


def test_check_env_on_android_with_reset_options():
    check_env(lambda: open_android(transport=FakePhone().transport(), **FAST), [Back()], options={"wake": False})


def test_android_reset_options_override_the_config():
    phone = FakePhone()
    env = open_android(transport=phone.transport(), **FAST)
    env.reset(options={"disable_animations": True})
    assert phone.settings[("global", "window_animation_scale")] == "0"
    env.close()
    assert phone.settings.get(("global", "window_animation_scale")) != "0"  # restored on close
    with pytest.raises(ValueError, match="unknown reset option"):
        open_android(transport=FakePhone().transport()).reset(options={"wake_up": True})


def test_check_env_on_the_sim_and_its_seeded_reset_is_deterministic(sim_phone):
    actions = [Swipe(start=(540, 1800), end=(540, 900)), Tap(point=(540, 1200)), Home(), Wait(seconds=0.05)]
    check_env(lambda: SimEnv(sim_phone, settle=QUICK_SETTLE), actions, seed=5)


def test_the_sim_seed_rebuilds_the_phone_and_none_keeps_its_state(sim_phone):
    with SimEnv(sim_phone, settle=QUICK_SETTLE) as env:
        env.reset(seed=11)
        assert sim_phone.seed == 11
        sim_phone.device.shell("am start -n com.android.settings/.Settings")
        env.reset()  # no seed: the phone is not rebuilt
        assert env.env.device.foreground().startswith("com.android.settings")
        env.reset(seed=11)
        assert not (env.env.device.foreground() or "").startswith("com.android.settings")


def test_task_env_sets_the_task_up_in_reset(sim_phone):
    task_cls = get_task("SystemWifi")
    task = task_cls(task_cls.params(2))
    with TaskEnv(SimEnv(sim_phone, settle=None)) as env:
        first = env.reset(seed=2, options={"task": task})
        assert task.state == "ready" and env.task is task
        assert first.foreground == env.device.foreground()


def test_check_env_on_the_task_env(sim_phone):
    check_env(lambda: TaskEnv(SimEnv(sim_phone, settle=None)), [Back(), Wait(seconds=0.01)], seed=4)


def test_a_wrapper_forwards_and_unwraps():
    inner = FakeEnv()
    wrapped = Wrapper(Wrapper(inner))
    assert wrapped.action_space == MOBILE_ACTIONS and wrapped.unwrapped is inner
    assert wrapped.resets == 0 and wrapped.reset(seed=1).screenshot is inner.screens[0]
    check_env(lambda: Wrapper(FakeEnv()), seed=1)


class _OldReset(FakeEnv):
    def reset(self):  # the contract before Gymnasium's: no seed, no options
        return super().reset()


class _Forgiving(FakeEnv):
    def reset(self, *, seed=None, options=None):
        return super().reset(seed=seed)  # ignores options it does not know


class _Foreign(FakeEnv):
    def execute(self, action) -> Outcome:
        return Outcome()


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: _OldReset(), "keyword-only seed"),
        (lambda: _Forgiving(), "unknown reset option"),
        (lambda: _Foreign(action_space=(int,)), "outside tools' action unions"),
    ],
)
def test_check_env_refuses_what_breaks_the_contract(make, needle):
    with pytest.raises(EnvCheckError, match=needle):
        check_env(make)
