"""The widget tree: one ``Node`` per view, with absolute pixel bounds.

Screens are built fresh from app state on every frame (immediate mode); the same tree is drawn
(``render.py``), dumped as uiautomator XML (``dump.py``) and hit-tested for input, so pixels, the UI dump
and what a tap does always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Rect = tuple[int, int, int, int]  # left, top, right, bottom
Color = tuple[int, int, int]


@dataclass(eq=False)
class Node:
    """A view. Accessibility fields mirror uiautomator's attributes; the rest says how to draw it.

    ``rid`` is a resource-id, either full (``pkg:id/name``) or short (``name``: the owning package is
    prefixed in the dump). ``on_tap``/``on_long`` run on input; ``scroll_key`` names the scroll offset a
    swipe over this node changes (see ``Activity.scroll``); ``clip`` crops children to the bounds.
    """

    cls: str = "android.widget.FrameLayout"
    bounds: Rect = (0, 0, 0, 0)
    text: str = ""
    rid: str = ""
    desc: str = ""
    package: str = ""
    children: list[Node] = field(default_factory=list)
    clickable: bool = False
    long_clickable: bool = False
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    checkable: bool = False
    checked: bool = False
    enabled: bool = True
    selected: bool = False
    password: bool = False
    # drawing
    bg: Color | None = None
    fg: Color = (32, 33, 36)
    size: int = 0  # font size in px; 0 = no text drawn
    bold: bool = False
    align: str = "left"  # left | center | right
    radius: int = 0
    border: Color | None = None
    wrap: bool = False
    pad: int = 0
    icon: str = ""  # a glyph drawn centred (app icon letter, action symbol)
    paint: Callable[[Any, Rect], None] | None = None  # custom drawing: paint(ImageDraw, box in the image drawn on)
    clip: bool = False
    draw_text: str | None = None  # what to draw when it differs from ``text`` (password dots, hints)
    # behaviour
    on_tap: Callable[[], None] | None = None
    on_long: Callable[[], None] | None = None
    on_tap_at: Callable[[int, int], None] | None = None  # taps that care where (sliders, keyboards)
    scroll_key: str | None = None

    def add(self, *nodes: Node | None) -> Node:
        self.children.extend(n for n in nodes if n is not None)
        return self

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def contains(self, x: int, y: int) -> bool:
        left, top, right, bottom = self.bounds
        return left <= x < right and top <= y < bottom

    @property
    def center(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2

    def signature(self) -> tuple[Any, ...]:
        """Everything that affects the pixels, to know when a cached frame is still good."""
        own = (self.cls, self.bounds, self.text, self.draw_text, self.bg, self.fg, self.size, self.bold,
               self.align, self.radius, self.border, self.icon, self.checked, self.focused, self.selected,
               self.enabled, self.clip, self.pad, self.wrap, getattr(self.paint, "key", None))  # fmt: skip
        return (own, tuple(c.signature() for c in self.children))


def find(root: Node, pred: Callable[[Node], bool]) -> Node | None:
    """First node (pre-order) for which ``pred`` holds."""
    return next((n for n in root.walk() if pred(n)), None)


def hit(root: Node, x: int, y: int, want: Callable[[Node], bool]) -> Node | None:
    """The topmost node under (x, y) for which ``want`` holds (later siblings are on top)."""
    if not root.contains(x, y):
        return None
    for child in reversed(root.children):
        found = hit(child, x, y, want)
        if found is not None:
            return found
    return root if want(root) else None


def clip_rect(a: Rect, b: Rect) -> Rect:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[2], b[2]), min(a[3], b[3])
    return (left, top, max(left, right), max(top, bottom))
