"""The typing fallback chain on fakes: which method runs, what the clipboard holds after, which error."""

from __future__ import annotations

import threading

import pytest

from qwen2vl_agent.envs import ActionRejected
from qwen2vl_agent.envs.desktop import TypingUnavailable
from qwen2vl_agent.envs.desktop.clipboard import Offer
from qwen2vl_agent.envs.desktop.textinput import TextTyper


class FakeKeyboard:
    def __init__(self, on_map: str = "abc \n") -> None:
        self.on_map, self.typed, self.pressed = on_map, [], []
        self.on_press = lambda: None

    def untypeable(self, text):
        return [c for c in dict.fromkeys(text) if c not in self.on_map]

    def type_text(self, text):
        self.typed.append(text)

    def press(self, keysyms, names=None):
        self.pressed.append(list(names))
        self.on_press()


class FakeClipboard:
    def __init__(self, content: str | None, app_takes_paste: bool) -> None:
        self.content, self.takes, self.offers = content, app_takes_paste, []
        self.current: Offer | None = None

    def read_text(self, timeout=1.0):
        return self.content

    def offer(self, text):
        self.current = Offer(text)
        self.content = text
        self.offers.append(text)
        return self.current

    def release(self):
        self.content = self.current = None

    def paste(self):  # what the focused application does on Ctrl+V
        if self.takes and self.current is not None:
            self.pasted = self.current.text
            self.current.taken.set()


def make(methods, *, on_map="abc \n", clipboard="user text", takes=True):
    keyboard, board = FakeKeyboard(on_map), FakeClipboard(clipboard, takes)
    keyboard.on_press = board.paste
    typer = TextTyper(keyboard, lambda: board, ":9", methods=methods, paste_timeout=0.05)
    return typer, keyboard, board


def test_text_on_the_keyboard_map_is_typed_key_by_key():
    typer, keyboard, board = make(("keys", "clipboard"))
    assert typer.type("a b\nc") == "keys"
    assert keyboard.typed == ["a b\nc"] and board.offers == []


def test_other_text_is_pasted_and_the_users_clipboard_restored():
    typer, keyboard, board = make(("keys", "clipboard"))
    assert typer.type("中文 😀") == "clipboard"
    assert board.pasted == "中文 😀"
    assert keyboard.pressed == [["ctrl", "v"]]
    assert board.content == "user text"


def test_an_empty_clipboard_stays_empty():
    typer, _, board = make(("clipboard",), clipboard=None)
    typer.type("é")
    assert board.content is None


def test_a_paste_nobody_takes_falls_through_then_is_told_to_the_model(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    typer, _, board = make(("keys", "clipboard", "xdotool"), takes=False)
    with pytest.raises(ActionRejected, match="no application took the pasted text"):
        typer.type("é")
    assert board.content == "user text"


def test_nothing_available_names_the_fix(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    typer, _, _ = make(("keys", "xdotool"))
    with pytest.raises(
        TypingUnavailable, match=r"'é' not typeable on the keyboard map and state; xdotool: not installed \(apt-get"
    ):
        typer.type("é")


def test_xdotool_gets_the_text_as_an_argument_never_a_shell(monkeypatch):
    calls = []
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr("subprocess.run", lambda args, **kw: calls.append((args, kw["env"]["DISPLAY"])))
    typer, _, _ = make(("xdotool",))
    assert typer.type("$(rm -rf ~); é") == "xdotool"
    assert calls == [(["/usr/bin/xdotool", "type", "--delay", "12", "--", "$(rm -rf ~); é"], ":9")]


def test_a_broken_clipboard_falls_through():
    keyboard = FakeKeyboard()

    def broken():
        raise RuntimeError("no X")

    typer = TextTyper(keyboard, broken, ":9", methods=("clipboard",))
    with pytest.raises(TypingUnavailable, match="clipboard: unavailable"):
        typer.type("é")


def test_bad_method_names():
    with pytest.raises(ValueError, match="typing methods"):
        TextTyper(FakeKeyboard(), lambda: None, ":9", methods=("telepathy",))
    with pytest.raises(ValueError):
        TextTyper(FakeKeyboard(), lambda: None, ":9", methods=())


def test_offer_event_is_per_offer():
    first, second = Offer("a"), Offer("b")
    first.taken.set()
    assert not second.taken.is_set() and isinstance(second.taken, threading.Event)


@pytest.mark.parametrize(
    ("text", "named"),
    [("a\x00b", "'\\x00'"), ("\x00\x00", "'\\x00'"), ("bell\x07", "'\\x07'"), ("\x1b[2J", "'\\x1b'"),
     ("del\x7f", "'\\x7f'"), ("c1\x85", "'\\x85'")],
)  # fmt: skip
def test_control_characters_are_refused_before_anything_is_typed(monkeypatch, text, named):
    calls = []
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr("subprocess.run", lambda args, **kw: calls.append(args))
    typer, keyboard, board = make(("keys", "clipboard", "xdotool"), on_map="abc \n" + text)
    with pytest.raises(ActionRejected, match=r"control characters? .*cannot be typed") as e:
        typer.type(text)
    assert named in str(e.value)  # the offending characters, escaped
    assert keyboard.typed == [] and keyboard.pressed == [] and board.offers == [] and calls == []


def test_newlines_tabs_and_carriage_returns_are_still_typed():
    typer, keyboard, _ = make(("keys",), on_map="ab\n\t\r")
    assert typer.type("a\tb\r\nb") == "keys"
    assert keyboard.typed == ["a\tb\r\nb"]
