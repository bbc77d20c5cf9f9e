"""``DesktopEnv`` on injected capture and input: dispatch, multi-monitor and HiDPI mapping, fail-safe.

No X server: the monitor list and the screenshot scale are whatever the fakes say (Xvfb cannot show mss
side-by-side monitors). The same mapping runs on a real X server in ``test_real_desktop.py``.
"""

from __future__ import annotations

import pytest
from PIL import Image

from qwen2vl_agent.envs import ActionRejected, EnvError, check_env
from qwen2vl_agent.envs.desktop import DesktopEnv, FailSafeTriggered, Monitor, OffScreen
from qwen2vl_agent.envs.desktop.geometry import monitor_list
from qwen2vl_agent.envs.desktop.keys import KEYSYMS
from qwen2vl_agent.tools import (
    Answer,
    CallUser,
    Click,
    DoubleClick,
    Drag,
    Hotkey,
    MoveTo,
    OpenApp,
    RightClick,
    Scroll,
    Tap,
    Terminate,
    Type,
    Wait,
)

LEFT = Monitor(0, 0, 1920, 1080, name="DP-1", primary=True)
RIGHT = Monitor(1920, 0, 1280, 1024, name="HDMI-1")


class FakeCapture:
    """Monitors as given; screenshots ``scale`` times the region (2: a HiDPI screenshot)."""

    def __init__(self, monitors: list[Monitor], scale: int = 1) -> None:
        self._monitors, self.scale, self.grabs, self.closed = monitor_list(monitors), scale, [], False

    def monitors(self) -> list[Monitor]:
        return list(self._monitors)

    def grab(self, region: Monitor) -> Image.Image:
        self.grabs.append(region)
        return Image.new("RGB", (region.width * self.scale, region.height * self.scale), (30, 60, 90))

    def close(self) -> None:
        self.closed = True


class RecordingInput:
    """Records the calls, in pointer units; the pointer goes where it is sent."""

    def __init__(self, at: tuple[int, int] = (500, 500)) -> None:
        self.at, self.calls, self.closed = at, [], False

    def pointer(self):
        return self.at

    def move(self, point):
        self.at = point
        self.calls.append(("move", point))

    def click(self, point, button="left", count=1):
        self.at = point
        self.calls.append(("click", point, button, count))

    def drag(self, start, end):
        self.at = end
        self.calls.append(("drag", start, end))

    def scroll(self, point, direction, amount):
        self.at = point or self.at
        self.calls.append(("scroll", point, direction, amount))

    def press(self, keysyms, names):
        self.calls.append(("press", list(keysyms)))

    def type_text(self, text):
        self.calls.append(("type", text))
        return "keys"

    def window_title(self):
        return "Fake window"

    def close(self):
        self.closed = True


def make_env(monitor: int = 2, scale: int = 2, **options) -> DesktopEnv:
    return DesktopEnv(monitor=monitor, capture=FakeCapture([LEFT, RIGHT], scale), input=RecordingInput(), **options)


def test_observation_reports_monitors_and_scale():
    env = make_env()
    obs = env.reset()
    assert obs.screenshot.size == (2560, 2048)  # the 2x screenshot the model sees
    assert obs.screen_size == (1280, 1024)  # the pointer space
    assert obs.foreground == "Fake window"
    assert obs.extra["region"]["left"] == 1920
    assert obs.extra["scale"] == (2.0, 2.0)
    assert [m["name"] for m in obs.extra["monitors"]] == ["DP-1", "HDMI-1"]
    assert env.monitors == [LEFT, RIGHT]


@pytest.mark.parametrize(
    ("action", "call"),
    [
        (Click(point=(201, 101)), ("click", (2020, 50), "left", 1)),
        (DoubleClick(point=(201, 101)), ("click", (2020, 50), "left", 2)),
        (RightClick(point=(2559, 2047)), ("click", (3199, 1023), "right", 1)),
        (MoveTo(point=(0, 0)), ("move", (1920, 0))),
        (Drag(start=(0, 0), end=(401, 201)), ("drag", (1920, 0), (2120, 100))),
        (Scroll(direction="down", point=(201, 101), amount=3), ("scroll", (2020, 50), "down", 3)),
        (Scroll(direction="left"), ("scroll", None, "left", 5)),
        (Hotkey(keys=["ctrl", "shift", "Page_Down"]), ("press", [0xFFE3, 0xFFE1, KEYSYMS["pagedown"]])),
        (Type(text="héllo 中文 😀\n"), ("type", "héllo 中文 😀\n")),
    ],
)
def test_a_point_on_the_second_hidpi_monitor_lands_there(action, call):
    env = make_env()
    env.reset()
    env.execute(action)
    assert env.input.calls == [call]


