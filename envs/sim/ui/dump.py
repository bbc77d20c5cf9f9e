"""uiautomator's XML, generated from the same widget tree that is drawn.

Format as ``uiautomator dump`` writes it on Android 13/14: one line, ``<hierarchy rotation="N">`` with
nested ``<node>`` elements carrying index, text, resource-id, class, package, content-desc, the boolean
states and ``bounds="[l,t][r,b]"``. Bounds are clipped to scrolling containers; views scrolled fully out
of sight are left out, as a RecyclerView would not have them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .node import Node, Rect, clip_rect

HEADER = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
FLAGS = ("checkable", "checked", "clickable", "enabled", "focusable", "focused", "scrollable",
         "long-clickable", "password", "selected")  # fmt: skip


ATTR_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def quoteattr(value: str) -> str:
    """An attribute value as Android's XmlSerializer writes it: always double quotes, ``"`` as ``&quot;``."""
    return '"' + escape(value, ATTR_ESCAPES) + '"'


def dump_xml(root: Node, rotation: int = 0, compressed: bool = False) -> str:
    """The hierarchy as one XML line (``compressed`` drops unlabelled, inert containers)."""
    out: list[str] = [HEADER, f'<hierarchy rotation="{rotation}">']
    _node(out, root, 0, root.bounds, compressed)
    out.append("</hierarchy>")
    return "".join(out)


def _resource_id(node: Node) -> str:
    if not node.rid or ":" in node.rid:
        return node.rid
    return f"{node.package}:id/{node.rid}"


def _boring(node: Node) -> bool:
    return not (node.text or node.desc or node.rid or node.clickable or node.scrollable or node.focusable)


def _node(out: list[str], node: Node, index: int, visible: Rect, compressed: bool) -> None:
    bounds = clip_rect(node.bounds, visible)
    if bounds[2] <= bounds[0] or bounds[3] <= bounds[1]:
        return
    inner = bounds if node.clip else visible
    if compressed and _boring(node):
        for i, child in enumerate(node.children):
            _node(out, child, index + i, inner, compressed)
        return
    flags = (node.checkable, node.checked, node.clickable, node.enabled, node.focusable, node.focused,
             node.scrollable, node.long_clickable, node.password, node.selected)  # fmt: skip
    text = node.text if not node.password else "•" * len(node.text)
    attrs = [
        f'index="{index}"',
        f"text={quoteattr(text)}",
        f"resource-id={quoteattr(_resource_id(node))}",
        f"class={quoteattr(node.cls)}",
        f"package={quoteattr(node.package)}",
        f"content-desc={quoteattr(node.desc)}",
        *(f'{name}="{str(v).lower()}"' for name, v in zip(FLAGS, flags, strict=True)),
        f'bounds="[{bounds[0]},{bounds[1]}][{bounds[2]},{bounds[3]}]"',
    ]
    out.append("<node " + " ".join(attrs) + (">" if node.children else " />"))
    if node.children:
        for i, child in enumerate(node.children):
            _node(out, child, i, inner, compressed)
        out.append("</node>")
