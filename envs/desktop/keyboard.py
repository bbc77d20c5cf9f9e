"""Key presses through the XTEST extension, resolved against the X server's own keyboard map.

pyautogui's X11 keyboard looks up one keycode per keysym and decides on Shift from the character, so on
a pc105 map ``write('<')`` presses Shift plus the ``less`` key and types ``>``; it drops characters it has
no table entry for. Here each keysym is looked up in the server's map with its shift level: level 0 is the
plain key, level 1 the key with Shift. A keysym that is on neither level of any key cannot be pressed
(``untypeable`` lists those characters, ``press`` rejects those keys); nor is text typed key by key while
Caps Lock or a second keyboard layout would change what the keys type.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ..base import ActionRejected, EnvError
from .keys import KEYSYMS, char_keysym

log = logging.getLogger(__name__)

_SHIFT = KEYSYMS["shift"]
_RETURN = KEYSYMS["enter"]
_TAB = KEYSYMS["tab"]


class XKeyboard:
    """Presses keys on ``display`` (an ``Xlib.display.Display``) with XTEST fake input."""

    def __init__(self, display: Any) -> None:
        from Xlib import X
        from Xlib.ext.xtest import fake_input

        self._display = display
        self._fake_input = fake_input
        self._press, self._release = X.KeyPress, X.KeyRelease
        self._lock_mask = X.LockMask
        self._shift = self._lookup(_SHIFT)
        if self._shift is None:  # the X server's fault, not the model's: the run stops
            raise EnvError("The X server's keyboard map has no Shift key; set a layout (e.g. `setxkbmap us`).")

    def _lookup(self, keysym: int) -> tuple[int, bool] | None:
        """(keycode, needs Shift) for ``keysym`` on the plain or shifted level of a key, or None."""
        best = None
        for keycode, index in self._display.keysym_to_keycodes(keysym):
            if index in (0, 1) and (best is None or index < best[1]):
                best = (keycode, index)
        return None if best is None else (best[0], best[1] == 1)

    def char_keysym(self, char: str) -> int:
        """The keysym that types ``char`` (newline is Return, tab is Tab)."""
        return {"\n": _RETURN, "\t": _TAB}.get(char) or char_keysym(char)

    def untypeable(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that key presses would not type exactly now: those on no
        key (plain or with Shift) of the map, letters while Caps Lock is on, everything while a second
        keyboard layout (XKB group) is active (the map's first group is what is looked up)."""
        chars = list(dict.fromkeys(text.replace("\r\n", "\n")))
        state = self._display.screen().root.query_pointer().mask
        if (state >> 13) & 3:  # the XKB group: the keys now type another layout's characters
            return chars
        caps = bool(state & self._lock_mask)
        missing: list[str] = []
        for char in chars:
            printable = char in "\n\t" or char.isprintable()
            flipped = caps and char.lower() != char.upper()
            if not printable or flipped or self._lookup(self.char_keysym(char)) is None:
                missing.append(char)
        return missing

    def press(self, keysyms: Sequence[int], names: Sequence[str] | None = None) -> None:
        """Press ``keysyms`` together (in order), then release them in reverse order.

        A keysym on a key's Shift level is pressed with Shift (``+`` is Shift and ``=`` on a US map).
        ``ActionRejected`` if a key is not on this keyboard map; nothing is pressed then.
        """
        codes: list[tuple[int, bool]] = []
        for i, keysym in enumerate(keysyms):
            found = self._lookup(keysym)
            if found is None:
                label = names[i] if names else hex(keysym)
                raise ActionRejected(f"The key {label!r} does not exist on this keyboard.")
            codes.append(found)
        pressed: list[int] = []
        if any(shift for _, shift in codes):
            pressed.append(self._shift[0])
        pressed.extend(code for code, _ in codes if code not in pressed)
        for code in pressed:
            self._fake_input(self._display, self._press, code)
        for code in reversed(pressed):
            self._fake_input(self._display, self._release, code)
        self._display.sync()

    def type_text(self, text: str) -> None:
        """Type ``text`` key by key; every character must be on the map (see ``untypeable``)."""
        missing = self.untypeable(text)
        if missing:
            raise ValueError(f"not on the keyboard map: {missing!r}")
        for char in text.replace("\r\n", "\n"):
            keycode, shift = self._lookup(self.char_keysym(char)) or (0, False)
            if shift:
                self._fake_input(self._display, self._press, self._shift[0])
            self._fake_input(self._display, self._press, keycode)
            self._fake_input(self._display, self._release, keycode)
            if shift:
                self._fake_input(self._display, self._release, self._shift[0])
        self._display.sync()
