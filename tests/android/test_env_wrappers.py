"""The settle wait and the UI tree are wrappers: the bare ``AndroidEnv`` does neither, whatever its config says;
``wrap``/``open_android`` compose them from the config, and every composition keeps the ``Env`` contract."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import Wrapper, check_env
from qwen2vl_agent.envs.android import (
    AndroidEnv,
    FakePhone,
    Settle,
    SettlePolicy,
    WithUITree,
    open_android,
    wrap,
)
from qwen2vl_agent.tools import actions as A

POLICY = SettlePolicy(timeout_s=0.5, interval_s=0.0)
ACTIONS = [A.Tap(point=(10, 20)), A.Back(), A.Wait(seconds=0.01), A.Type(text="hi")]


def bare(phone: FakePhone, **options) -> AndroidEnv:
    return AndroidEnv(transport=phone.transport(), settle=POLICY, ui_tree=True, **options)


def test_the_bare_env_does_not_wait_after_an_action_even_when_its_config_asks_to():
    phone = FakePhone()
    with bare(phone) as env:
        env.reset()
        fake = env.device.transport.inner
        before = len(fake.calls)
        outcome = env.execute(A.Tap(point=(10, 20)))
        sent = fake.calls[before:]
        assert outcome.settle_s == 0 and "settle" not in outcome.extra
        assert [c[0] for c in sent] == ["input"]  # the tap, and no capture or frame-timestamp probe after it
        obs = env.observe()
        assert not obs.extra["settled_frame"] and len(fake.commands("screencap")) == 2  # reset's, and this one


def test_the_bare_env_does_not_dump_the_ui_tree_even_when_its_config_asks_to():
    phone = FakePhone()
    with bare(phone) as env:
        assert env.reset().ui_tree is None and env.observe().ui_tree is None
        assert env.device.transport.inner.commands("uiautomator") == []


def test_wrap_composes_what_the_config_asks_for():
    phone = FakePhone()
    assert isinstance(bare(phone, reuse_settled_s=0).config.settle, SettlePolicy)
    both = wrap(bare(phone, reuse_settled_s=0.25))
    assert isinstance(both, WithUITree) and isinstance(both.env, Settle) and both.env.reuse_s == 0.25
    assert isinstance(both.unwrapped, AndroidEnv) and both.env.settle_wait.policy is POLICY
    plain = AndroidEnv(transport=phone.transport(), settle=None)
    assert wrap(plain) is plain  # nothing asked for: the env itself
    assert isinstance(open_android(transport=phone.transport()), Settle)  # the default config settles


def test_the_settled_frame_is_the_next_observation_and_its_cost_is_recorded():
    phone = FakePhone()
    with Settle(AndroidEnv(transport=phone.transport(), settle=None), POLICY) as env:
        env.reset()
        fake = env.device.transport.inner
        before = len(fake.commands("screencap"))
        outcome = env.execute(A.Tap(point=(10, 20)))
        assert outcome.settle_s > 0 and outcome.extra["settle"]["settled"] and "act_s" in outcome.extra
        assert env.last_settle is not None and env.last_settle.waited_s == outcome.settle_s
        obs = env.observe()
        captured = len(fake.commands("screencap")) - before
        assert obs.extra["settled_frame"] and captured <= 2  # a static screen: at most one beyond the observation
        assert env.execute(A.Wait(seconds=0.01)).settle_s == 0  # Wait has waited already


def test_the_ui_tree_is_read_after_the_settle_wrapper_took_its_frame():
    phone = FakePhone()
    with WithUITree(Settle(AndroidEnv(transport=phone.transport(), settle=None), POLICY)) as env:
        assert env.reset().ui_tree.startswith("<?xml")
        env.execute(A.Tap(point=(10, 20)))
        obs = env.observe()
        assert obs.extra["settled_frame"] and obs.ui_tree.startswith("<?xml")


@pytest.mark.parametrize(
    "build",
    [
        lambda phone: Settle(AndroidEnv(transport=phone.transport(), settle=None), POLICY),
        lambda phone: WithUITree(AndroidEnv(transport=phone.transport(), settle=None)),
        lambda phone: WithUITree(Settle(AndroidEnv(transport=phone.transport(), settle=None), POLICY)),
        lambda phone: open_android(transport=phone.transport(), settle=POLICY, ui_tree=True),
    ],
    ids=["Settle", "WithUITree", "WithUITree(Settle)", "open_android"],
)
def test_check_env_on_the_wrapped_envs(build):
    check_env(lambda: build(FakePhone()), ACTIONS, options={"wake": False})
    env = build(FakePhone())
    assert isinstance(env, Wrapper) and env.action_space == AndroidEnv.action_space
