"""What a step did, drawn on its screenshot: a dot where it tapped, an arrow where it swiped or dragged, and
the text it typed in a banner.

``marks`` reads the executed calls of a step (screenshot pixels, as the env ran them) into typed marks; the
report draws them as an SVG over the screenshot (``svg``), the episode's animation with Pillow (``draw``).
Both read the same marks, so the page and the GIF cannot disagree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from PIL import Image, ImageDraw

from .records import CallRecord

TAP_COLOUR = "#e00000"
ARROW_COLOUR = "#0066cc"
TEXT_LIMIT = 60  # characters of typed text shown in the banner


@dataclass(frozen=True)
class Dot:
    point: tuple[int, int]


@dataclass(frozen=True)
class Arrow:
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True)
class Label:
    text: str


Mark = Dot | Arrow | Label


def _point(value: object) -> tuple[int, int] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return int(value[0]), int(value[1])
    return None


def marks(calls: Iterable[CallRecord]) -> list[Mark]:
    """The marks of the calls that ran (a call the env never executed draws nothing)."""
    out: list[Mark] = []
    for call in calls:
        done = call.executed or {}
        start, end, point = _point(done.get("start")), _point(done.get("end")), _point(done.get("point"))
        if start and end:
            out.append(Arrow(start, end))
        if point:
            out.append(Dot(point))
        if isinstance(done.get("text"), str) and done["text"]:
            out.append(Label(done["text"]))
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def svg(found: Sequence[Mark], size: tuple[int, int]) -> str:
    """An SVG in the screenshot's pixel space, to lay over it (empty when there is nothing to draw)."""
    w, h = max(size[0], 1), max(size[1], 1)
    unit = max(w, h) / 100  # stroke widths and fonts scale with the screenshot
    parts = []
    for m in found:
        if isinstance(m, Arrow):
            (x1, y1), (x2, y2) = m.start, m.end
            parts.append(
                f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{ARROW_COLOUR}" '
                f'stroke-width="{unit * 0.8:.1f}" marker-end="url(#head)"/>'
            )
        elif isinstance(m, Label):
            y, font = h - unit * 6, unit * 2.6
            parts.append(
                f'<rect x="0" y="{y - font * 1.4:.0f}" width="{w}" height="{font * 2:.0f}" fill="#000" '
                f'fill-opacity=".65"/><text x="{unit:.0f}" y="{y:.0f}" font-size="{font:.0f}" fill="#fff" '
                f'font-family="sans-serif">⌨ {escape(_short(m.text))}</text>'
            )
    if not parts:
        return ""
    head = (
        '<defs><marker id="head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" markerHeight="4" '
        f'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{ARROW_COLOUR}"/></marker></defs>'
    )
    return f'<svg class="over" viewBox="0 0 {w} {h}" preserveAspectRatio="none">{head}{"".join(parts)}</svg>'


def draw(image: Image.Image, found: Sequence[Mark]) -> Image.Image:
    """A copy of ``image`` (at the size the marks were made for) with ``found`` drawn on it."""
    out = image.convert("RGB")
    pen = ImageDraw.Draw(out)
    unit = max(out.size) / 100
    for m in found:
        if isinstance(m, Dot):
            x, y = m.point
            r = unit * 2
            pen.ellipse((x - r, y - r, x + r, y + r), outline=TAP_COLOUR, width=max(1, int(unit * 0.8)))
        elif isinstance(m, Arrow):
            pen.line((*m.start, *m.end), fill=ARROW_COLOUR, width=max(1, int(unit * 0.8)))
            x, y = m.end
            r = unit * 1.2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=ARROW_COLOUR)
        else:
            top = out.size[1] - int(unit * 9)
            pen.rectangle((0, top, out.size[0], top + int(unit * 4)), fill=(0, 0, 0))
            font = max(10, int(unit * 2.6))
            with contextlib.suppress(UnicodeError, OSError):  # no glyphs for it: the banner alone says "typed"
                pen.text((unit, top + unit * 0.5), _short(m.text), fill=(255, 255, 255), font_size=font)
    return out
