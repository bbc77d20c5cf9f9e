"""Typing text on the device: ``input text`` for what it can type, ADBKeyBoard for the rest.

``TextEntry.type(text)`` picks the route from ``mode``:

- ``input``: stock ``input text`` only; non-ASCII text is rejected (``ActionRejected`` naming the fix).
- ``adbkeyboard``: always through ADBKeyBoard (must be installed).
- ``auto`` (default): ``input text`` when the text is plain ASCII, ADBKeyBoard when it is not and the IME
  is installed, else the same rejection as ``input``.

The ADBKeyBoard route switches the IME, broadcasts base64 UTF-8, and always restores the previous IME.
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from ..base import ActionRejected, EnvError
from .device import AndroidDevice
from .keyboard import (
    ADB_KEYBOARD_HINT,
    ADB_KEYBOARD_IME,
    InputText,
    KeyPress,
    NeedsAdbKeyboard,
    adbkeyboard_messages,
    plan_input_text,
    untypable,
)

log = logging.getLogger(__name__)

KeyboardMode = Literal["auto", "input", "adbkeyboard"]


class TextEntry:
    """Types text on one device. ``ime_delay_s``: pause after switching IMEs so the field rebinds."""

    def __init__(
        self, device: AndroidDevice, mode: KeyboardMode = "auto", *, chunk: int = 64, ime_delay_s: float = 0.3
    ) -> None:
        if mode not in ("auto", "input", "adbkeyboard"):
            raise ValueError(f"unknown keyboard mode {mode!r}; use auto, input or adbkeyboard")
        self.device, self.mode, self.chunk, self.ime_delay_s = device, mode, chunk, ime_delay_s
        self._has_adbkeyboard: bool | None = None

    def type(self, text: str) -> str:
        """Type ``text`` literally; returns the route used (``input`` or ``adbkeyboard``)."""
        if self.mode == "adbkeyboard" or (self.mode == "auto" and untypable(text) and self.has_adbkeyboard()):
            if not self.has_adbkeyboard():
                raise EnvError(
                    f"keyboard mode is adbkeyboard but {ADB_KEYBOARD_IME} is not installed; {ADB_KEYBOARD_HINT}"
                )
            self._type_adbkeyboard(text)
            return "adbkeyboard"
        try:
            steps = plan_input_text(text, self.chunk)
        except NeedsAdbKeyboard as e:
            raise ActionRejected(
                f"This text cannot be typed on this device: {e}. Type only ASCII characters instead."
            ) from e
        for step in steps:
            match step:
                case InputText(arg=arg):
                    self.device.input_text(arg)
                case KeyPress(code=code):
                    self.device.keyevent(code)
        return "input"

    def has_adbkeyboard(self) -> bool:
        if self._has_adbkeyboard is None:
            self._has_adbkeyboard = ADB_KEYBOARD_IME in self.device.ime_list(all_installed=True)
        return self._has_adbkeyboard

    def _type_adbkeyboard(self, text: str) -> None:
        previous = self.device.setting("secure", "default_input_method")
        switched = previous != ADB_KEYBOARD_IME
        if switched:
            self.device.set_ime(ADB_KEYBOARD_IME)
            time.sleep(self.ime_delay_s)
        try:
            for message in adbkeyboard_messages(text):
                self.device.broadcast("ADB_INPUT_B64", ("--es", "msg", message))
        finally:
            if switched:
                self._restore_ime(previous)

    def _restore_ime(self, previous: str | None) -> None:
        """Select ``previous`` again (``ime reset``, the system default, when none was recorded)."""
        argv = ("ime", "set", previous) if previous else ("ime", "reset")
        try:
            self.device.run(*argv, idempotent=True)
        except EnvError as e:  # keep the original error, if any; the IME stays switched
            log.warning("could not restore the input method %s on %s: %s", previous, self.device.serial, e)
