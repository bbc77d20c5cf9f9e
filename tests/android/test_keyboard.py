"""Typing plans: quoting, ``%s`` handling, chunking, control keys, ADBKeyBoard messages."""

from __future__ import annotations

import base64
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwen2vl_agent.envs.android.adb import command_line
from qwen2vl_agent.envs.android.keyboard import (
    InputText,
    KeyPress,
    NeedsAdbKeyboard,
    adbkeyboard_messages,
    plan_input_text,
)

HOSTILE = [
    'it\'s "quoted"',
    "a; reboot",
    "$(reboot)",
    "`reboot`",
    "true && reboot || reboot",
    "50%sale %s %%s",
    "x | cat /etc/passwd > /sdcard/o",
    "back\\slash and 'single",
    "-n --help",
    "#comment $HOME ${HOME} ~ * ? [a] {a,b} !",
    "trailing %",
]


def aosp_send_text(arg: str) -> str:
    """AOSP InputShellCommand.sendText's escape loop, written independently of the code under test."""
    chars = list(arg)
    out, escape = [], False
    for c in chars:
        if escape:
            escape = False
            if c == "s":
                out[-1] = " "  # "%s" -> " ": drop the "%" just written
                continue
        out.append(c)
        escape = c == "%"
    return "".join(out)


def type_via_device(steps) -> str:
    """Run a plan the way a device would: the sh parses the command line, then `input` decodes."""
    typed = ""
    for step in steps:
        match step:
            case InputText(arg=arg):
                argv = shlex.split(command_line(("input", "text", arg)))
                assert argv[:2] == ["input", "text"] and len(argv) == 3, "the text escaped its argument"
                typed += aosp_send_text(argv[2])
            case KeyPress(code=66):
                typed += "\n"
            case KeyPress(code=61):
                typed += "\t"
    return typed


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_ascii_is_typed_literally(text):
    assert type_via_device(plan_input_text(text)) == text


def test_spaces_become_percent_s_and_literal_percent_s_is_split():
    steps = plan_input_text("a b%sc")
    assert steps == [InputText("a%sb%"), InputText("sc")]


def test_newline_and_tab_become_keys():
    assert plan_input_text("a\nb\tc") == [InputText("a"), KeyPress(66), InputText("b"), KeyPress(61), InputText("c")]


def test_long_text_is_chunked_after_spaces():
    text = "word " * 40
    steps = plan_input_text(text, max_chunk=16)
    assert all(isinstance(s, InputText) and len(s.arg.replace("%s", " ")) <= 16 for s in steps)
    assert all(s.arg.endswith("%s") for s in steps[:-1])
    assert type_via_device(steps) == text


def test_a_long_word_is_cut_hard():
    steps = plan_input_text("x" * 50, max_chunk=16)
    assert [len(s.arg) for s in steps] == [16, 16, 16, 2]


@pytest.mark.parametrize("text", ["你好", "café", "emoji 🙂", "a\x07b", "\x1b[31m", "line\r"])
def test_untypable_text_raises_with_the_fix(text):
    with pytest.raises(NeedsAdbKeyboard, match="ADBKeyBoard"):
        plan_input_text(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\n\t"), max_size=80))
def test_any_printable_ascii_round_trips(text):
    assert type_via_device(plan_input_text(text, max_chunk=7)) == text


@given(st.text(min_size=1, max_size=60), st.integers(min_value=4, max_value=40))
def test_adbkeyboard_messages_round_trip_without_splitting_characters(text, max_bytes):
    messages = adbkeyboard_messages(text, max_bytes)
    decoded = [base64.b64decode(m) for m in messages]
    assert all(len(d) <= max_bytes for d in decoded)
    assert "".join(d.decode("utf-8") for d in decoded) == text  # each message is valid UTF-8 on its own
    assert all(set(m) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") for m in messages)


def test_command_line_refuses_strings_and_nul():
    with pytest.raises(TypeError):
        command_line("input text hi")
    with pytest.raises(ValueError):
        command_line(("input", "text", "a\0b"))
