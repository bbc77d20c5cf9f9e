"""Typing any Unicode text exactly: a chain of methods, tried in order.

``keys``       key by key on the server's keyboard map (``keyboard.XKeyboard``), Shift level included;
               applies only when every character is on the map (ASCII on a US map). Leaves the clipboard
               alone and works in terminals.
``clipboard``  put the text on the CLIPBOARD, press the paste keys (Ctrl+V), wait until the application
               fetched the text, then put the user's clipboard back. Any Unicode; confirmed delivery.
``xdotool``    ``xdotool type`` (if installed): any keysym, but known to drop characters under load.

A method that cannot apply (characters not on the map, xdotool not installed) is skipped; a paste that
no application fetched within the timeout falls through to the next method. When nothing is left:
``ActionRejected`` if a paste was tried and not taken (most likely no text field has the focus: the
model should click one), else ``TypingUnavailable`` naming what to install or enable.

Control characters other than tab, newline and carriage return (NUL, ESC, DEL, the C1 range) are
refused with ``ActionRejected`` before any method runs: no key types them, a paste would deliver
bytes the field may drop or act on, and a NUL cannot even be passed to xdotool as an argument.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, get_args

from ..base import ActionRejected, DeviceLost
from .clipboard import Offer
from .errors import TypingUnavailable
from .keys import resolve_keys

log = logging.getLogger(__name__)

TypingMethod = Literal["keys", "clipboard", "xdotool"]
TYPING_METHODS: tuple[TypingMethod, ...] = get_args(TypingMethod)
DEFAULT_TYPING: tuple[TypingMethod, ...] = ("keys", "clipboard", "xdotool")


class Keyboard(Protocol):
    """What typing needs of ``keyboard.XKeyboard``."""

    def untypeable(self, text: str) -> list[str]: ...

    def type_text(self, text: str) -> None: ...

    def press(self, keysyms: Sequence[int], names: Sequence[str] | None = None) -> None: ...


class Clipboard(Protocol):
    """What typing needs of ``clipboard.ClipboardServer``."""

    def read_text(self, timeout: float = 1.0) -> str | None: ...

    def offer(self, text: str) -> Offer: ...

    def release(self) -> None: ...


class TextTyper:
    """Types text on one display through a chain of ``methods``.

    ``keyboard``: an ``XKeyboard``. ``clipboard``: a callable returning the ``ClipboardServer`` (created
    on first use). ``paste_keys``: the paste combination; ``paste_timeout``: how long an application may
    take to fetch the pasted text.
    """

    def __init__(
        self,
        keyboard: Keyboard,
        clipboard: Callable[[], Clipboard],
        display: str,
        *,
        methods: Sequence[TypingMethod] = DEFAULT_TYPING,
        paste_keys: Sequence[str] = ("ctrl", "v"),
        paste_timeout: float = 2.0,
        xauthority: str | None = None,
    ) -> None:
        unknown = [m for m in methods if m not in TYPING_METHODS]
        if unknown or not methods:
            raise ValueError(f"typing methods must be some of {TYPING_METHODS}, got {tuple(methods)}")
        self._keyboard = keyboard
        self._clipboard = clipboard
        self._display, self._xauthority = display, xauthority
        self.methods = tuple(methods)
        self._paste_keys = tuple(paste_keys)
        self._paste_keysyms = resolve_keys(list(paste_keys))
        self._paste_timeout = paste_timeout

    def type(self, text: str) -> TypingMethod:
        """Deliver ``text``; return the method that did it. Errors: see the module docstring."""
        _refuse_control(text)
        reasons: list[str] = []
        pasted = False
        for method in self.methods:
            match method:
                case "keys":
                    missing = self._keyboard.untypeable(text)
                    if not missing:
                        self._keyboard.type_text(text)
                        return method
                    reasons.append(f"keys: {''.join(missing)!r} not typeable on the keyboard map and state")
                case "clipboard":
                    result = self._paste(text, reasons)
                    if result == "taken":
                        return method
                    pasted = pasted or result == "ignored"
                case "xdotool":
                    if self._xdotool(text, reasons):
                        return method
        if pasted:
            raise ActionRejected(
                "The text was not typed: no application took the pasted text. Click into a text field first, then type."
            )
        raise TypingUnavailable(f"Cannot type {_preview(text)}: " + "; ".join(reasons) + ".")

    def _paste(self, text: str, reasons: list[str]) -> Literal["taken", "ignored", "unavailable"]:
        try:
            clipboard = self._clipboard()
            previous = clipboard.read_text()
            offer = clipboard.offer(text)
        except DeviceLost:
            raise
        except Exception as e:
            reasons.append(f"clipboard: unavailable ({e})")
            return "unavailable"
        try:
            self._keyboard.press(self._paste_keysyms, self._paste_keys)
            taken = offer.taken.wait(self._paste_timeout)
        finally:
            _restore(clipboard, previous)
        if not taken:
            reasons.append(f"clipboard: nothing took the paste within {self._paste_timeout:g} s")
            log.info("the paste of %s was not taken", _preview(text))
        return "taken" if taken else "ignored"

    def _xdotool(self, text: str, reasons: list[str]) -> bool:
        exe = shutil.which("xdotool")
        if exe is None:
            reasons.append("xdotool: not installed (apt-get install xdotool)")
            return False
        env = {**os.environ, "DISPLAY": self._display, "XAUTHORITY": self._xauthority or os.devnull}
        try:  # argv, never a shell: the text is data
            subprocess.run([exe, "type", "--delay", "12", "--", text], env=env, check=True, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        except subprocess.CalledProcessError as e:
            reasons.append(f"xdotool: failed ({e.stderr.decode(errors='replace').strip() or e})")
            return False
        except (OSError, subprocess.TimeoutExpired) as e:
            reasons.append(f"xdotool: failed ({e})")
            return False
        return True


_TYPEABLE_CONTROLS = frozenset("\t\n\r")


def _refuse_control(text: str) -> None:
    """``ActionRejected`` naming the control characters in ``text`` that cannot be typed (see the module)."""
    bad = [c for c in dict.fromkeys(text) if unicodedata.category(c) == "Cc" and c not in _TYPEABLE_CONTROLS]
    if bad:
        named = ", ".join(repr(c) for c in bad)
        raise ActionRejected(
            f"The text was not typed: it contains control characters that cannot be typed ({named}). "
            "Type plain text only; press keys such as Escape or Enter with Hotkey."
        )


def _restore(clipboard: Clipboard, previous: str | None) -> None:
    """Put the user's clipboard text back (or leave the clipboard empty if it was)."""
    try:
        if previous is None:
            clipboard.release()
        else:
            clipboard.offer(previous)
    except Exception as e:
        log.warning("could not restore the clipboard: %s", e)


def _preview(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
