"""AndroidEnv end to end on the fake adb boundary (no adb, no device): every action, reset, faults."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import ActionRejected, CaptureFailed, DeviceLost, EnvError, check_env
from qwen2vl_agent.envs.android import (
    ADB_KEYBOARD_IME,
    AdbDeviceLost,
    FakeAdb,
    FakePhone,
    SettlePolicy,
    open_android,
)
from qwen2vl_agent.tools import actions as A

FAST = dict(settle=SettlePolicy(timeout_s=0.5, interval_s=0.0))


@pytest.fixture
def phone():
    return FakePhone()


@pytest.fixture
def env(phone):
    with open_android(transport=phone.transport(), **FAST) as env:
        yield env


def test_reset_observes_the_screen(env, phone):
    obs = env.reset()
    assert obs.screenshot.size == phone.size == obs.screen_size
    assert obs.foreground == phone.foreground
    assert obs.extra["capture"] == "raw" and obs.extra["density"] == 420


@pytest.mark.parametrize(
    ("action", "event"),
    [
        (A.Tap(point=(10, 20)), ("tap", "10", "20")),
        (A.LongPress(point=(5, 6), duration_ms=800), ("swipe", "5", "6", "5", "6", "800")),
        (A.Swipe(start=(50, 200), end=(50, 20), duration_ms=250), ("swipe", "50", "200", "50", "20", "250")),
        (A.Back(), ("key", "4")),
        (A.Home(), ("key", "3")),
        (A.Enter(), ("key", "66")),
        (A.AppSwitch(), ("key", "187")),
        (A.OpenApp(name="Settings"), ("start", "com.android.settings/.Settings")),
        (A.Type(text="hi there"), ("text", "hi%sthere")),
    ],
)
def test_each_action_reaches_the_device(env, phone, action, event):
    env.reset()
    outcome = env.execute(action)
    assert phone.events[-1] == event
    assert outcome.settle_s > 0  # it waited for the screen, then reported how long


def test_wait_sleeps_and_does_not_touch_the_device(env, phone):
    env.reset()
    phone.events.clear()
    outcome = env.execute(A.Wait(seconds=0.05))
    assert phone.events == [] and outcome.settle_s == 0


def test_settle_waits_out_an_animation(phone):
    phone.animating = 4
    with open_android(transport=phone.transport(), settle=SettlePolicy(timeout_s=5, interval_s=0.0)) as env:
        env.reset()
        fake = env.device.transport.inner
        before = len(fake.commands("screencap"))
        env.execute(A.Tap(point=(1, 1)))
        assert len(fake.commands("screencap")) - before >= 6  # 4 changing frames, then 2 equal comparisons


def test_observe_after_an_action_reuses_the_settled_frame(phone):
    with open_android(transport=phone.transport(), **FAST) as env:
        env.reset()
        fake = env.device.transport.inner
        env.execute(A.Tap(point=(1, 1)))
        before = len(fake.commands("screencap"))
        obs = env.observe()
        assert obs.extra["settled_frame"] and len(fake.commands("screencap")) == before
        assert obs.screenshot.getpixel((0, 0)) == phone.image().getpixel((0, 0))
        assert not env.observe().extra["settled_frame"]  # used once only
        assert len(fake.commands("screencap")) == before + 1


def test_no_reuse_when_a_command_ran_in_between(phone):
    with open_android(transport=phone.transport(), **FAST) as env:
        env.reset()
        env.execute(A.Tap(point=(1, 1)))
        env.device.keyevent(3)
        assert not env.observe().extra["settled_frame"]


def test_settled_frame_reuse_can_be_turned_off(phone):
    with open_android(transport=phone.transport(), reuse_settled_s=0, **FAST) as env:
        env.reset()
        env.execute(A.Tap(point=(1, 1)))
        assert not env.observe().extra["settled_frame"]


def test_points_are_scaled_when_the_screenshot_differs_from_the_input_space(env, phone):
    env.reset()
    env.unwrapped._image_size = (54, 120)  # as if the capture came at half resolution
    env.execute(A.Tap(point=(53, 119)))
    assert phone.events[-1] == ("tap", "106", "238")


def test_points_off_the_screenshot_are_rejected(env):
    env.reset()
    with pytest.raises(ActionRejected, match="outside"):
        env.execute(A.Tap(point=(5000, 5)))


def test_hostile_text_is_typed_literally(env, phone):
    env.reset()
    text = "a'b\"c; rm -rf / $(reboot) `id` && x %s 100%"
    env.execute(A.Type(text=text))
    assert phone.typed == text


def test_unicode_without_adbkeyboard_is_rejected_with_the_fix(env, phone):
    env.reset()
    with pytest.raises(ActionRejected, match="ADBKeyBoard"):
        env.execute(A.Type(text="你好 🙂"))
    assert phone.typed == ""


def test_unicode_goes_through_adbkeyboard_and_the_ime_is_restored(phone):
    phone.imes.append(ADB_KEYBOARD_IME)
    with open_android(transport=phone.transport(), **FAST) as env:
        env.reset()
        env.execute(A.Type(text="你好 🙂 café"))
    assert phone.typed == "你好 🙂 café"
    assert phone.settings[("secure", "default_input_method")] == phone.imes[0]


def test_ascii_stays_on_input_text_even_with_adbkeyboard(phone):
    phone.imes.append(ADB_KEYBOARD_IME)
    with open_android(transport=phone.transport(), **FAST) as env:
        env.reset()
        env.execute(A.Type(text="plain"))
    assert phone.events[-1] == ("text", "plain")


def test_unknown_app_is_a_model_error_with_suggestions(env):
    env.reset()
    with pytest.raises(ActionRejected, match="Did you mean: Settings"):
        env.execute(A.OpenApp(name="Setings"))


def test_configured_app_labels_open_apps(phone):
    labels = {"Browser Deluxe": "com.android.chrome", "Missing": "com.not.installed"}
    with open_android(transport=phone.transport(), app_labels=labels, **FAST) as env:
        env.reset()
        env.execute(A.OpenApp(name="browser deluxe"))
        assert phone.foreground.startswith("com.android.chrome/")
        with pytest.raises(ActionRejected, match="Browser Deluxe"):
            env.execute(A.OpenApp(name="Browser Delux"))
        with pytest.raises(ActionRejected):
            env.execute(A.OpenApp(name="Missing"))


def test_desktop_actions_are_rejected_and_agent_actions_never_belong_here(env):
    env.reset()
    with pytest.raises(ActionRejected, match="desktop action"):
        env.execute(A.Click(point=(1, 1)))
    with pytest.raises(TypeError):
        env.execute(A.Terminate(status="success"))


def test_reset_wakes_the_screen_and_dismisses_an_insecure_keyguard(phone):
    phone.wakefulness, phone.keyguard_showing = "Asleep", True
    with open_android(transport=phone.transport(), **FAST) as env:
        obs = env.reset()
    assert phone.wakefulness == "Awake" and not phone.keyguard_showing
    assert obs.foreground == phone.foreground


def test_a_secure_keyguard_is_an_error_naming_the_fix(phone):
    phone.keyguard_showing = phone.keyguard_secure = True
    with open_android(transport=phone.transport(), **FAST) as env, pytest.raises(EnvError, match="PIN"):
        env.reset()


def test_animations_are_turned_off_and_restored(phone):
    phone.settings[("global", "window_animation_scale")] = "0.5"
    with open_android(transport=phone.transport(), disable_animations=True, **FAST) as env:
        env.reset()
        assert phone.settings[("global", "window_animation_scale")] == "0"
        assert phone.settings[("global", "animator_duration_scale")] == "0"
    assert phone.settings[("global", "window_animation_scale")] == "0.5"
    assert ("global", "animator_duration_scale") not in phone.settings  # was unset, is unset again


@pytest.mark.parametrize("capture", ["raw", "png"])
def test_a_black_frame_on_an_awake_screen_is_a_capture_failure(phone, capture):
    with open_android(transport=phone.transport(), capture=capture, **FAST) as env:
        env.reset()
        phone.black = True
        with pytest.raises(CaptureFailed, match="secure window"):
            env.observe()


def test_a_screen_that_went_off_is_woken(env, phone):
    env.reset()
    phone.wakefulness = "Asleep"
    obs = env.observe()
    assert phone.wakefulness == "Awake" and obs.screenshot.getpixel((0, 0)) != (0, 0, 0)


def test_ui_tree_is_dumped_with_retries_while_the_screen_animates(phone, monkeypatch):
    monkeypatch.setattr("qwen2vl_agent.envs.android.device.time.sleep", lambda s: None)
    phone.ui_busy = 2
    with open_android(transport=phone.transport(), ui_tree=True, **FAST) as env:
        obs = env.reset()
        assert obs.ui_tree.startswith("<?xml") and 'package="com.google.android.apps.nexuslauncher"' in obs.ui_tree
        assert phone.files == {}  # the dump file is removed
        phone.ui_busy = 5
        obs = env.observe()  # the tree is optional: the step goes on without it
        assert obs.ui_tree is None and "could not get idle state" in obs.extra["ui_tree_error"]


def test_png_capture_mode(phone):
    with open_android(transport=phone.transport(), capture="png", **FAST) as env:
        obs = env.reset()
    assert obs.extra["capture"] == "png" and obs.screenshot.size == phone.size


def test_auto_capture_falls_back_to_png_when_raw_is_unusable(phone):
    def handler(argv):
        return b"garbage" if argv == ("screencap",) else phone(argv)

    with open_android(transport=FakeAdb(handler), **FAST) as env:
        assert env.reset().extra["capture"] == "png"
        assert env.observe().extra["capture"] == "png"


def test_a_device_lost_mid_episode_raises_device_lost(phone):
    lost = {"now": False}

    def handler(argv):
        if lost["now"]:
            raise AdbDeviceLost("device 'fake-0001' not found")
        return phone(argv)

    with open_android(transport=FakeAdb(handler), retry={"attempts": 2, "backoff_s": 0.0}, **FAST) as env:
        env.reset()
        env.execute(A.Tap(point=(1, 1)))
        lost["now"] = True
        with pytest.raises(DeviceLost, match="not found"):
            env.execute(A.Tap(point=(1, 1)))


def test_close_is_idempotent_and_a_closed_env_refuses_work(phone):
    env = open_android(transport=phone.transport(), **FAST)
    env.close()
    env.close()
    with pytest.raises(EnvError, match="closed"):
        env.observe()


def test_options_are_validated(phone):
    with pytest.raises(ValueError):
        open_android(transport=phone.transport(), capture="jpeg")
    with pytest.raises(ValueError):
        open_android(transport=phone.transport(), no_such_option=1)


def test_conformance_on_the_fake_phone():
    actions = [
        A.Tap(point=(5, 5)),
        A.Swipe(start=(5, 100), end=(5, 10)),
        A.Type(text="x y"),
        A.Back(),
        A.Wait(seconds=0.01),
    ]
    check_env(lambda: open_android(transport=FakePhone().transport(), **FAST), actions)


def test_a_call_user_that_reaches_the_env_goes_back_to_the_model(env, phone):
    # CallUser is offered only by the hand-off wrapper; one that reaches the env unwrapped is a model error.
    env.reset()
    phone.events.clear()
    with pytest.raises(ActionRejected, match="no person is standing by"):
        env.execute(A.CallUser(reason="log in"))
    assert phone.events == []
