"""UI-TARS's action syntax, read without ``eval``: ``click(point='<point>10 20</point>')`` and its kin.

A reply is ``Thought: ...`` (or ``Reflection: ...`` / ``Action_Summary: ...``) and then ``Action: `` followed
by one call, or several separated by a blank line. A call is a name and keyword arguments whose values are
Python string literals (``'...'`` or ``"..."`` with the escapes ``\\'``, ``\\"``, ``\\n``, ``\\t``,
``\\\\``) or bare numbers. UI-TARS often leaves a quote inside ``content`` unescaped
(``type(content='it's here')``), so a quote closes a string only where the call goes on after it (``,``
and the next ``name=``, or ``)``); a missing final ``)`` is forgiven, as UI-TARS's own parser forgives it.

``read_calls`` is a small hand-written scanner: no regex over the model's text beyond bounded ones, no
``ast``, no ``eval``. ``quote`` writes a value back so that ``read_calls`` reads it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qwen2vl_agent.tools import ModelError

ACTION = re.compile(r"(?<![\w])Action[ \t]{0,3}[:：][ \t]{0,3}")
_PREFIXES = ("Thought:", "Reflection:", "Action_Summary:")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,40}")
_KEY = re.compile(r"[ \t\n]{0,8}([A-Za-z_][A-Za-z0-9_]{0,30})[ \t]{0,4}=[ \t]{0,4}")
_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d{1,12})?")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


@dataclass(frozen=True)
class CallText:
    """One call as written: its name, keyword arguments (values as strings) and its own source text."""

    name: str
    arguments: dict[str, str]
    source: str


def split_action(text: str) -> tuple[str, str | None]:
    """(the thought, the text after the last ``Action:``, or None when there is none).

    The thought drops a leading ``Thought:``; a ``Reflection:`` / ``Action_Summary:`` prefix is kept as written
    (the history shows it again as the model wrote it)."""
    text = text.strip().replace("[EOS]", "")
    found = list(ACTION.finditer(text))
    head, action = (text, None) if not found else (text[: found[-1].start()], text[found[-1].end() :])
    head = head.strip()
    if head.startswith("Thought:"):
        head = head[len("Thought:") :].strip()
    return head, action


def has_prefix(thought: str) -> bool:
    return thought.startswith(_PREFIXES[1:])


def read_calls(action: str) -> list[CallText]:
    """The calls in the text after ``Action:``; ``ModelError`` (for the model) when one cannot be read."""
    calls, at = [], 0
    action = action.rstrip()
    while at < len(action):
        call, at = _read_call(action, at)
        calls.append(call)
        while at < len(action) and action[at] in " \t\n":
            at += 1
    if not calls:
        raise ModelError("The Action line is empty.")
    return calls


def _read_call(text: str, start: int) -> tuple[CallText, int]:
    name = _NAME.match(text, start)
    if name is None:
        raise ModelError(f"Cannot read an action at {text[start : start + 40]!r}: write name(argument='value').")
    at = name.end()
    if text[at : at + 1] != "(":
        raise ModelError(f'The action "{name.group()}" needs parentheses, e.g. {name.group()}().')
    at += 1
    arguments: dict[str, str] = {}
    while True:
        at = _skip_space(text, at)
        if at >= len(text) or text[at] == ")":  # a missing final ")" is forgiven
            end = min(at + 1, len(text))
            return CallText(name.group().rsplit(".", 1)[-1], arguments, text[start:end]), end
        key = _KEY.match(text, at)
        if key is None:
            raise ModelError(f"In {name.group()}(...): expected argument='value', found {text[at : at + 30]!r}.")
        value, at = _read_value(text, key.end(), name.group())
        arguments[key.group(1)] = value
        at = _skip_space(text, at)
        if text[at : at + 1] == ",":
            at += 1


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n":
        at += 1
    return at


def _read_value(text: str, at: int, name: str) -> tuple[str, int]:
    if text[at : at + 1] in ("'", '"'):
        return _read_string(text, at, name)
    number = _NUMBER.match(text, at)
    if number is None:
        raise ModelError(f"In {name}(...): a value must be a quoted string, found {text[at : at + 30]!r}.")
    return number.group(), number.end()


def _read_string(text: str, at: int, name: str) -> tuple[str, int]:
    quote, out, i = text[at], [], at + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        if char == quote and _closes(text, i + 1):
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise ModelError(f"In {name}(...): a string is not closed (the reply ends inside it).")


def _closes(text: str, after: int) -> bool:
    """Whether a quote followed by ``text[after:]`` ends its string: the call goes on or ends there."""
    rest = text[after : after + 40].lstrip(" \t")
    return not rest or rest[0] == ")" or (rest[0] == "," and _KEY.match(rest, 1) is not None)


def quote(value: str) -> str:
    """``value`` as a single-quoted literal with UI-TARS's escapes (backslash, quotes, newline)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"').replace("\n", "\\n")
    return f"'{escaped}'"
