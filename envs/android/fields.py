"""The focused text field in a ``uiautomator dump``, and what typing into it did. Pure: XML in, verdicts out.

``focused_field(xml)`` finds the node that has focus and is editable (``android.widget.EditText`` and its
kin: accessibility reports AppCompat, Material, Compose, WebView and React Native fields under that class).
``typing_report(text, before, after)`` compares the field before and after typing and words the result
for the model. The rules, and why:

- An empty field reports its hint as its text, so the text must be *in* the field afterwards and the field
  must have *changed* (the hint "Search apps" contains "Search", and a field holding "abc" contains "abc"
  whether or not another "abc" arrived).
- ``\\n`` and ``\\t`` are keys (Enter may submit, Tab moves on), so only the pieces between them are looked for.
- A password field shows dots (or the last character for a moment), so only its length is compared: the
  typed length, or the old length plus it. Some devices show nothing at all; then nothing is claimed.

The dump comes from the device: it is size-bounded, and a DOCTYPE (entities) is refused before parsing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

EDITABLE = re.compile(r"(^|\.)(\w*EditText|\w*AutoCompleteTextView)$")
MAX_DUMP_CHARS = 8_000_000  # a busy screen dumps ~100 kB
SHOWN_CHARS = 80  # of the typed text and of the field's text, in a result


class UnreadableTree(ValueError):
    """The dump is not a UI tree this module will parse (not XML, too large, or declares entities)."""


@dataclass(frozen=True)
class Field:
    """A text field as the UI tree shows it: ``text`` is the hint while empty, dots when ``password``."""

    text: str
    password: bool
    resource_id: str
    bounds: str


def focused_field(xml: str) -> Field | None:
    """The focused editable node of ``xml`` (the first, in document order); None when none has focus."""
    for node in _nodes(xml):
        if node.get("focused") == "true" and EDITABLE.search(node.get("class", "")):
            return Field(
                text=node.get("text", ""),
                password=node.get("password") == "true",
                resource_id=node.get("resource-id", ""),
                bounds=node.get("bounds", ""),
            )
    return None


def _nodes(xml: str) -> list[ET.Element]:
    start = xml.find("<hierarchy")
    if start < 0 or len(xml) > MAX_DUMP_CHARS or "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise UnreadableTree(f"the UI tree could not be read (not a uiautomator dump of {len(xml)} characters)")
    try:
        return list(ET.fromstring(xml[start:].strip()).iter("node"))
    except ET.ParseError as e:
        raise UnreadableTree(f"the UI tree could not be read (not well-formed XML: {e})") from e


def typing_report(text: str, before: Field, after: Field | None) -> str:
    """The result of typing ``text`` into ``before``, judged by ``after`` (the focused field afterwards)."""
    if after is None:
        return f"Typed {quoted(text)}, but afterwards no text field has focus, so it could not be read back."
    if before.password or after.password:
        return _password_report(text, before, after)
    pieces = [p for p in re.split(r"[\n\t]", text) if p]
    if after.text != before.text and all(p in after.text for p in pieces):
        return f"Typed {quoted(text)} into the focused text field; it now shows {quoted(after.text)}."
    return f"Typed {quoted(text)}, but the focused text field shows {quoted(after.text)}."


def _password_report(text: str, before: Field, after: Field) -> str:
    n, shown = len(text), len(after.text)
    if shown == 0 and not before.text:
        return (
            f"Typed {n} characters into the focused password field; it hides even their number, so it was not checked."
        )
    if shown != len(before.text) and shown in (n, len(before.text) + n):
        return f"Typed {n} characters into the focused password field; it now shows {shown} hidden characters."
    return f"Typed {n} characters, but the focused password field shows {shown} hidden characters."


def quoted(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` in double quotes for a result, clipped to ``limit`` characters (newlines shown as ``\\n``)."""
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 3]}..."'
