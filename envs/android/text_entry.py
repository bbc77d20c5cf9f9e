"""Typing text on the device: ``input text`` for what it can type, ADBKeyBoard for the rest.

``TextEntry.type(text)`` picks the route from ``mode``:

- ``input``: stock ``input text`` only; non-ASCII text is rejected (``ActionRejected`` naming the fix).
- ``adbkeyboard``: always through ADBKeyBoard (must be installed).
- ``auto`` (default): ``input text`` when the text is plain ASCII, ADBKeyBoard when it is not and the IME
  is installed, else the same rejection as ``input``.

The ADBKeyBoard route switches the IME, broadcasts base64 UTF-8, and always restores the previous IME.

Text typed with no text field focused is silently dropped by Android (``input text`` sends key events to the
focused window; ADBKeyBoard commits to the focused editor), so with ``check`` on (the default) the UI tree
is read once before typing and once after (``fields.py``): no focused field is ``ActionRejected`` and
nothing is typed; otherwise the result says what the field shows afterwards. A UI tree that cannot be read
does not block typing; the result then says that nothing was checked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

from ..base import ActionRejected, DeviceLost, EnvError
from .device import AndroidDevice
from .fields import Field, UnreadableTree, focused_field, quoted, typing_report
from .keyboard import (
    ADB_KEYBOARD_HINT,
    ADB_KEYBOARD_IME,
    InputText,
    KeyPress,
    NeedsAdbKeyboard,
    TypingStep,
    adbkeyboard_messages,
    plan_input_text,
    untypable,
)

log = logging.getLogger(__name__)

KeyboardMode = Literal["auto", "input", "adbkeyboard"]
NOT_FOCUSED = "No text field is focused: tap the field first. Nothing was typed."


class TextEntry:
    """Types text on one device. ``ime_delay_s``: pause after switching IMEs so the field rebinds;
    ``check``: look for the focused field before typing and read it back after (two UI dumps)."""

    def __init__(
        self,
        device: AndroidDevice,
        mode: KeyboardMode = "auto",
        *,
        chunk: int = 64,
        ime_delay_s: float = 0.3,
        check: bool = True,
    ) -> None:
        if mode not in ("auto", "input", "adbkeyboard"):
            raise ValueError(f"unknown keyboard mode {mode!r}; use auto, input or adbkeyboard")
        self.device, self.mode, self.chunk, self.ime_delay_s = device, mode, chunk, ime_delay_s
        self.check = check
        self._has_adbkeyboard: bool | None = None

    def type(self, text: str) -> str:
        """Type ``text`` literally into the focused field; the result for the model (what the field shows).

        ``ActionRejected`` when the text cannot be typed here or no text field has focus (nothing is typed).
        """
        send = self._sender(text)  # refuses untypable text before anything is sent
        if not self.check:
            log.debug("typed through %s, unchecked", send())
            return f"Typed {quoted(text)} (the field was not checked: check_typing is off)."
        try:
            before = self._focused()
        except UnreadableTree as e:
            log.info("%s: typing without a focus check: %s", self.device.serial, e)
            send()
            return f"Typed {quoted(text)} without checking for a focused text field: {e}."
        if before is None:
            raise ActionRejected(NOT_FOCUSED)
        send()
        try:
            after = self._focused()
        except UnreadableTree as e:
            return f"Typed {quoted(text)}, but it could not be read back: {e}."
        return typing_report(text, before, after)

    def _focused(self) -> Field | None:
        """The focused text field (None when there is none); ``UnreadableTree`` when the tree cannot be read."""
        try:
            return focused_field(self.device.ui_dump())
        except DeviceLost:
            raise
        except EnvError as e:
            raise UnreadableTree(f"the UI tree could not be read ({str(e)[:160]})") from e

    def _sender(self, text: str) -> Callable[[], str]:
        """What types ``text`` by the route ``mode`` picks (returning the route's name), checked up front."""
        if self.mode == "adbkeyboard" or (self.mode == "auto" and untypable(text) and self.has_adbkeyboard()):
            if not self.has_adbkeyboard():
                raise EnvError(
                    f"keyboard mode is adbkeyboard but {ADB_KEYBOARD_IME} is not installed; {ADB_KEYBOARD_HINT}"
                )
            return lambda: self._type_adbkeyboard(text)
        try:
            steps = plan_input_text(text, self.chunk)
        except NeedsAdbKeyboard as e:
            raise ActionRejected(
                f"This text cannot be typed on this device: {e}. Type only ASCII characters instead."
            ) from e
        return lambda: self._type_input(steps)

    def _type_input(self, steps: list[TypingStep]) -> str:
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

    def _type_adbkeyboard(self, text: str) -> str:
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
        return "adbkeyboard"

    def _restore_ime(self, previous: str | None) -> None:
        """Select ``previous`` again (``ime reset``, the system default, when none was recorded)."""
        argv = ("ime", "set", previous) if previous else ("ime", "reset")
        try:
            self.device.run(*argv, idempotent=True)
        except EnvError as e:  # keep the original error, if any; the IME stays switched
            log.warning("could not restore the input method %s on %s: %s", previous, self.device.serial, e)
