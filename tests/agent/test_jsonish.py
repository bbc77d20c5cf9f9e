"""The JSON-ish argument reader on its own: what it accepts, and that hostile text gives only ``JsonishError``."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwen2vl_agent.agent.jsonish import MAX_CHARS, MAX_DEPTH, JsonishError, dumps, read_object

ACCEPTED = [
    # (text, the object read)
    ('{"point": [348, 291]}', {"point": [348, 291]}),
    ('{"point": (348, 291)}', {"point": [348, 291]}),  # a tuple reads as a list
    ('{"p": ((1, 2), (3, 4))}', {"p": [[1, 2], [3, 4]]}),
    ("{'text': 'it\\'s'}", {"text": "it's"}),  # single quotes, an escaped one inside
    ("{'a': \"b'c\"}", {"a": "b'c"}),  # the other quote inside a string
    ("{point: [1, 2], duration_ms: 1500,}", {"point": [1, 2], "duration_ms": 1500}),  # bare keys, trailing comma
    ('{"a": [1, 2,], "b": (3,)}', {"a": [1, 2], "b": [3]}),
    (
        '{"a": True, "b": False, "c": None, "d": true, "e": false, "f": null}',
        {"a": True, "b": False, "c": None, "d": True, "e": False, "f": None},
    ),
    ('{"x": +5, "y": -3, "z": 1.5e2, "w": -.5, "v": 1.}', {"x": 5, "y": -3, "z": 150.0, "w": -0.5, "v": 1.0}),
    ('{"a"： 1}', {"a": 1}),  # a full-width colon
    ('{"point"：[348，291]，"b"：1}', {"point": [348, 291], "b": 1}),  # full-width commas, as in Chinese text
    ('{"text": "你好，世界：再见"}', {"text": "你好，世界：再见"}),  # inside a string they are text
    ("  \n{ }", {}),  # the object starts at the first brace
    ('{"text": "tab\\tnew\\nline \\"q\\" back\\\\slash \\/ \\u00e9"}', {"text": 'tab\tnew\nline "q" back\\slash / é'}),
    ('{"text": "\\q"}', {"text": "q"}),  # an unknown escape keeps its character
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_forms(text: str, expected: dict) -> None:
    value, end = read_object(text)
    assert value == expected
    assert text[end - 1] == "}"


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ('{"a": 1} and then I will press enter', {"a": 1}, " and then I will press enter"),
        ('{"a": 1}}', {"a": 1}, "}"),
        ('{"a": 1} {"b": 2}', {"a": 1}, ' {"b": 2}'),  # only the first object is read
    ],
)
def test_trailing_text_is_left_after_the_end(text: str, expected: dict, rest: str) -> None:
    value, end = read_object(text)
    assert value == expected
    assert text[end:] == rest


def test_size_limit_is_exact() -> None:
    body = '{"a": 1}'
    at_limit = body + " " * (MAX_CHARS - len(body))
    assert read_object(at_limit) == ({"a": 1}, len(body))
    with pytest.raises(JsonishError, match="too long"):
        read_object(at_limit + " ")


def _nested(levels: int) -> str:
    return '{"a": ' + "[" * levels + "]" * levels + "}"


def test_nesting_depth_is_bounded() -> None:
    value, _ = read_object(_nested(MAX_DEPTH))
    assert json.dumps(value).count("[") == MAX_DEPTH
    with pytest.raises(JsonishError, match="nested too deeply"):
        read_object(_nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("opener", ["[", "(", '{"a": '])
def test_nesting_far_past_the_recursion_limit_is_an_error_not_a_crash(opener: str) -> None:
    with pytest.raises(JsonishError, match="nested too deeply"):
        read_object("{" + '"a": ' + opener * 3000)


@pytest.mark.parametrize(
    ("escaped", "expected"),
    [
        ("\\ud83d\\ude00", "\U0001f600"),  # a pair joins into one character
        ("\\uD83D\\uDE00", "\U0001f600"),  # upper-case hex
        ("\\ud800", "\ufffd"),  # a lone high surrogate
        ("\\udc00", "\ufffd"),  # a lone low surrogate
        ("\\udc00\\ud800", "\ufffd\ufffd"),  # a pair in the wrong order
        ("\\ud800\\u0041", "\ufffdA"),  # a high surrogate before an ordinary escape, which is kept
        ("\\ud800x", "\ufffdx"),
    ],
)
def test_surrogate_escapes_give_writable_text(escaped: str, expected: str) -> None:
    value, _ = read_object('{"text": "' + escaped + '"}')
    assert value["text"] == expected
    value["text"].encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"text": "a\ud800b"}', {"text": "a\ufffdb"}),
        ('{"text": "\udfff"}', {"text": "\ufffd"}),
        ('{"\ud800": 1}', {"\ufffd": 1}),
        ("{'t': '\udc80'}", {"t": "\ufffd"}),
    ],
    ids=["high", "low", "key", "single-quoted"],
)
def test_raw_lone_surrogates_give_writable_text(text: str, expected: dict) -> None:
    """Text from a server or a file can carry lone surrogates as characters, not only as escapes."""
    value, _ = read_object(text)
    assert value == expected
    dumps(value).encode("utf-8")


def test_a_real_astral_character_is_kept() -> None:
    assert read_object('{"text": "\U0001f600"}')[0] == {"text": "\U0001f600"}


@pytest.mark.parametrize(
    "text",
    ['{"t": "\\u12"}', '{"t": "\\u12zz"}', '{"t": "\\ud800\\u12"}', '{"t": "\\', '{"t": "abc', "{'t': 'abc\"}"],
    ids=["short-hex", "bad-hex", "bad-low", "backslash-at-end", "unterminated", "mismatched-quotes"],
)
def test_broken_strings_are_errors(text: str) -> None:
    with pytest.raises(JsonishError):
        read_object(text)


def test_thirty_digits_read_as_an_int() -> None:
    assert read_object('{"x": ' + "9" * 30 + "}")[0] == {"x": int("9" * 30)}


@pytest.mark.parametrize("digits", [31, 400, 4300, 4301, 5000, MAX_CHARS - 10])
def test_long_integers_are_errors_not_value_errors(digits: int) -> None:
    """Python refuses to convert ints longer than 4300 digits with a bare ValueError; it must not escape."""
    with pytest.raises(JsonishError, match="number too long"):
        read_object('{"x": ' + "1" * digits + "}")


@pytest.mark.parametrize(
    "number",
    ["1" * 400 + ".5", "1" * 5000 + ".0", "1e400", "-1e400", "1e" + "9" * 5000, "-" + "9" * 400 + "e9"],
)
def test_floats_out_of_range_are_errors(number: str) -> None:
    with pytest.raises(JsonishError, match="out of range"):
        read_object('{"x": ' + number + "}")


def test_a_long_fraction_underflows_to_zero() -> None:
    assert read_object('{"x": 0.' + "0" * 5000 + "1}")[0] == {"x": 0.0}


@pytest.mark.parametrize(
    "spelling", ["NaN", "nan", "-NaN", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "Inf", "1e", ".", "+", "-"]
)
def test_nan_and_infinity_spellings_are_errors(spelling: str) -> None:
    with pytest.raises(JsonishError):
        read_object('{"x": ' + spelling + "}")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no braces here",
        "{",
        '{"a"}',
        '{"a": }',
        '{"a" 1}',
        '{"a": 1 "b": 2}',
        '{"a": [1 2]}',
        '{"a": (1, 2]}',
        "{1: 2}",
        '{"a": undefined}',
        '{"a": 0x10}',
        '{"a": 1_000}',
        '{"a": "\0"',
        "{\0}",
    ],
)
def test_malformed_objects_are_errors(text: str) -> None:
    with pytest.raises(JsonishError):
        read_object(text)


def test_error_messages_say_where() -> None:
    with pytest.raises(JsonishError, match=r"expected a value at character 6 \(near 'NaN}'\)"):
        read_object('{"x": NaN}')
    with pytest.raises(JsonishError, match="at the end"):
        read_object('{"x": 1,')


def test_dumps_renders_like_qwen_template() -> None:
    assert dumps({"point": [1, 2], "text": "é"}) == '{"point": [1, 2], "text": "é"}'


_NEAR_JSON = st.text(
    alphabet=st.sampled_from([*"{}[](),，:：\"'\\u0123456789abcdefxeE+-. \n", "\ud800", "\udc00", "\U0001f600"])
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_NEAR_JSON)
def test_any_text_gives_a_writable_value_or_an_error(text: str) -> None:
    try:
        value, end = read_object("{" + text)
    except JsonishError:
        return
    assert isinstance(value, dict)
    assert 0 < end <= len(text) + 1
    dumps(value).encode("utf-8")
