"""The soft keyboard drawn while a text field has focus (Gboard's layout, or ADB Keyboard's status bar).

Keys are views with a content-desc (the character), so taps on drawn keys type, and agents that read the
UI dump can see the keyboard. Shift applies to the next letter; ``?123`` switches to digits and symbols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .defaults import ADB_KEYBOARD
from .ui import theme
from .ui.node import Node

if TYPE_CHECKING:
    from .ports import Phone

GBOARD_PKG = "com.google.android.inputmethod.latin"
LETTERS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOLS = ("1234567890", "@#$_&-+()/", "*\"':;!?")


def height(device: Phone) -> int:
    return device.dp(48) if device.current_ime() == ADB_KEYBOARD else device.dp(260)


def build(device: Phone, bottom: int) -> Node:
    w = device.display_size()[0]
    h = height(device)
    top = bottom - h
    if device.current_ime() == ADB_KEYBOARD:
        pkg = ADB_KEYBOARD.split("/")[0]
        bar = Node(bounds=(0, top, w, bottom), package=pkg, bg=(60, 64, 67))
        return bar.add(Node("android.widget.TextView", (0, top, w, bottom), "ADB Keyboard {ON}", package=pkg,
                            fg=theme.WHITE, size=device.dp(16), align="center"))  # fmt: skip
    kb = Node(bounds=(0, top, w, bottom), rid="keyboard_view", package=GBOARD_PKG, bg=theme.KEYBOARD_BG)
    state = device.wm
    rows = SYMBOLS if state.kb_symbols else LETTERS
    shift = state.kb_shift
    row_h = (h - device.dp(8)) // 4
    key_w = (w - device.dp(8)) // 10
    for r, chars in enumerate(rows):
        y = top + device.dp(4) + r * row_h
        x = (w - key_w * len(chars)) // 2
        for c in chars:
            label = c.upper() if shift else c
            kb.add(_key(device, (x, y, x + key_w, y + row_h), label, label, _typer(device, label)))
            x += key_w
    y = top + device.dp(4) + 2 * row_h
    wide = int(key_w * 1.5)
    kb.add(_key(device, (device.dp(4), y, device.dp(4) + wide, y + row_h), "⇧", "Shift", _shift(device)))
    kb.add(_key(device, (w - device.dp(4) - wide, y, w - device.dp(4), y + row_h), "⌫", "Delete", state.delete))
    _bottom_row(device, kb, top + device.dp(4) + 3 * row_h, row_h, key_w)
    return kb


def _bottom_row(device: Phone, kb: Node, y: int, row_h: int, key_w: int) -> None:
    w = device.display_size()[0]
    x = device.dp(4)
    wide = int(key_w * 1.5)
    symbols = device.wm.kb_symbols
    kb.add(_key(device, (x, y, x + wide, y + row_h), "ABC" if symbols else "?123", "Symbols", _symbols(device)))
    x += wide
    kb.add(_key(device, (x, y, x + key_w, y + row_h), ",", ",", _typer(device, ",")))
    x += key_w
    space_w = w - 2 * device.dp(4) - 2 * wide - 2 * key_w
    kb.add(_key(device, (x, y, x + space_w, y + row_h), " ", "Space", _typer(device, " ")))
    x += space_w
    kb.add(_key(device, (x, y, x + key_w, y + row_h), ".", ".", _typer(device, ".")))
    x += key_w
    kb.add(_key(device, (x, y, x + wide, y + row_h), "⏎", "Enter", device.wm.enter))


def _key(device: Phone, rect: tuple[int, int, int, int], label: str, desc: str, fn) -> Node:
    m = device.dp(3)
    inner = (rect[0] + m, rect[1] + m, rect[2] - m, rect[3] - m)
    return Node("android.view.View", inner, "", desc=desc, package=GBOARD_PKG, clickable=True, bg=theme.KEY_BG,
                radius=device.dp(6), fg=theme.TEXT, size=device.dp(20), icon=label, on_tap=fn)  # fmt: skip


def _typer(device: Phone, ch: str):
    def press() -> None:
        device.wm.type(ch)
        device.wm.kb_shift = False

    return press


def _shift(device: Phone):
    def press() -> None:
        device.wm.kb_shift = not device.wm.kb_shift

    return press


def _symbols(device: Phone):
    def press() -> None:
        device.wm.kb_symbols = not device.wm.kb_symbols

    return press
