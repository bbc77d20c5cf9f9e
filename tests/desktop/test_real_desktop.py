"""``DesktopEnv`` driving a real Tk application on a private Xvfb; assertions on what the app received.

The probe app (``app/probe_app.py``) fills the 1280x800 screen: ``pad`` (top-left 640x400), ``editor``
(a text field, top-right 640x400) and ``lower`` (the bottom half). Each test uses its own points, so two
tests' clicks never merge into a double click.
"""

from __future__ import annotations

import shutil
import time

import pytest

from qwen2vl_agent.envs import ActionRejected, check_env
from qwen2vl_agent.envs.desktop import DesktopEnv, FailSafeTriggered, Monitor
from qwen2vl_agent.envs.desktop.clipboard import ClipboardServer
from qwen2vl_agent.envs.desktop.xsession import connect
from qwen2vl_agent.tools import Click, DoubleClick, Drag, Hotkey, MoveTo, RightClick, Scroll, Terminate, Type, Wait


def presses(state, kind="press"):
    return [(e["button"], e["x"], e["y"], e["widget"]) for e in state["events"] if e["kind"] == kind]


def keys(state):
    return [(e["keysym"], sorted(e["mods"])) for e in state["events"] if e["kind"] == "key"]


def test_observe_sees_the_app(desktop, app):
    obs = desktop.observe()
    assert obs.screenshot.size == obs.screen_size == (1280, 800)
    assert obs.screenshot.getpixel((100, 100)) == (0x20, 0x40, 0x80)  # the pad's colour
    assert obs.screenshot.getpixel((700, 100)) == (255, 255, 255)  # the editor
    assert obs.extra["monitors"] == [{"left": 0, "top": 0, "width": 1280, "height": 800, "name": "screen",
                                      "primary": False}]  # fmt: skip
    desktop.execute(MoveTo(point=(50, 50)))
    assert desktop.observe().foreground == "Probe ✓ app"


def test_click(desktop, app):
    desktop.execute(Click(point=(101, 102)))
    state = app.wait_for(lambda s: presses(s, "release"))
    assert presses(state) == [(1, 101, 102, "pad")]
    assert presses(state, "release") == [(1, 101, 102, "pad")]


def test_double_click(desktop, app):
    desktop.execute(DoubleClick(point=(150, 160)))
    state = app.wait_for(lambda s: presses(s, "double"))
    assert presses(state, "double") == [(1, 150, 160, "pad")]
    assert len(presses(state, "release")) == 2


def test_right_click(desktop, app):
    desktop.execute(RightClick(point=(200, 220)))
    state = app.wait_for(lambda s: presses(s))
    assert presses(state) == [(3, 200, 220, "pad")]


def test_drag(desktop, app):
    desktop.execute(Drag(start=(250, 100), end=(450, 300)))
    state = app.wait_for(lambda s: presses(s, "release"))
    assert presses(state) == [(1, 250, 100, "pad")]
    assert presses(state, "release") == [(1, 450, 300, "pad")]
    assert state["motions"] >= 1  # the app saw the pointer travel with the button held (Tk merges motions)


@pytest.mark.parametrize(
    ("direction", "button", "mods"),
    [("up", 4, []), ("down", 5, []), ("left", 4, ["Shift"]), ("right", 5, ["Shift"])],
)
def test_scroll(desktop, app, direction, button, mods):
    # X buttons 4/5 scroll vertically, 6/7 horizontally; Tk 8.6 reports 6/7 as Shift+4/5
    desktop.execute(Scroll(direction=direction, point=(300, 350), amount=3))
    state = app.wait_for(lambda s: len(presses(s)) >= 3)
    wheel = [(e["button"], e["mods"]) for e in state["events"] if e["kind"] == "press"]
    assert wheel == [(button, mods)] * 3
    assert presses(state)[0][1:] == (300, 350, "pad")


