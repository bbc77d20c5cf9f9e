"""The connection to an X server: finding the display, authorization, and importing pyautogui safely.

Traps handled here (see docs/DESKTOP.md):

- ``import pyautogui`` connects to ``$DISPLAY`` once, at import: a bare ``KeyError`` when DISPLAY is unset,
  ``SystemExit`` (not an Exception) when tkinter is missing. It is imported lazily, with DISPLAY pointing
  at our display for the duration of the import, and every failure becomes a clear ``EnvError``.
- pip installs python3-Xlib 0.15 (pyautogui's dependency) and python-xlib 0.33 into the same ``Xlib/``
  folder; whichever was installed last wins. 0.15 raises ``XauthError`` when the authority file is missing
  even if the server needs no cookie, so under 0.15 a missing authority file is replaced by ``/dev/null``
  while connecting (no cookies: the same meaning, but readable).
- python-xlib raises ``ConnectionClosedError`` once the server is gone; mss raises ``AssertionError``.
  ``is_alive`` tells a dead server (``DeviceLost``) from a failed capture.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import DesktopUnavailable, DisplayUnavailable, XAuthorityError

log = logging.getLogger(__name__)

_FIX_NO_DISPLAY = (
    "Run inside a desktop session, pass the display (e.g. display=':0'), or start a virtual one: "
    "`Xvfb :99 -screen 0 1280x800x24 & export DISPLAY=:99`."
)


@dataclass
class XSession:
    """One X connection: its display name, the authority file used (None: none found), the Display, and
    the authority file the user meant (for error messages)."""

    name: str
    xauthority: str | None
    display: Any  # Xlib.display.Display
    intended_authority: str = ""
    lost: bool = False  # the server went away: python3-Xlib 0.15 spins forever on a dead connection's next call

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection to a dead server may fail: nothing to do
            self.display.close()


def display_name(display: str | None) -> str:
    """``display``, or ``$DISPLAY``; ``DisplayUnavailable`` when neither is set."""
    name = display if display is not None else os.environ.get("DISPLAY", "")
    if not name:
        raise DisplayUnavailable(f"No X display: DISPLAY is not set and no display was given. {_FIX_NO_DISPLAY}")
    return name


def authority_file(xauthority: str | None) -> str | None:
    """The X authority file a client would use: ``xauthority``, ``$XAUTHORITY`` or ``~/.Xauthority``.

    An explicitly given file must exist (``XAuthorityError`` otherwise); the implicit ones may be missing
    (servers started without ``-auth`` need no cookie), which gives None.
    """
    if xauthority is not None:
        if not os.path.isfile(xauthority):
            raise XAuthorityError(
                f"The X authority file {xauthority} does not exist. Pass the cookie file of the session that "
                "owns the display (e.g. /run/user/$UID/gdm/Xauthority), or leave it unset."
            )
        return xauthority
    path = os.environ.get("XAUTHORITY") or os.path.expanduser("~/.Xauthority")
    return path if os.path.isfile(path) else None


@contextlib.contextmanager
def x_environment(name: str, xauthority: str | None) -> Iterator[None]:
    """Point DISPLAY (and XAUTHORITY, when a cookie file was found) at ``name`` while connecting, then
    restore both. Without a cookie file, python3-Xlib 0.15 (which crashes on a missing file) gets a file
    with one entry for no display: no cookie, as before, and no warning printed (both versions print one
    to stdout for an empty file). 0.33 handles a missing file itself."""
    saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
    os.environ["DISPLAY"] = name
    if xauthority:
        os.environ["XAUTHORITY"] = xauthority
    elif _old_xlib():
        os.environ["XAUTHORITY"] = _no_cookie_file()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@functools.cache
def _no_cookie_file() -> str:
    """An X authority file whose only entry matches no display (written once per process)."""
    fd, path = tempfile.mkstemp(prefix="qwen2vl-agent-", suffix=".xauth")
    entry = [(256, b"qwen2vl-agent-none"), (0, b"65535"), (0, b"MIT-MAGIC-COOKIE-1"), (0, bytes(16))]
    with os.fdopen(fd, "wb") as f:  # family, then (length, bytes) fields: address, display, name, data
        f.write(struct.pack(">H", entry[0][0]))
        for _, field in entry:
            f.write(struct.pack(">H", len(field)) + field)
    atexit.register(_remove, path)
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _old_xlib() -> bool:
    """Whether the installed ``Xlib`` is python3-Xlib 0.15 (or older), which needs a readable cookie file."""
    try:
        import Xlib
    except ImportError:
        return False
    return tuple(getattr(Xlib, "__version__", (0, 0)))[:2] < (0, 33)


def connect(display: str | None = None, xauthority: str | None = None) -> XSession:
    """Open an Xlib connection to ``display`` (default ``$DISPLAY``), with errors that name the fix."""
    name = display_name(display)
    auth = authority_file(xauthority)
    intended = intended_authority(xauthority)
    try:
        import Xlib.display
        import Xlib.error
    except ImportError as e:
        raise DesktopUnavailable(f"python-xlib is not installed ({e}): pip install 'python-xlib>=0.33'") from e
    log.debug("python-xlib %s connecting to %s (authority file: %s)", Xlib.__version__, name, auth)
    if _old_xlib():
        log.warning(
            "python3-Xlib %s is installed over python-xlib 0.33 (they share the Xlib/ folder); it can hang when "
            "the X server dies. Fix: pip install --force-reinstall --no-deps 'python-xlib>=0.33'",
            ".".join(map(str, Xlib.__version__)),
        )
    with x_environment(name, auth):
        try:
            conn = Xlib.display.Display(name)
        except Xlib.error.DisplayNameError as e:
            raise DisplayUnavailable(f"Bad X display name {name!r} (expected e.g. ':0' or ':99').") from e
        except Exception as e:  # DisplayError, XauthError, OSError; OverflowError from its TCP fallback
            raise connection_error(name, intended, e) from e
    return XSession(name=name, xauthority=auth, display=conn, intended_authority=intended)


def intended_authority(xauthority: str | None) -> str:
    """The authority file the user meant: ``xauthority``, ``$XAUTHORITY`` or ``~/.Xauthority`` (may not exist)."""
    return xauthority or os.environ.get("XAUTHORITY") or os.path.expanduser("~/.Xauthority")


def connection_error(name: str, intended: str, error: BaseException) -> Exception:
    """The clear error for a refused or failed connection to ``name``; ``intended``: see ``intended_authority``."""
    reason = str(error).strip() or type(error).__name__
    if "authoriz" in reason.lower() or type(error).__name__ == "XauthError":
        problem = (
            f"the X authority file {intended} does not exist"
            if not os.path.isfile(intended)
            else f"the cookies in {intended} were not accepted"
        )
        return XAuthorityError(
            f"The X server {name} refused the connection ({reason}): {problem}. Point XAUTHORITY (or "
            "xauthority=) at the cookie file of the session that owns the display, e.g. "
            "/run/user/$UID/gdm/Xauthority, or let local clients in with `xhost +SI:localuser:$USER`."
        )
    return DisplayUnavailable(
        f"Cannot connect to the X display {name} ({reason}). Is the X server running? {_FIX_NO_DISPLAY}"
    )


def load_pyautogui(session: XSession) -> Any:
    """Import pyautogui, connected (at import) to ``session``'s display; clear errors instead of its traps."""
    import sys

    if "pyautogui" in sys.modules:
        return sys.modules["pyautogui"]
    with x_environment(session.name, session.xauthority):
        try:
            import pyautogui
        except SystemExit as e:  # mouseinfo exits the interpreter when tkinter is missing
            raise DesktopUnavailable(
                f"pyautogui needs tkinter ({e}): apt-get install python3-tk (or a Python built with Tk)"
            ) from None
        except ImportError as e:
            raise DesktopUnavailable(f"pyautogui is not installed ({e}): pip install pyautogui") from e
        except Exception as e:  # its import-time X connection failed (Xlib errors, KeyError for DISPLAY)
            raise connection_error(session.name, session.intended_authority, e) from e
    return pyautogui


