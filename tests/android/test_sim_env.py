"""AndroidEnv against the simulated phone through the real adb server: actions change the device state,
hostile text is typed literally (never run), faults surface as typed errors in bounded time."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import ActionRejected, DeviceLost, check_env
from qwen2vl_agent.envs.android import SocketTransport
from qwen2vl_agent.tools import AppSwitch, Back, Enter, Home, LongPress, OpenApp, Swipe, Tap, Type, Wait

LAUNCHER = "com.google.android.apps.nexuslauncher"
SETTINGS = "com.android.settings"


def top_package(phone) -> str:
    return phone.device.wm.top.package


def open_search(env, phone, center) -> None:
    """Tap the home screen's search pill: the app drawer opens with its search field focused."""
    env.execute(Tap(point=center(phone.device.ui_xml(), text="Search")))
    assert phone.device.wm.focused_value() == ""


def test_observation_is_the_device_screen_pixel_for_pixel(sim_env, sim_phone):
    obs = sim_env.observe()
    assert obs.screenshot.size == obs.screen_size == (1080, 2400)
    assert obs.screenshot.tobytes() == sim_phone.device.screenshot().tobytes()
    assert obs.foreground.startswith(LAUNCHER + "/")
    assert obs.extra["capture"] == "raw"


def test_png_path_gives_the_same_pixels(make_sim_env, sim_phone):
    assert make_sim_env(capture="png").observe().screenshot.tobytes() == sim_phone.device.screenshot().tobytes()


def test_ui_tree_comes_from_uiautomator(make_sim_env, sim_phone, center):
    tree = make_sim_env(ui_tree=True).observe().ui_tree
    assert center(tree, content_desc="Settings") == center(sim_phone.device.ui_xml(), content_desc="Settings")


def test_tap_opens_the_app_under_the_finger(sim_env, sim_phone, center):
    outcome = sim_env.execute(Tap(point=center(sim_phone.device.ui_xml(), content_desc="Settings")))
    assert top_package(sim_phone) == SETTINGS
    assert outcome.settle_s > 0
    assert sim_env.observe().foreground.startswith(SETTINGS + "/")


def test_long_press_is_a_held_touch_on_that_point(sim_env, sim_phone, center):
    # The sim's launcher icons have no long-press menu; a held touch then acts on the icon as a tap would.
    sim_env.execute(LongPress(point=center(sim_phone.device.ui_xml(), content_desc="Contacts"), duration_ms=600))
    assert top_package(sim_phone) == "com.android.contacts"


def test_swipe_up_opens_the_app_drawer(sim_env, sim_phone):
    sim_env.execute(Swipe(start=(540, 1800), end=(540, 600), duration_ms=200))
    assert sim_phone.device.wm.top.extras.get("drawer") is True


def test_keys_back_home_appswitch(sim_env, sim_phone):
    sim_env.execute(OpenApp(name="Settings"))
    assert top_package(sim_phone) == SETTINGS
    sim_env.execute(Back())
    assert top_package(sim_phone) == LAUNCHER
    sim_env.execute(OpenApp(name="Settings"))
    sim_env.execute(Home())
    assert top_package(sim_phone) == LAUNCHER
    sim_env.execute(AppSwitch())
    assert sim_phone.device.wm.recents


def test_type_then_enter_submits_the_search(sim_env, sim_phone, center):
    open_search(sim_env, sim_phone, center)
    sim_env.execute(Type(text="Sett"))
    assert sim_phone.device.wm.focused_value() == "Sett"
    sim_env.execute(Enter())
    assert top_package(sim_phone) == SETTINGS


def test_open_app_by_name_and_unknown_app_is_a_model_error(sim_env, sim_phone):
    sim_env.execute(OpenApp(name="contacts"))
    assert top_package(sim_phone) == "com.android.contacts"
    with pytest.raises(ActionRejected, match="Did you mean: Settings"):
        sim_env.execute(OpenApp(name="Setings"))


