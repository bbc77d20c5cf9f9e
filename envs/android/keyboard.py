"""How text becomes device commands, safely. Pure planning; ``env.py`` runs the plan.

``input text ARG`` (the stock way) has three traps, all handled here:

- ARG goes through the device's ``sh``: the transport quotes every argument, so ``; $() \\` ' "`` and
  friends are typed, never run.
- ``input`` turns ``%s`` into a space (that is how a space is usually sent). A literal ``%`` followed by
  ``s`` is therefore split across two ``input text`` calls, and spaces are sent as ``%s``.
- Only printable ASCII can be typed; ``\\n`` and ``\\t`` become the ENTER and TAB keys. Anything else
  (CJK, emoji, accents) needs the ADBKeyBoard IME, which takes UTF-8 as base64 in a broadcast
  (``adbkeyboard_messages``); without it ``NeedsAdbKeyboard`` names the characters and the fix.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME"
ADB_KEYBOARD_HINT = (
    "install ADBKeyBoard (https://github.com/senzhk/ADBKeyBoard, package com.android.adbkeyboard) on the "
    "device to type non-ASCII text"
)
KEY_ENTER = 66
KEY_TAB = 61
_CONTROL_KEYS = {"\n": KEY_ENTER, "\t": KEY_TAB}
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


class NeedsAdbKeyboard(ValueError):
    """The text holds characters ``input text`` cannot type; the message lists them and names the fix."""


@dataclass(frozen=True)
class InputText:
    """One ``input text ARG`` call (``arg`` already encoded: spaces as ``%s``)."""

    arg: str


@dataclass(frozen=True)
class KeyPress:
    """One ``input keyevent CODE`` call."""

    code: int


TypingStep = InputText | KeyPress


def untypable(text: str) -> list[str]:
    """Characters of ``text`` that ``input text`` cannot type (in order of first appearance)."""
    bad = [c for c in text if c not in _CONTROL_KEYS and not _PRINTABLE.fullmatch(c)]
    return list(dict.fromkeys(bad))


def plan_input_text(text: str, max_chunk: int = 64) -> list[TypingStep]:
    """The ``input`` calls that type ``text`` literally; ``NeedsAdbKeyboard`` if it cannot be done so.

    Chunks hold at most ``max_chunk`` characters of the original text and break after spaces where they
    can (long strings typed in one call lose characters on some devices).
    """
    if max_chunk < 2:
        raise ValueError("max_chunk must be at least 2")
    bad = untypable(text)
    if bad:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in bad[:8])
        raise NeedsAdbKeyboard(f"`input text` cannot type {shown}; {ADB_KEYBOARD_HINT}")
    steps: list[TypingStep] = []
    for piece in re.split(r"([\n\t])", text):
        if piece in _CONTROL_KEYS:
            steps.append(KeyPress(_CONTROL_KEYS[piece]))
            continue
        # A "%" directly followed by "s" would be read as a space: cut between them.
        for part in re.split(r"(?<=%)(?=s)", piece):
            steps.extend(InputText(encode_spaces(chunk)) for chunk in _chunks(part, max_chunk))
    return steps


def encode_spaces(chunk: str) -> str:
    """Spaces as ``%s`` (``input text`` decodes ``%s`` to a space; a lone ``%`` stays literal)."""
    return chunk.replace(" ", "%s")


def _chunks(text: str, size: int) -> list[str]:
    """Split into pieces of at most ``size`` characters, preferably just after a space."""
    chunks: list[str] = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size) + 1 or size
        chunks.append(text[:cut])
        text = text[cut:]
    if text:
        chunks.append(text)
    return chunks


def adbkeyboard_messages(text: str, max_bytes: int = 600) -> list[str]:
    """``text`` as base64 messages for ``am broadcast -a ADB_INPUT_B64 --es msg MSG``.

    Each message holds at most ``max_bytes`` bytes of UTF-8 and never splits a character.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must be at least 4 (one UTF-8 character)")
    messages: list[str] = []
    current = bytearray()
    for char in text:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > max_bytes:
            messages.append(base64.b64encode(bytes(current)).decode("ascii"))
            current.clear()
        current += encoded
    if current:
        messages.append(base64.b64encode(bytes(current)).decode("ascii"))
    return messages


def decode_input_text(arg: str) -> str:
    """What ``input text ARG`` types (AOSP's rule: ``%s`` is a space). For tests and fakes."""
    return arg.replace("%s", " ")
