"""Colours, fonts and text measurement shared by every screen.

Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` when present (legible, wide Unicode coverage),
else Pillow's built-in scalable font (``ImageFont.load_default(size=...)``, Pillow >= 10.1). Glyphs a
font lacks (CJK, emoji) draw as boxes; the text itself is kept exactly in the UI tree.
"""

from __future__ import annotations

import functools
import os
from typing import Any

DEJAVU = "/usr/share/fonts/truetype/dejavu"

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
TEXT = (32, 33, 36)
SUBTLE = (95, 99, 104)
HINT = (128, 134, 139)
DIVIDER = (218, 220, 224)
SURFACE = (248, 249, 250)
PRIMARY = (26, 115, 232)
PRIMARY_LIGHT = (210, 227, 252)
DANGER = (217, 48, 37)
SCRIM = (80, 80, 80)
STATUS_BAR = (241, 243, 244)
KEYBOARD_BG = (232, 234, 237)
KEY_BG = (255, 255, 255)

APP_COLORS = [
    (66, 133, 244), (234, 67, 53), (251, 188, 4), (52, 168, 83), (161, 66, 244),
    (0, 172, 193), (255, 112, 67), (94, 53, 177), (0, 137, 123), (121, 85, 72),
]  # fmt: skip


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> Any:
    """A font of ``size`` pixels; cached."""
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = os.path.join(DEJAVU, name)
    if os.path.exists(path):
        return ImageFont.truetype(path, size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font, still legible at scale 1
        return ImageFont.load_default()


def text_width(text: str, size: int, bold: bool = False) -> int:
    return int(font(size, bold).getlength(text))


def wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (words longer than a line are cut)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while text_width(line, size, bold) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_width(line[:cut], size, bold) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def ellipsize(text: str, size: int, width: int, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so it fits in ``width`` pixels."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text + "…"
