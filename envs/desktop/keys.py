"""Key names the model may use, resolved to X keysyms. Pure data, no I/O, no Xlib.

pyautogui ignores key names it does not know (``slash``, ``Page_Down``, ``super``) and maps some to
nothing on X11, without an error; here every name is resolved or rejected with a message for the model.

Accepted: pyautogui's names (``ctrl``, ``enter``, ``pagedown``, ``f5``, ``win`` ...), common aliases and
X keysym names (``Control_L``, ``Return``, ``Page_Down``, ``slash``), and any single character. Names are
matched case-insensitively, ignoring ``_``, ``-`` and spaces; a single letter means its key (``"A"`` is the
``a`` key: hold ``shift`` to get a capital). Whether a keysym is actually on the keyboard map is checked
later, against the X server (``keyboard.XKeyboard``).
"""

from __future__ import annotations

from ..base import ActionRejected

# X keysym values (X11/keysymdef.h); checked against python-xlib's tables in the tests.
_F1 = 0xFFBE
KEYSYMS: dict[str, int] = {
    "enter": 0xFF0D, "tab": 0xFF09, "space": 0x20, "backspace": 0xFF08, "delete": 0xFFFF, "esc": 0xFF1B,
    "insert": 0xFF63, "home": 0xFF50, "end": 0xFF57, "pageup": 0xFF55, "pagedown": 0xFF56,
    "left": 0xFF51, "up": 0xFF52, "right": 0xFF53, "down": 0xFF54,
    "shift": 0xFFE1, "shiftleft": 0xFFE1, "shiftright": 0xFFE2,
    "ctrl": 0xFFE3, "ctrlleft": 0xFFE3, "ctrlright": 0xFFE4,
    "alt": 0xFFE9, "altleft": 0xFFE9, "altright": 0xFFEA,
    "win": 0xFFEB, "winleft": 0xFFEB, "winright": 0xFFEC,
    "capslock": 0xFFE5, "numlock": 0xFF7F, "scrolllock": 0xFF14, "pause": 0xFF13,
    "printscreen": 0xFF61, "apps": 0xFF67, "help": 0xFF6A, "select": 0xFF60, "execute": 0xFF62,
    "multiply": 0xFFAA, "add": 0xFFAB, "separator": 0xFFAC, "subtract": 0xFFAD, "decimal": 0xFFAE,
    "divide": 0xFFAF, "numenter": 0xFF8D,
    "volumemute": 0x1008FF12, "volumedown": 0x1008FF11, "volumeup": 0x1008FF13,
    "playpause": 0x1008FF14, "stop": 0x1008FF15, "prevtrack": 0x1008FF16, "nexttrack": 0x1008FF17,
    **{f"f{i}": _F1 + i - 1 for i in range(1, 25)},
    **{f"num{i}": 0xFFB0 + i for i in range(10)},
}  # fmt: skip

# Other spellings (already normalized: lower case, no "_", "-" or spaces) -> a name in KEYSYMS.
ALIASES: dict[str, str] = {
    "return": "enter", "escape": "esc", "del": "delete", "ins": "insert", "bksp": "backspace",
    "spacebar": "space", "pgup": "pageup", "prior": "pageup", "pgdn": "pagedown", "next": "pagedown",
    "arrowleft": "left", "arrowup": "up", "arrowright": "right", "arrowdown": "down",
    "leftarrow": "left", "uparrow": "up", "rightarrow": "right", "downarrow": "down",
    "control": "ctrl", "ctl": "ctrl", "controll": "ctrlleft", "controlr": "ctrlright",
    "lctrl": "ctrlleft", "rctrl": "ctrlright", "leftctrl": "ctrlleft", "rightctrl": "ctrlright",
    "shiftl": "shiftleft", "shiftr": "shiftright", "lshift": "shiftleft", "rshift": "shiftright",
    "altl": "altleft", "altr": "altright", "altgr": "altright", "option": "alt", "menu": "apps",
    "super": "win", "superl": "winleft", "superr": "winright", "meta": "win", "windows": "win",
    "start": "win", "contextmenu": "apps", "print": "printscreen", "prtsc": "printscreen",
    "prtscr": "printscreen", "prntscrn": "printscreen", "capital": "capslock", "kpenter": "numenter",
    "mute": "volumemute",
}  # fmt: skip

# X keysym names of characters (and a few common words) -> the character.
CHAR_NAMES: dict[str, str] = {
    "slash": "/", "backslash": "\\", "comma": ",", "period": ".", "dot": ".", "minus": "-", "dash": "-",
    "hyphen": "-", "plus": "+", "equal": "=", "equals": "=", "semicolon": ";", "colon": ":",
    "apostrophe": "'", "quote": "'", "quotedbl": '"', "doublequote": '"', "grave": "`", "backtick": "`",
    "asciitilde": "~", "tilde": "~", "exclam": "!", "exclamation": "!", "at": "@", "numbersign": "#",
    "hash": "#", "dollar": "$", "percent": "%", "asciicircum": "^", "caret": "^", "ampersand": "&",
    "asterisk": "*", "star": "*", "parenleft": "(", "parenright": ")", "bracketleft": "[",
    "bracketright": "]", "braceleft": "{", "braceright": "}", "less": "<", "greater": ">", "bar": "|",
    "pipe": "|", "underscore": "_", "question": "?", "questionmark": "?",
}  # fmt: skip

_NO_SUCH_KEY = {
    "cmd": "There is no command key on this Linux desktop; use ctrl (e.g. ctrl+c to copy).",
    "command": "There is no command key on this Linux desktop; use ctrl (e.g. ctrl+c to copy).",
    "fn": "The fn key cannot be pressed by software; press the key it modifies instead (e.g. f5, volumeup).",
}

KEY_HELP = (
    "Use key names such as ctrl, alt, shift, win, enter, esc, tab, space, backspace, delete, up, down, "
    "left, right, home, end, pageup, pagedown, f1-f24, or a single character such as a, 5 or /."
)


def normalize(name: str) -> str:
    """The lookup form of a key name: lower case without ``_``, ``-`` or spaces."""
    return name.strip().lower().replace("_", "").replace("-", "").replace(" ", "")


def char_keysym(char: str) -> int:
    """The X keysym of one character: its code point for Latin-1, ``0x1000000 + code point`` beyond."""
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x1000000 + code


def resolve_key(name: str) -> int:
    """The X keysym for the key name ``name``; ``ActionRejected`` (for the model) if there is none."""
    if not isinstance(name, str) or not name:
        raise ActionRejected(f"Empty key name. {KEY_HELP}")
    if len(name) == 1:
        if not name.isprintable():
            raise ActionRejected(f"The character {name!r} is not a key. {KEY_HELP}")
        return char_keysym(name.lower())
    key = normalize(name)
    key = ALIASES.get(key, key)
    if key in KEYSYMS:
        return KEYSYMS[key]
    if key in CHAR_NAMES:
        return char_keysym(CHAR_NAMES[key])
    if key in _NO_SUCH_KEY:
        raise ActionRejected(_NO_SUCH_KEY[key])
    raise ActionRejected(f"Unknown key {name!r}. {KEY_HELP} To type text, use Type instead.")


def resolve_keys(names: list[str] | tuple[str, ...]) -> list[int]:
    """Resolve a key combination, rejecting it as a whole if any name is unknown."""
    return [resolve_key(n) for n in names]
