"""The UI tree (``uiautomator dump`` XML) as flat typed nodes, and selectors that find elements in it.

Selectors name an element the way a person describes it ("the row titled Wi-Fi", "the button Save"): by
exact text, text containing a string, content description, resource id (the part after ``:id/``), class,
and the n-th match. Task solutions use them; the oracle resolves them against the live screen.

``hittable(nodes, node)`` says whether a tap at the node's centre reaches it: the topmost clickable node
under that point (later in document order is drawn on top, as Android dispatches touches) must be the
node, one of its ancestors or one of its descendants - not a dialog, scrim or keyboard drawn over it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, model_validator

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


@dataclass(frozen=True)
class UiNode:
    """One view. ``index``: position in document order; ``parent``: the parent's index (-1 for the root)."""

    index: int
    parent: int
    text: str
    desc: str
    resource_id: str
    cls: str
    package: str
    bounds: tuple[int, int, int, int]
    clickable: bool = False
    checked: bool = False
    focused: bool = False
    scrollable: bool = False
    selected: bool = False

    @property
    def rid(self) -> str:
        """The resource id without its package: ``com.x:id/title`` -> ``title``."""
        return self.resource_id.split(":id/", 1)[-1]

    @property
    def centre(self) -> tuple[int, int]:
        x1, y1, x2, y2 = self.bounds
        return (x1 + x2) // 2, (y1 + y2) // 2

    def point_at(self, fx: float, fy: float) -> tuple[int, int]:
        """The point at fractions (fx, fy) of the bounds, kept inside them."""
        x1, y1, x2, y2 = self.bounds
        x = min(x2 - 1, max(x1, int(x1 + (x2 - x1) * fx)))
        y = min(y2 - 1, max(y1, int(y1 + (y2 - y1) * fy)))
        return x, y

    def contains(self, point: tuple[int, int]) -> bool:
        x1, y1, x2, y2 = self.bounds
        return x1 <= point[0] < x2 and y1 <= point[1] < y2

    @property
    def label(self) -> str:
        return self.text or self.desc or self.rid or self.cls.rsplit(".", 1)[-1]


def parse_ui(xml: str) -> list[UiNode]:
    """All nodes of a ``uiautomator dump``, in document order (text before the XML is ignored)."""
    start = xml.find("<?xml")
    start = start if start >= 0 else xml.find("<hierarchy")
    if start < 0:
        raise ValueError(f"not a uiautomator dump: {xml[:120]!r}")
    root = ET.fromstring(xml[start:].strip().encode("utf-8"))
    nodes: list[UiNode] = []
    _walk(root, -1, nodes)
    return nodes


def _walk(element: ET.Element, parent: int, out: list[UiNode]) -> None:
    for child in element:
        if child.tag != "node":
            continue
        match = _BOUNDS.fullmatch(child.get("bounds", ""))
        bounds = tuple(int(v) for v in match.groups()) if match else (0, 0, 0, 0)
        index = len(out)
        out.append(
            UiNode(
                index=index, parent=parent, text=child.get("text", ""), desc=child.get("content-desc", ""),
                resource_id=child.get("resource-id", ""), cls=child.get("class", ""),
                package=child.get("package", ""), bounds=bounds,  # type: ignore[arg-type]
                clickable=child.get("clickable") == "true", checked=child.get("checked") == "true",
                focused=child.get("focused") == "true", scrollable=child.get("scrollable") == "true",
                selected=child.get("selected") == "true",
            )
        )  # fmt: skip
        _walk(child, index, out)


def ancestors(nodes: list[UiNode], node: UiNode) -> list[UiNode]:
    out = []
    while node.parent >= 0:
        node = nodes[node.parent]
        out.append(node)
    return out


def topmost_clickable(nodes: list[UiNode], point: tuple[int, int]) -> UiNode | None:
    """The node a tap at ``point`` goes to (the last clickable node in document order containing it)."""
    for node in reversed(nodes):
        if node.clickable and node.contains(point):
            return node
    return None


def hittable(nodes: list[UiNode], node: UiNode, point: tuple[int, int] | None = None) -> bool:
    """Whether a tap at ``point`` (default: the centre) reaches ``node``."""
    point = point or node.centre
    x1, y1, x2, y2 = node.bounds
    if x2 <= x1 or y2 <= y1 or not node.contains(point):
        return False
    target = topmost_clickable(nodes, point)
    if target is None:
        return False
    return target is node or target in ancestors(nodes, node) or node in ancestors(nodes, target)


class Selector(BaseModel):
    """Which element: every given field must match; ``nth`` picks among the matches (document order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str | None = None
    text_contains: str | None = None
    desc: str | None = None
    rid: str | None = None
    cls: str | None = None
    nth: int = 0

    @model_validator(mode="after")
    def _something(self) -> Selector:
        if not any((self.text, self.text_contains, self.desc, self.rid, self.cls)):
            raise ValueError("a selector needs at least one of text, text_contains, desc, rid, cls")
        return self

    def matches(self, node: UiNode) -> bool:
        return (
            (self.text is None or node.text == self.text)
            and (self.text_contains is None or self.text_contains.casefold() in node.text.casefold())
            and (self.desc is None or node.desc == self.desc)
            and (self.rid is None or node.rid == self.rid)
            and (self.cls is None or node.cls.endswith(self.cls))
        )

    def find(self, nodes: list[UiNode]) -> UiNode | None:
        """The ``nth`` matching node, or None."""
        found = [n for n in nodes if self.matches(n)]
        return found[self.nth] if len(found) > self.nth else None

    def describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.model_dump(exclude_defaults=True).items()]
        return "element with " + ", ".join(parts)

    def label(self) -> str:
        """A short human name for replies: the text or description the selector looks for."""
        return self.text or self.text_contains or self.desc or self.rid or self.cls or "element"
