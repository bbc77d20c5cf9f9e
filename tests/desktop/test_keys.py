"""Key names: every accepted name resolves to a real X keysym, unknown names are the model's mistake."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import ActionRejected
from qwen2vl_agent.envs.desktop import resolve_key
from qwen2vl_agent.envs.desktop.keys import ALIASES, CHAR_NAMES, KEYSYMS, char_keysym

_X_NAMES = {
    "enter": "Return", "esc": "Escape", "pagedown": "Page_Down", "pageup": "Page_Up", "ctrl": "Control_L",
    "ctrlright": "Control_R", "alt": "Alt_L", "win": "Super_L", "backspace": "BackSpace", "delete": "Delete",
    "f1": "F1", "f12": "F12", "f24": "F24", "num0": "KP_0", "numenter": "KP_Enter", "apps": "Menu",
    "printscreen": "Print", "volumemute": "XF86AudioMute", "nexttrack": "XF86AudioNext", "space": "space",
}  # fmt: skip


@pytest.mark.parametrize(("name", "x_name"), sorted(_X_NAMES.items()))
def test_keysyms_match_xlib(name, x_name):
    xk = pytest.importorskip("Xlib.XK")
    if x_name.startswith("XF86"):
        pytest.importorskip("Xlib.keysymdef.xf86")
        xk.load_keysym_group("xf86")
        x_name = x_name.replace("XF86", "XF86_")
    assert KEYSYMS[name] == xk.string_to_keysym(x_name)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Return", "enter"), ("ENTER", "enter"), ("Page_Down", "pagedown"), ("page down", "pagedown"),
        ("pgdn", "pagedown"), ("Control_L", "ctrl"), ("control", "ctrl"), ("super", "win"), ("Super_L", "win"),
        ("Escape", "esc"), ("arrow-up", "up"), ("altgr", "altright"), ("F5", "f5"), ("Print", "printscreen"),
    ],
)  # fmt: skip
def test_aliases(spelling, canonical):
    assert resolve_key(spelling) == KEYSYMS[canonical]


@pytest.mark.parametrize(("name", "char"), [("slash", "/"), ("less", "<"), ("bar", "|"), ("asciitilde", "~")])
def test_character_names(name, char):
    assert resolve_key(name) == resolve_key(char) == ord(char)


def test_single_characters():
    assert resolve_key("a") == resolve_key("A") == ord("a")  # a letter names its key
    assert resolve_key("é") == 0xE9  # Latin-1: the code point
    assert char_keysym("中") == 0x1000000 + ord("中")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("page_dn", "Unknown key 'page_dn'"),
        ("hello world", "use Type instead"),
        ("cmd", "use ctrl"),
        ("fn", "cannot be pressed"),
        ("", "Empty key name"),
        ("\x07", "not a key"),
    ],
)
def test_unknown_keys_are_rejected_for_the_model(name, message):
    with pytest.raises(ActionRejected, match=message):
        resolve_key(name)


def test_tables_are_consistent():
    assert set(ALIASES.values()) <= set(KEYSYMS)
    assert not set(ALIASES) & set(KEYSYMS)
    assert all(len(c) == 1 for c in CHAR_NAMES.values())


def test_a_keyboard_map_without_shift_is_an_environment_fault():
    """Not the model's mistake: nothing it could do would help, so the run stops."""
    pytest.importorskip("Xlib")
    from qwen2vl_agent.envs import EnvError
    from qwen2vl_agent.envs.desktop.keyboard import XKeyboard

    class NoKeys:  # an Xlib Display whose keyboard map has no keys at all
        def keysym_to_keycodes(self, keysym):
            return []

    with pytest.raises(EnvError, match="no Shift key"):
        XKeyboard(NoKeys())