def test_reset_wakes_and_unlocks_a_sleeping_phone(make_sim_env, sim_phone):
    env = make_sim_env()
    env.reset()
    env.device.keyevent(26)  # POWER: the screen goes off and the keyguard comes back
    assert not sim_phone.device.awake and sim_phone.device.locked
    obs = env.reset()
    assert sim_phone.device.awake and not sim_phone.device.locked
    assert obs.screenshot.tobytes() == sim_phone.device.screenshot().tobytes()


def test_animations_off_and_restored(make_sim_env, sim_phone):
    settings = sim_phone.device.settings
    before = settings.get("global", "window_animation_scale")
    env = make_sim_env(disable_animations=True)
    env.reset()
    assert settings.get("global", "window_animation_scale") == "0"
    env.close()
    assert settings.get("global", "window_animation_scale") == before


def test_rotation_and_override_size_are_followed(sim_env, sim_phone, center):
    sim_env.device.run("settings", "put", "system", "accelerometer_rotation", "0")
    sim_env.device.run("settings", "put", "system", "user_rotation", "1")
    obs = sim_env.observe()
    assert obs.screenshot.size == obs.screen_size == (2400, 1080) and obs.extra["rotation"] == 1
    sim_env.execute(Tap(point=center(sim_phone.device.ui_xml(), content_desc="Settings")))
    assert top_package(sim_phone) == SETTINGS
    sim_env.device.run("settings", "put", "system", "user_rotation", "0")
    sim_env.device.run("wm", "size", "720x1600")
    obs = sim_env.observe()
    assert obs.screenshot.size == obs.screen_size == (720, 1600)
    sim_env.execute(Home())
    sim_env.execute(Tap(point=center(sim_phone.device.ui_xml(), content_desc="Contacts")))
    assert top_package(sim_phone) == "com.android.contacts"


def test_wait_changes_nothing(sim_env, sim_phone):
    before = sim_phone.device.screenshot().tobytes()
    outcome = sim_env.execute(Wait(seconds=0.1))
    assert outcome.settle_s == 0 and sim_phone.device.screenshot().tobytes() == before


HOSTILE = [
    'it\'s "quoted" \\ back',
    "a; touch /data/local/tmp/pwned1",
    "$(touch /data/local/tmp/pwned2)",
    "`touch /data/local/tmp/pwned3`",
    "x && touch /data/local/tmp/pwned4 || settings put global pwned 1",
    "50%sale %s | cat > /data/local/tmp/pwned5",
    "${HOME} * ? ~ # !",
    "emoji 🙂 and CJK 你好",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_typed_literally_and_runs_nothing(sim_env, sim_phone, center, text):
    open_search(sim_env, sim_phone, center)
    sim_env.execute(Type(text=text))
    assert sim_phone.device.wm.focused_value() == text
    assert not any(sim_phone.device.fs.exists(f"/data/local/tmp/pwned{i}") for i in range(1, 6))
    assert sim_phone.device.settings.get("global", "pwned") is None
    ime = sim_phone.device.settings.get("secure", "default_input_method")
    assert ime == "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"  # restored


def test_a_newline_is_the_enter_key(sim_env, sim_phone, center):
    open_search(sim_env, sim_phone, center)
    sim_env.execute(Type(text="Contac\n"))
    assert top_package(sim_phone) == "com.android.contacts"


def test_unicode_without_adbkeyboard_is_refused_and_nothing_is_typed(make_sim_env, sim_phone, center):
    env = make_sim_env(keyboard="input")
    env.reset()
    open_search(env, sim_phone, center)
    with pytest.raises(ActionRejected, match="ADBKeyBoard"):
        env.execute(Type(text="ok 你好"))
    assert sim_phone.device.wm.focused_value() == ""


def test_conformance(make_sim_env):
    check_env(make_sim_env, [Swipe(start=(540, 1800), end=(540, 900)), Back(), Home(), Wait(seconds=0.05)])


def test_a_device_that_stops_answering_is_device_lost_in_bounded_time(sim_phone, helpers):
    transport = SocketTransport(sim_phone.serial, sim_phone.adb_host, sim_phone.adb_port)
    with pytest.raises(DeviceLost, match="did not answer"):  # long before the 30 s the command takes
        helpers.returns_within(lambda: transport.shell(("sleep", "30"), timeout=0.5), seconds=20)