def test_hotkeys(desktop, app):
    desktop.execute(Click(point=(330, 600)))  # the pointer over the app: without a window manager, keys go there
    desktop.execute(Hotkey(keys=["ctrl", "shift", "s"]))
    desktop.execute(Hotkey(keys=["Page_Down"]))
    desktop.execute(Hotkey(keys=["alt", "F4"]))
    state = app.wait_for(lambda s: ("F4", ["Alt"]) in keys(s))
    pressed = [k for k in keys(state) if not k[0].startswith(("Control", "Shift", "Alt"))]
    assert pressed == [("S", ["Control", "Shift"]), ("Next", []), ("F4", ["Alt"])]


def test_keys_missing_from_the_keyboard_map_are_rejected(desktop, app):
    desktop.execute(Click(point=(340, 610)))
    for combo in (["ctrl", "é"], ["f13"]):
        with pytest.raises(ActionRejected, match="does not exist on this keyboard"):
            desktop.execute(Hotkey(keys=combo))
    with pytest.raises(ActionRejected, match="Unknown key 'page_dn'"):
        desktop.execute(Hotkey(keys=["page_dn"]))
    desktop.execute(Hotkey(keys=["F6"]))  # a sentinel: once it arrives, anything sent before it has arrived
    state = app.wait_for(lambda s: ("F6", []) in keys(s))
    assert keys(state) == [("F6", [])]  # of all those keys, not one press (not even ctrl's) reached the app


def type_into_editor(desktop, app, text, point=(700, 100)):
    desktop.execute(Click(point=point))
    outcome = desktop.execute(Type(text=text))
    return outcome, app.wait_for(lambda s: s["text"] == text)


def test_typing_ascii_punctuation_exactly(desktop, app):
    text = "".join(chr(c) for c in range(0x20, 0x7F))  # every printable ASCII character, <>|~"' included
    outcome, state = type_into_editor(desktop, app, text, (710, 110))
    assert state["text"] == text
    assert outcome.extra["typing"] == "keys"  # on the keyboard map: typed key by key, clipboard untouched


def test_typing_newlines_and_tabs(desktop, app):
    text = "first line\nsecond\tline\n\nlast <line>"
    _, state = type_into_editor(desktop, app, text, (720, 120))
    assert state["text"] == text


def test_typing_with_caps_lock_on_is_still_exact(desktop, app):
    desktop.execute(Hotkey(keys=["capslock"]))  # the user left Caps Lock on
    try:
        outcome, state = type_into_editor(desktop, app, "Hello World", (725, 125))
    finally:
        desktop.execute(Hotkey(keys=["capslock"]))
    assert state["text"] == "Hello World"
    assert outcome.extra["typing"] == "clipboard"  # key presses would have typed "hELLO wORLD"


def test_typing_unicode_restores_the_users_clipboard(desktop, app):
    app.ask('set_clipboard "the user\'s copy ✓"')  # the app owns the clipboard, as after a user's Ctrl+C
    text = "Crème brûlée, naïve façade — 中文字符 — 😀👍🏽 <>|~\"'\nnext line"
    outcome, state = type_into_editor(desktop, app, text, (730, 130))
    assert state["text"] == text
    assert outcome.extra["typing"] == "clipboard"
    assert app.ask("clipboard") == {"clipboard": "the user's copy ✓"}


def test_typing_leaves_an_empty_clipboard_empty(xserver, app):
    other = ClipboardServer(xserver.name)  # another client copies, then gives the clipboard up: it is empty
    other.offer("scratch")
    other.release()
    other.close(handover=False)
    assert app.ask("clipboard") == {"clipboard": None}
    with DesktopEnv(xserver.name, typing=("clipboard",)) as env:
        env.reset()
        _, state = type_into_editor(env, app, "ü", (740, 140))
        assert state["text"] == "ü"
        assert app.ask("clipboard") == {"clipboard": None}


@pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed (apt-get install xclip)")
def test_the_restored_clipboard_outlives_the_env(xserver, app):
    app.ask('set_clipboard "kept after exit"')
    with DesktopEnv(xserver.name) as env:
        env.reset()
        type_into_editor(env, app, "→", (750, 150))
    assert app.ask("clipboard") == {"clipboard": "kept after exit"}  # xclip took it over


