"""``DesktopEnv``: a Linux desktop (X11) as an ``Env``: mss screenshots, pyautogui mouse, exact typing.

The screenshot is one monitor (``monitor=1``, the default, mss numbering) or the whole virtual screen
(``monitor=0``). Actions come in that screenshot's pixels; ``geometry.ScreenMap`` turns them into pointer
coordinates (monitor offset, HiDPI scale), rejecting points outside the screenshot or on no monitor.

Errors: model mistakes (an unknown key, a point off every monitor, a mobile-only action, a paste no text
field took) are ``ActionRejected``; infrastructure faults are ``EnvError`` subclasses (``errors``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.tools import DESKTOP_ACTIONS, Action
from qwen2vl_agent.tools import actions as A

from .. import base
from .capture import Capture
from .errors import FailSafeTriggered
from .geometry import Monitor, ScreenMap
from .keys import resolve_keys
from .textinput import DEFAULT_TYPING, TypingMethod
from .x11input import DesktopInput

log = logging.getLogger(__name__)

_DESKTOP_TOOLS = ", ".join(cls.tool_name() for cls in DESKTOP_ACTIONS)


class DesktopEnv(base.EnvBase):
    """The X11 desktop on ``display`` (default ``$DISPLAY``), seen through monitor ``monitor``.

    Options: ``xauthority`` (cookie file, default ``$XAUTHORITY`` or ``~/.Xauthority``); ``monitors``
    (override the monitor list, e.g. when the X server misreports it); ``pause`` (seconds after each
    input action; pyautogui's global 0.1 s PAUSE is not used); ``failsafe`` (stop with
    ``FailSafeTriggered`` when the user moved the pointer into a corner of a monitor or of the whole
    screen since the agent's last action: pyautogui's gesture, but never tripped by the agent's own moves);
    ``drag_duration``; ``typing`` (the method chain, default keys -> clipboard -> xdotool),
    ``paste_keys`` and ``paste_timeout`` (see ``textinput``).

    ``capture`` and ``input`` replace the mss and X11 backends (fakes in tests); with both given no X
    connection is opened.
    """

    action_space = DESKTOP_ACTIONS

    def __init__(
        self,
        display: str | None = None,
        monitor: int = 1,
        *,
        xauthority: str | None = None,
        monitors: Sequence[Monitor] | None = None,
        pause: float = 0.0,
        failsafe: bool = True,
        drag_duration: float = 0.25,
        typing: Sequence[TypingMethod] = DEFAULT_TYPING,
        paste_keys: Sequence[str] = ("ctrl", "v"),
        paste_timeout: float = 2.0,
        capture: Capture | None = None,
        input: DesktopInput | None = None,
    ) -> None:
        if monitor < 0:
            raise ValueError(f"monitor must be 0 (all monitors) or a monitor number from 1, got {monitor}")
        self.monitor = monitor
        self.failsafe = failsafe
        self._session: Any = None
        self._map: ScreenMap | None = None
        self._baseline: tuple[int, int] | None = None  # where we left the pointer (for the fail-safe)
        if capture is None or input is None:
            options = dict(pause=pause, drag_duration=drag_duration, typing=typing, paste_keys=paste_keys,
                           paste_timeout=paste_timeout)  # fmt: skip
            capture, input = self._open_x(display, xauthority, monitors, capture, input, options)
        self.capture: Capture = capture
        self.input: DesktopInput = input
        self.display = self._session.name if self._session is not None else display
        self._check_monitor()

    def _open_x(
        self,
        display: str | None,
        xauthority: str | None,
        monitors: Sequence[Monitor] | None,
        capture: Capture | None,
        input: DesktopInput | None,
        options: dict[str, Any],
    ) -> tuple[Capture, DesktopInput]:
        """Connect to the X server and build the backends that were not given."""
        from .capture import MssCapture
        from .x11input import X11Input
        from .xsession import connect

        self._session = session = connect(display, xauthority)
        made: Capture | None = None
        try:
            if capture is None:
                capture = made = MssCapture(session.name, session.xauthority, monitors)
            return capture, input or X11Input(session, **options)
        except BaseException:
            if made is not None:
                made.close()
            session.close()
            raise

    def _check_monitor(self) -> None:
        found = self.capture.monitors()
        if self.monitor >= len(found):
            self.close()
            listing = "; ".join(f"{i}: {_describe(m)}" for i, m in enumerate(found[1:], 1))
            raise base.EnvError(
                f"There is no monitor {self.monitor} on display {self.display}: it has {listing} "
                "(0 is all monitors together)."
            )

    # ---------------------------------------------------------------- Env

    @property
    def monitors(self) -> list[Monitor]:
        """Each monitor's geometry, in pointer units (mss numbering: this list's item 0 is monitor 1)."""
        return self.capture.monitors()[1:]

    def reset(self, *, seed: int | None = None, options: base.ResetOptions | None = None) -> base.Observation:
        """Note the pointer position for this episode; the first observation. A desktop cannot be seeded
        (``seed`` is ignored) and takes no options."""
        self._check_open()
        base.reset_options(options, {}, "desktop env")
        self._baseline = self.input.pointer()
        return self.observe()

    def observe(self) -> base.Observation:
        self._check_open()
        found = self.capture.monitors()
        region = found[self.monitor]
        image = self._grab(region)
        if image.mode != "RGB":
            image = image.convert("RGB")
        self._map = ScreenMap(region, image.size, tuple(found[1:]))
        extra: dict[str, Any] = {
            "display": self.display,
            "monitor": self.monitor,
            "region": region.as_dict(),
            "monitors": [m.as_dict() for m in found[1:]],
            "scale": self._map.scale,
        }
        title = self.input.window_title()
        return base.Observation(screenshot=image, screen_size=region.size, foreground=title, extra=extra)

    def _grab(self, region: Monitor) -> Any:
        try:
            return self.capture.grab(region)
        except base.CaptureFailed:
            if self._session is not None and not _alive(self._session):
                raise base.DeviceLost(f"the X server {self.display} went away") from None
            raise

    def execute(self, action: Action) -> base.Outcome:
        """Carry out ``action`` (points in the pixels of the last screenshot). See the module docstring."""
        self._check_open()
        self._check_failsafe()
        outcome = self._dispatch(action)
        if isinstance(action, (A.Click, A.DoubleClick, A.RightClick, A.MoveTo, A.Drag, A.Scroll)):
            self._baseline = self.input.pointer()
        return outcome

    def _dispatch(self, action: Action) -> base.Outcome:
        to_pointer = self._to_pointer
        match action:
            case A.Click(point=p):
                self.input.click(to_pointer(p), "left", 1)
            case A.DoubleClick(point=p):
                self.input.click(to_pointer(p), "left", 2)
            case A.RightClick(point=p):
                self.input.click(to_pointer(p), "right", 1)
            case A.MoveTo(point=p):
                self.input.move(to_pointer(p))
            case A.Drag(start=a, end=b):
                self.input.drag(to_pointer(a), to_pointer(b))
            case A.Scroll(direction=d, point=p, amount=n):
                self.input.scroll(None if p is None else to_pointer(p), d, n)
            case A.Hotkey(keys=keys):
                self.input.press(resolve_keys(keys), keys)
            case A.Type(text=text):
                return base.Outcome(extra={"typing": self.input.type_text(text)})
            case A.Wait(seconds=s):
                time.sleep(s)
            case A.Terminate():
                pass  # the agent ends the episode; nothing happens on the desktop
            case (
                A.Tap()
                | A.LongPress()
                | A.Swipe()
                | A.Back()
                | A.Home()
                | A.Enter()
                | A.AppSwitch()
                | A.OpenApp()
                | A.Answer()
            ):
                offered = f"Use one of: {_DESKTOP_TOOLS}."
                raise base.ActionRejected(f"{action.type} is not available on the desktop. {offered}")
            case A.CallUser():  # offered only by the hand-off wrapper, which answers it before the env
                raise base.ActionRejected(base.NO_HAND_OFF)
            case _:
                assert_never(action)
        return base.Outcome()

    def _to_pointer(self, pixel: tuple[int, int]) -> tuple[int, int]:
        if self._map is None:  # no screenshot yet: take one, so the scale is known
            self.observe()
        assert self._map is not None
        return self._map.to_pointer(pixel)

    def _check_failsafe(self) -> None:
        """pyautogui's gesture, minus its accidents: stop if the *user* moved the pointer into a corner."""
        if not self.failsafe:
            return
        where = self.input.pointer()
        if self._baseline is None:  # first action: where the pointer is now is nobody's gesture
            self._baseline = where
        corners = {c for m in self.capture.monitors() for c in m.corners()}  # each monitor's, and the whole's
        if where != self._baseline and where in corners:
            raise FailSafeTriggered(
                f"Fail-safe: the pointer was moved into the screen corner {where}, which stops the agent. "
                "Move it away to run again, or pass failsafe=False."
            )

    def _release(self) -> None:
        for part in (getattr(self, "input", None), getattr(self, "capture", None), self._session):
            if part is not None:
                try:
                    part.close()
                except Exception as e:  # keep closing the rest
                    log.debug("closing %s: %s", type(part).__name__, e)

    def _label(self) -> str:
        return "desktop env"


def _describe(m: Monitor) -> str:
    return f"{m.width}x{m.height} at ({m.left}, {m.top})" + (f" {m.name}" if m.name else "")


def _alive(session: Any) -> bool:
    from .xsession import is_alive

    return is_alive(session)
