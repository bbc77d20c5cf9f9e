"""Comparing what is on the device (or in the agent's answer) with what the task asked for.

Text is compared after Unicode normalisation (NFC for what was stored, NFKC + casefold for answers) and
whitespace folding, so "Café" typed as ``e`` + combining accent still matches, and an answer may differ in
case and surrounding punctuation. Numbers in answers are read as digits or as English words up to twenty.
"""

from __future__ import annotations

import re
import unicodedata

_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
]  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?![\w.]\d)|\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_EDGE_PUNCT = " \t\n\r.,;:!?\"'“”‘’«»()[]"


def stored(text: str | None) -> str:
    """How a stored value compares: NFC, surrounding whitespace dropped."""
    return unicodedata.normalize("NFC", text or "").strip()


def loose(text: str | None) -> str:
    """How an answer compares: NFKC, casefolded, whitespace folded, edge punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(folded.split()).strip(_EDGE_PUNCT)


def same_text(a: str | None, b: str | None) -> bool:
    """Equal as stored values (exact up to normalisation and surrounding whitespace)."""
    return stored(a) == stored(b)


def answer_mentions(answer: str | None, expected: str) -> bool:
    """The answer contains the expected text (loosely), e.g. an address inside a sentence."""
    want = loose(expected)
    return bool(want) and want in loose(answer)


def numbers_in(text: str | None) -> list[int]:
    out = []
    for match in _NUMBER.finditer(text or ""):
        token = match.group(0).lower()
        out.append(_WORDS.index(token) if token in _WORDS else int(token))
    return out


def answer_is_number(answer: str | None, expected: int) -> bool:
    """The answer states ``expected`` and no other number ("3", "three", "You have 3 unread")."""
    found = set(numbers_in(answer))
    return found == {expected}