def test_a_paste_nobody_takes_is_told_to_the_model(xserver, app):
    with DesktopEnv(xserver.name, typing=("clipboard",), paste_timeout=0.3) as env:
        env.reset()
        env.execute(Click(point=(350, 620)))  # a canvas: no text field has the focus
        with pytest.raises(ActionRejected, match="Click into a text field first"):
            env.execute(Type(text="日本"))
    assert app.state()["text"] == ""


@pytest.mark.parametrize("typing", [("keys", "clipboard", "xdotool"), ("keys", "xdotool")])
def test_a_nul_or_control_character_is_refused_and_nothing_is_typed(xserver, app, typing):
    if "xdotool" in typing and len(typing) == 2 and shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")
    app.ask('set_clipboard "the user copy"')
    with DesktopEnv(xserver.name, typing=typing) as env:
        env.reset()
        env.execute(Click(point=(760, 160)))
        for text in ("before\x00after", "esc\x1b[2J"):
            with pytest.raises(ActionRejected, match="cannot be typed"):  # a message for the model, no crash
                env.execute(Type(text=text))
    time.sleep(0.2)
    assert app.state()["text"] == ""
    assert app.ask("clipboard") == {"clipboard": "the user copy"}


def test_a_point_on_the_second_monitor_lands_there(xserver, app):
    # Xvfb shows mss one monitor: inject two, side by side, of different heights
    monitors = [Monitor(0, 0, 640, 800, name="A"), Monitor(640, 0, 640, 400, name="B")]
    with DesktopEnv(xserver.name, monitor=2, monitors=monitors) as env:
        obs = env.reset()
        assert obs.screenshot.size == (640, 400)
        assert obs.screenshot.getpixel((10, 10)) == (255, 255, 255)  # the editor, right of x=640
        env.execute(Click(point=(100, 101)))
    with DesktopEnv(xserver.name, monitor=0, monitors=monitors) as env:
        env.reset()
        env.execute(RightClick(point=(1000, 150)))
        with pytest.raises(ActionRejected, match="on no monitor"):
            env.execute(Click(point=(1000, 600)))  # below the shorter monitor B
    state = app.wait_for(lambda s: len(presses(s)) >= 2)
    assert presses(state) == [(1, 740, 101, "editor"), (3, 1000, 150, "editor")]


def test_failsafe_is_the_users_corner_gesture(xserver, app):
    with DesktopEnv(xserver.name) as env:
        env.reset()
        env.execute(Click(point=(0, 0)))  # the agent's own corner click does not trip it
        env.execute(Click(point=(360, 630)))
        user = connect(xserver.name)
        user.display.screen().root.warp_pointer(1279, 799)  # the user throws the pointer into a corner
        user.display.sync()
        user.close()
        with pytest.raises(FailSafeTriggered, match="corner"):
            env.execute(Click(point=(370, 640)))
    assert presses(app.state()) == [(1, 0, 0, "pad"), (1, 360, 630, "lower")]


def test_pyautogui_global_pause_is_not_used(xserver, app):
    import pyautogui

    saved, pyautogui.PAUSE = pyautogui.PAUSE, 5.0
    try:
        with DesktopEnv(xserver.name) as env:
            env.reset()
            start = time.monotonic()
            env.execute(Click(point=(400, 650)))
            env.execute(Scroll(direction="down", point=(410, 660), amount=1))
            fast = time.monotonic() - start
        with DesktopEnv(xserver.name, pause=0.2) as env:
            env.reset()
            start = time.monotonic()
            env.execute(Click(point=(420, 670)))
            env.execute(Click(point=(430, 680)))
            configured = time.monotonic() - start
    finally:
        pyautogui.PAUSE = saved
    assert fast < 5.0  # the global 5 s pause was not slept
    assert configured >= 0.4  # the configured pause was, after each action


def test_check_env_on_the_real_desktop(xserver, app):
    actions = [
        Wait(seconds=0.01), MoveTo(point=(500, 500)), Click(point=(500, 700)), DoubleClick(point=(520, 710)),
        RightClick(point=(540, 720)), Drag(start=(560, 730), end=(600, 750)), Scroll(direction="down"),
        Hotkey(keys=["esc"]), Terminate(status="success"),
    ]  # fmt: skip
    check_env(lambda: DesktopEnv(xserver.name), actions)
    assert len(presses(app.state())) >= 5