def test_whole_virtual_screen_and_the_gap_between_monitors():
    env = make_env(monitor=0, scale=1)
    env.reset()
    env.execute(Click(point=(2000, 1000)))
    assert env.input.calls == [("click", (2000, 1000), "left", 1)]
    with pytest.raises(OffScreen, match="on no monitor"):
        env.execute(Click(point=(2000, 1050)))  # below the shorter right monitor
    with pytest.raises(ActionRejected, match="outside the 3200x1080 screenshot"):
        env.execute(Click(point=(3200, 10)))
    assert len(env.input.calls) == 1


@pytest.mark.parametrize("action", [Tap(point=(1, 1)), OpenApp(name="Settings"), Answer(text="42")])
def test_mobile_actions_are_rejected_with_the_desktop_tools(action):
    env = make_env()
    with pytest.raises(ActionRejected, match=r"not available on the desktop\. Use one of: Click"):
        env.execute(action)


def test_unknown_key_is_rejected_before_anything_is_pressed():
    env = make_env()
    with pytest.raises(ActionRejected, match="Unknown key 'page_dn'"):
        env.execute(Hotkey(keys=["ctrl", "page_dn"]))
    assert env.input.calls == []


def test_wait_and_terminate_do_nothing_on_the_desktop():
    env = make_env()
    assert env.execute(Wait(seconds=0.01)).message == ""
    env.execute(Terminate(status="success"))
    assert env.input.calls == []


def test_failsafe_stops_on_the_users_corner_gesture_only():
    env = make_env(monitor=1, scale=1)
    env.reset()
    env.execute(Click(point=(0, 0)))  # the agent itself clicks the corner: no fail-safe next time
    env.execute(Click(point=(10, 10)))
    env.input.at = (3199, 0)  # the user throws the pointer into the top-right corner of the virtual screen
    with pytest.raises(FailSafeTriggered, match="corner"):
        env.execute(Type(text="x"))
    assert env.input.calls[-1] == ("click", (10, 10), "left", 1)


def test_failsafe_can_be_turned_off():
    env = make_env(monitor=1, scale=1, failsafe=False)
    env.reset()
    env.input.at = (0, 0)
    env.execute(Type(text="x"))
    assert env.input.calls == [("type", "x")]


def test_a_missing_monitor_is_a_clear_error():
    with pytest.raises(EnvError, match=r"no monitor 3 .* 1: 1920x1080 at \(0, 0\) DP-1; 2: 1280x1024"):
        make_env(monitor=3)
    with pytest.raises(ValueError, match="monitor must be"):
        make_env(monitor=-1)


def test_closing_closes_the_backends_and_is_idempotent():
    env = make_env()
    env.close()
    env.close()
    assert env.capture.closed and env.input.closed
    with pytest.raises(EnvError, match="closed"):
        env.execute(Click(point=(1, 1)))


def test_check_env_on_fakes():
    actions = [
        Click(point=(10, 10)), DoubleClick(point=(10, 10)), RightClick(point=(10, 10)), MoveTo(point=(5, 5)),
        Drag(start=(1, 1), end=(20, 20)), Scroll(direction="up"), Type(text="ok"), Hotkey(keys=["esc"]),
        Wait(seconds=0.01), Terminate(status="success"),
    ]  # fmt: skip
    check_env(make_env, actions)


def test_a_call_user_that_reaches_the_desktop_goes_back_to_the_model():
    env = make_env()
    with pytest.raises(ActionRejected, match="no person is standing by"):
        env.execute(CallUser(reason="solve the CAPTCHA"))
    assert env.input.calls == []
