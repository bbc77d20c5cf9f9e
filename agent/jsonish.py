"""A small, safe reader for the JSON-ish argument objects language models write.

Accepts strict JSON and what Qwen-family models really emit around it: tuples ``(348, 291)`` (read as
lists), single-quoted strings, Python's ``True``/``False``/``None``, bare identifier keys, trailing
commas, ``+``-signed numbers, full-width colons and commas between items (``{"point"：[348，291]}``, as
Chinese text leaks into them), and anything after the closing brace (ignored). Never evaluates anything;
nesting depth, input size and integer length are bounded, so arbitrary text can only produce a value or a
``JsonishError``; strings never hold lone surrogates (they become U+FFFD), so every value can be written as
UTF-8.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 20
MAX_CHARS = 20_000

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_WORDS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_CLOSERS = {"[": "]", "(": ")"}
_COLONS = (":", "：")
_COMMAS = (",", "，")  # outside a string a full-width one can only mean the separator


class JsonishError(ValueError):
    """The text is not a readable object; the message says where and why, for the model."""


def read_object(text: str) -> tuple[dict[str, Any], int]:
    """Read the object that starts at the first ``{`` of ``text``; return it and the index after it."""
    if len(text) > MAX_CHARS:
        raise JsonishError(f"the arguments are too long ({len(text)} characters)")
    start = text.find("{")
    if start < 0:
        raise JsonishError("the arguments must be a JSON object in braces, e.g. {}")
    reader = _Reader(text, start)
    value = reader.value(0)
    return value, reader.pos


def dumps(value: Any) -> str:
    """Render arguments the way Qwen's template shows them: compact JSON with ``, `` and ``: ``."""
    return json.dumps(value, ensure_ascii=False)


class _Reader:
    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def fail(self, what: str) -> JsonishError:
        snippet = self.text[self.pos : self.pos + 20]
        return JsonishError(f"{what} at character {self.pos} (near {snippet!r})" if snippet else f"{what} at the end")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        """The next non-blank character, or "\0" at the end (never "", which is `in` every string)."""
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else "\0"

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail("the arguments are nested too deeply")
        ch = self.peek()
        if ch == "{":
            return self.obj(depth)
        if ch in _CLOSERS:
            return self.array(depth, _CLOSERS[ch])
        if ch in "\"'":
            return self.string()
        if ch.isdigit() or ch in "+-.":
            return self.number()
        match = _IDENT.match(self.text, self.pos)
        if match and match.group() in _WORDS:
            self.pos = match.end()
            return _WORDS[match.group()]
        raise self.fail("expected a value")

    def obj(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            ch = self.peek()
            if ch == "}":
                self.pos += 1
                return out
            key = self.key()
            if self.peek() not in _COLONS:
                raise self.fail(f"expected ':' after the key {key!r}")
            self.pos += 1
            out[key] = self.value(depth + 1)
            ch = self.peek()
            if ch in _COMMAS:
                self.pos += 1
            elif ch != "}":
                raise self.fail("expected ',' or '}' in the object")

    def key(self) -> str:
        ch = self.peek()
        if ch in "\"'":
            return self.string()
        match = _IDENT.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a key")
        self.pos = match.end()
        return match.group()

    def array(self, depth: int, closer: str) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        while True:
            if self.peek() == closer:
                self.pos += 1
                return out
            out.append(self.value(depth + 1))
            ch = self.peek()
            if ch in _COMMAS:
                self.pos += 1
            elif ch != closer:
                raise self.fail(f"expected ',' or '{closer}'")

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        parts: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(parts)
            if ch == "\\":
                parts.append(self.escape())
                continue
            # A lone surrogate character (from a server or a file) is replaced as an escaped one is.
            parts.append("\ufffd" if "\ud800" <= ch <= "\udfff" else ch)
            self.pos += 1
        raise self.fail("unterminated string")

    def escape(self) -> str:
        nxt = self.text[self.pos + 1 : self.pos + 2]
        if nxt == "u":
            code = self.hex4(self.pos + 2)
            self.pos += 6
            if 0xD800 <= code < 0xDC00 and self.text[self.pos : self.pos + 2] == "\\u":
                low = self.hex4(self.pos + 2)
                if 0xDC00 <= low < 0xE000:
                    self.pos += 6
                    return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            # A lone surrogate cannot be written as UTF-8 later: replace it, as decoders do.
            return "\ufffd" if 0xD800 <= code < 0xE000 else chr(code)
        self.pos += 2
        return _ESCAPES.get(nxt, nxt)

    def hex4(self, at: int) -> int:
        digits = self.text[at : at + 4]
        if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
            return int(digits, 16)
        raise self.fail("bad \\u escape")

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            raise self.fail("expected a number")
        self.pos = match.end()
        token = match.group()
        if any(c in token for c in ".eE"):
            value = float(token)
            if value != value or value in (float("inf"), float("-inf")):
                raise self.fail("number out of range")
            return value
        if len(token) > 30:
            raise self.fail("number too long")
        return int(token)
