"""Mouse and keyboard on an X display: pyautogui for the mouse, XTEST for keys, a chain for text.

``DesktopInput`` is the boundary ``DesktopEnv`` drives, in pointer units; ``X11Input`` implements it.

pyautogui binds to the display it found at import; each call here points its X11 backend at this env's
own connection for the duration of the call, so several envs on different displays work in one process.
Its global ``PAUSE`` (0.1 s after every call) is bypassed (``_pause=False``): the env's ``pause`` applies
instead. Its ``FAILSAFE`` check is suspended during our calls, because the env runs its own fail-safe
(only the user's moves into a corner count; the agent's own clicks there do not).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, Protocol, TypeVar

from ..base import DeviceLost
from .clipboard import ClipboardServer
from .errors import TypingUnavailable
from .keyboard import XKeyboard
from .textinput import DEFAULT_TYPING, TextTyper, TypingMethod
from .xsession import XSession, is_alive, load_pyautogui, window_title

log = logging.getLogger(__name__)

Button = Literal["left", "right", "middle"]
Direction = Literal["up", "down", "left", "right"]
T = TypeVar("T")


class DesktopInput(Protocol):
    """Pointer and keyboard, in pointer units (X root-window pixels)."""

    def pointer(self) -> tuple[int, int]: ...

    def move(self, point: tuple[int, int]) -> None: ...

    def click(self, point: tuple[int, int], button: Button = "left", count: int = 1) -> None: ...

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None: ...

    def scroll(self, point: tuple[int, int] | None, direction: Direction, amount: int) -> None: ...

    def press(self, keysyms: Sequence[int], names: Sequence[str]) -> None:
        """Press a key combination; ``ActionRejected`` if a key is not on the keyboard."""
        ...

    def type_text(self, text: str) -> str:
        """Type ``text`` exactly; return the method used."""
        ...

    def window_title(self) -> str | None: ...

    def close(self) -> None: ...


def _lost_on_disconnect(method: Callable[..., T]) -> Callable[..., T]:
    """Turn python-xlib's errors on a dead connection into ``DeviceLost``."""

    @functools.wraps(method)
    def wrapper(self: X11Input, *args: Any, **kwargs: Any) -> T:
        if self.session.lost:
            raise DeviceLost(f"the X server {self.session.name} went away")
        try:
            return method(self, *args, **kwargs)
        except (DeviceLost, TypingUnavailable):
            if not is_alive(self.session):  # typing fell through every method because the server died
                raise DeviceLost(f"the X server {self.session.name} went away") from None
            raise
        except Exception as e:
            if type(e).__name__ in ("ConnectionClosedError", "BrokenPipeError"):
                self.session.lost = True
            if not is_alive(self.session):
                raise DeviceLost(f"the X server {self.session.name} went away ({type(e).__name__}: {e})") from e
            raise

    return wrapper


class X11Input:
    """``DesktopInput`` on the X display of ``session``.

    ``pause``: seconds to wait after each input action. ``drag_duration``: seconds the pointer takes from
    a drag's start to its end (applications need motion events in between). ``typing``, ``paste_keys``,
    ``paste_timeout``: see ``textinput.TextTyper``.
    """

    def __init__(
        self,
        session: XSession,
        *,
        pause: float = 0.0,
        drag_duration: float = 0.25,
        typing: Sequence[TypingMethod] = DEFAULT_TYPING,
        paste_keys: Sequence[str] = ("ctrl", "v"),
        paste_timeout: float = 2.0,
    ) -> None:
        if pause < 0 or drag_duration < 0:
            raise ValueError("pause and drag_duration must not be negative")
        self.session = session
        self._pg = load_pyautogui(session)
        self._pause, self._drag_duration = pause, drag_duration
        self._keyboard = XKeyboard(session.display)
        self._clipboard: ClipboardServer | None = None
        self._typer = TextTyper(
            self._keyboard, self._get_clipboard, session.name, methods=typing, paste_keys=paste_keys,
            paste_timeout=paste_timeout, xauthority=session.xauthority,
        )  # fmt: skip

    @contextlib.contextmanager
    def _bound(self) -> Iterator[Any]:
        """pyautogui, driving this env's display, with its own fail-safe suspended (the env runs one)."""
        pg, backend = self._pg, self._pg._pyautogui_x11  # private, but the only handle on its X connection
        saved = backend._display, pg.FAILSAFE
        backend._display, pg.FAILSAFE = self.session.display, False
        try:
            yield pg
        finally:
            backend._display, pg.FAILSAFE = saved
        if self._pause:
            time.sleep(self._pause)

    @_lost_on_disconnect
    def pointer(self) -> tuple[int, int]:
        data = self.session.display.screen().root.query_pointer()
        return int(data.root_x), int(data.root_y)

    @_lost_on_disconnect
    def move(self, point: tuple[int, int]) -> None:
        with self._bound() as pg:
            pg.moveTo(*point, _pause=False)

    @_lost_on_disconnect
    def click(self, point: tuple[int, int], button: Button = "left", count: int = 1) -> None:
        with self._bound() as pg:
            pg.click(*point, clicks=count, interval=0.05, button=button, _pause=False)

    @_lost_on_disconnect
    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        with self._bound() as pg:
            pg.moveTo(*start, _pause=False)
            pg.mouseDown(*start, button="left", _pause=False)
            try:
                pg.moveTo(*end, duration=self._drag_duration, _pause=False)
            finally:
                pg.mouseUp(*end, button="left", _pause=False)

    @_lost_on_disconnect
    def scroll(self, point: tuple[int, int] | None, direction: Direction, amount: int) -> None:
        x, y = point if point is not None else (None, None)
        with self._bound() as pg:  # None: where the pointer is
            if direction in ("up", "down"):  # pyautogui: positive is up
                pg.scroll(amount if direction == "up" else -amount, x, y, _pause=False)
            else:  # positive is right
                pg.hscroll(amount if direction == "right" else -amount, x, y, _pause=False)

    @_lost_on_disconnect
    def press(self, keysyms: Sequence[int], names: Sequence[str]) -> None:
        self._keyboard.press(keysyms, names)
        if self._pause:
            time.sleep(self._pause)

    @_lost_on_disconnect
    def type_text(self, text: str) -> str:
        method = self._typer.type(text)
        if self._pause:
            time.sleep(self._pause)
        return method

    def window_title(self) -> str | None:
        return window_title(self.session)

    def _get_clipboard(self) -> ClipboardServer:
        if self._clipboard is None:
            self._clipboard = ClipboardServer(self.session.name, self.session.xauthority)
        return self._clipboard

    def close(self) -> None:
        """Stop the clipboard server (handing a restored user text to xclip). The session is the env's."""
        if self._clipboard is not None:
            self._clipboard.close(handover=True)
            self._clipboard = None
