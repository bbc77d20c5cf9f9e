"""The focused text field in a UI dump, and the typing verdicts (pure: table-driven)."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.android.fields import Field, UnreadableTree, focused_field, quoted, typing_report

HEADER = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"


def dump(*nodes: str) -> str:
    return (
        f'{HEADER}<hierarchy rotation="0"><node class="android.widget.FrameLayout">{"".join(nodes)}</node></hierarchy>'
    )


def node(cls: str, focused: bool = True, text: str = "", password: bool = False) -> str:
    f, p = str(focused).lower(), str(password).lower()
    return f'<node text="{text}" resource-id="x:id/f" class="{cls}" focused="{f}" password="{p}" bounds="[0,0][9,9]" />'


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        (dump(node("android.widget.EditText", text="hi")), Field("hi", False, "x:id/f", "[0,0][9,9]")),
        (dump(node("android.widget.AutoCompleteTextView")), Field("", False, "x:id/f", "[0,0][9,9]")),
        (
            dump(node("android.inputmethodservice.ExtractEditText", password=True)),
            Field("", True, "x:id/f", "[0,0][9,9]"),
        ),
        (dump(node("android.widget.EditText", focused=False)), None),  # a field, but not focused
        (dump(node("android.widget.Button")), None),  # focus on a button (d-pad navigation)
        (dump(node("android.widget.TextView", text="EditText")), None),
        (dump(), None),
        (
            "UI hierchary dumped to: /sdcard/x.xml\n" + dump(node("android.widget.EditText")),
            Field("", False, "x:id/f", "[0,0][9,9]"),
        ),
    ],
)
def test_focused_field(xml, found):
    assert focused_field(xml) == found


@pytest.mark.parametrize(
    "xml",
    [
        "ERROR: could not get idle state.",
        dump()[:-5],  # cut short
        '<?xml version="1.0"?><!DOCTYPE h [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        '<hierarchy><node text="&b;" class="android.widget.EditText" focused="true"/></hierarchy>',
        dump(node("android.widget.EditText")) + " " * 8_000_001,
    ],
)
def test_unreadable_dumps_are_refused(xml):
    with pytest.raises(UnreadableTree, match="the UI tree could not be read"):
        focused_field(xml)


def field(text: str, password: bool = False) -> Field:
    return Field(text, password, "x:id/f", "[0,0][9,9]")


@pytest.mark.parametrize(
    ("text", "before", "after", "arrived"),
    [
        ("abc", field(""), field("abc"), True),
        ("abc", field("Search"), field("abc"), True),  # the hint went away
        ("Search", field("Search apps"), field("Search"), True),
        ("Search", field("Search apps"), field("Search apps"), False),  # only the hint shows
        ("abc", field("abc"), field("abc"), False),  # unchanged: nothing arrived
        ("abc", field("abc"), field("abcabc"), True),
        ("hello", field(""), field("hel"), False),
        ("a\nb", field("x"), field("xa\nb"), True),  # a newline in a multi-line field
        ("a\tb", field(""), field("ab"), True),  # Tab is a key, not text
        ("x", field(""), field("X"), False),  # an all-caps filter: said, not hidden
    ],
)
def test_typing_report_for_plain_fields(text, before, after, arrived):
    report = typing_report(text, before, after)
    assert report.startswith(f"Typed {quoted(text)} into") == arrived
    assert report.endswith(f"shows {quoted(after.text)}.")


@pytest.mark.parametrize(
    ("text", "before", "after", "arrived"),
    [
        ("1234", "", "••••", True),
        ("1234", "•••", "••••", True),  # the hint "PIN" was shown as dots
        ("34", "••", "••••", True),
        ("34", "••", "••", False),
        ("1234", "", "••", False),
        ("12345678", "••••••••", "••••••••", False),  # the same length as before: not claimed
    ],
)
def test_typing_report_for_password_fields(text, before, after, arrived):
    report = typing_report(text, field(before, True), field(after, True))
    assert ("into the focused password field" in report) == arrived
    assert text not in report


def test_a_password_field_that_shows_nothing_is_not_claimed():
    report = typing_report("1234", field("", True), field("", True))
    assert "it hides even their number, so it was not checked" in report


def test_no_field_afterwards():
    assert "no text field has focus" in typing_report("abc", field(""), None)


def test_quoted_is_bounded_and_one_line():
    assert quoted("a\nb") == '"a\\nb"'
    assert len(quoted("y" * 5000)) == 82 and quoted("y" * 5000).endswith('..."')