def is_alive(session: XSession) -> bool:
    """Whether the X server still answers on ``session``'s connection (once not, never again)."""
    if session.lost:
        return False
    try:
        session.display.get_input_focus()
    except Exception:
        session.lost = True
        return False
    return True


def window_title(session: XSession) -> str | None:
    """The active window's title (``_NET_ACTIVE_WINDOW``, or without a window manager the focused window or
    the one under the pointer); None when there is none. A few round trips, no errors raised."""
    if session.lost:
        return None
    try:
        return _title(session.display)
    except Exception as e:  # a window may vanish between the calls; the title is only informative
        log.debug("no window title: %s", e)
        return None


def _title(display: Any) -> str | None:
    from Xlib import X

    root = display.screen().root
    window = None
    active = display.intern_atom("_NET_ACTIVE_WINDOW", True)
    if active:
        prop = root.get_full_property(active, X.AnyPropertyType)
        if prop is not None and len(prop.value) and prop.value[0]:
            window = display.create_resource_object("window", int(prop.value[0]))
    if window is None:
        focus = display.get_input_focus().focus
        window = focus if not isinstance(focus, int) and focus != root else root.query_pointer().child
    for _ in range(8):  # walk up from the focused widget to the titled top-level window
        if not window or isinstance(window, int) or window == root:
            return None
        name = _window_name(display, window)
        if name:
            return name
        window = window.query_tree().parent
    return None


def _window_name(display: Any, window: Any) -> str | None:
    from Xlib import X

    net_name = display.intern_atom("_NET_WM_NAME", True)
    if net_name:
        prop = window.get_full_property(net_name, X.AnyPropertyType)
        if prop is not None and prop.value:
            value = prop.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    name = window.get_wm_name()
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return name or None
