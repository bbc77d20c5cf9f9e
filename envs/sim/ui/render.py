"""Draw a widget tree with PIL. Children draw over their parent; ``clip`` nodes crop their children."""

from __future__ import annotations

from typing import Any

from . import theme
from .node import Node, Rect


def render(root: Node, size: tuple[int, int]) -> Any:
    """A new RGB image of ``size`` with the tree drawn on it."""
    from PIL import Image

    img = Image.new("RGB", size, theme.WHITE)
    _draw(img, root, 0, 0)
    return img


def _draw(img: Any, node: Node, dx: int, dy: int) -> None:
    from PIL import ImageDraw

    left, top, right, bottom = node.bounds
    box: Rect = (left - dx, top - dy, right - dx, bottom - dy)
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    draw = ImageDraw.Draw(img)
    _paint_self(draw, node, box)
    if not node.children:
        return
    if node.clip:
        sub = img.crop(box)
        for child in node.children:
            _draw(sub, child, left, top)
        img.paste(sub, box[:2])
    else:
        for child in node.children:
            _draw(img, child, dx, dy)


def _paint_self(draw: Any, node: Node, box: Rect) -> None:
    if node.bg is not None or node.border is not None:
        x0, y0, x1, y1 = box
        width = max(2, node.radius // 8) if node.border else 0
        draw.rounded_rectangle((x0, y0, x1 - 1, y1 - 1), node.radius, fill=node.bg, outline=node.border, width=width)
    if node.paint is not None:
        node.paint(draw, box)
    if node.icon:
        _icon(draw, node, box)
    text = node.text if node.draw_text is None else node.draw_text
    if node.size and text:
        _text(draw, node, box, text)


def _icon(draw: Any, node: Node, box: Rect) -> None:
    x0, y0, x1, y1 = box
    size = node.size or int((y1 - y0) * 0.45)
    f = theme.font(size, True)
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), node.icon, font=f, fill=node.fg, anchor="mm")


def _text(draw: Any, node: Node, box: Rect, text: str) -> None:
    if node.icon:
        return  # an icon node's text is its label for accessibility only
    x0, y0, x1, y1 = box
    pad = node.pad
    width = max(1, x1 - x0 - 2 * pad)
    f = theme.font(node.size, node.bold)
    if node.wrap:
        line_h = int(node.size * 1.3)
        y = y0 + pad
        for line in theme.wrap(text, node.size, width, node.bold):
            if y + line_h > y1 + node.size // 2:
                break
            draw.text((_x(node, x0, x1, pad, line), y), line, font=f, fill=node.fg)
            y += line_h
        return
    line = theme.ellipsize(text.replace("\n", " "), node.size, width, node.bold)
    draw.text((_x(node, x0, x1, pad, line), (y0 + y1) / 2), line, font=f, fill=node.fg, anchor="lm")


def _x(node: Node, x0: int, x1: int, pad: int, line: str) -> float:
    if node.align == "left":
        return x0 + pad
    w = theme.text_width(line, node.size, node.bold)
    return (x0 + x1 - w) / 2 if node.align == "center" else x1 - pad - w
