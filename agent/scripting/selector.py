"""Selectors over the UI tree (``uiautomator dump`` XML), and the error that names what was on screen instead.

A ``Selector`` names an element the way uiautomator2's ``d(text=..., resourceId=...)`` does: every given
field must match, ``index`` picks the n-th match in document order (uiautomator2's ``instance``), and
``within`` keeps only descendants of another selector's element (uiautomator2's ``.child()``)::

    Selector(text="Wi-Fi")
    Selector(id="android:id/switch_widget")            # a full resource id, or the part after ":id/"
    Selector(text_matches=r"Wi.?Fi", cls="Switch")     # regex (``re.search``), class name or its suffix
    Selector(desc="Save", within=Selector(id="toolbar"))

Pure: nodes in (``envs.tasks.ui.parse_ui``), nodes out.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qwen2vl_agent.envs.tasks.ui import UiNode, ancestors

SHOWN_LABELS = 30  # of the screen's texts, in a "not found" message
FIELDS = ("text", "text_contains", "text_matches", "id", "desc", "desc_contains", "cls")


class Selector(BaseModel):
    """Which element: every given field must match; see the module docstring.

    >>> Selector(text="Wi-Fi").describe()
    "text='Wi-Fi'"
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str | None = None
    text_contains: str | None = Field(None, description="case-insensitive substring of the text")
    text_matches: str | None = Field(None, description="a regular expression searched in the text")
    id: str | None = Field(None, description="resource id: 'pkg:id/name' exactly, or 'name' in any package")
    desc: str | None = Field(None, description="content description, exactly")
    desc_contains: str | None = Field(None, description="case-insensitive substring of the content description")
    cls: str | None = Field(None, description="class name, or its last dotted part(s): 'Switch', 'widget.Switch'")
    index: int = Field(0, ge=0, description="which match, in document order")
    within: Selector | None = Field(None, description="only descendants of this element")

    @model_validator(mode="after")
    def _something(self) -> Selector:
        if all(getattr(self, name) is None for name in FIELDS):
            raise ValueError(f"a selector needs at least one of {', '.join(FIELDS)}")
        if self.text_matches is not None:
            re.compile(self.text_matches)  # a bad pattern fails here, not at the first lookup
        return self

    @classmethod
    def of(klass, selector: Selector | None = None, /, **fields: Any) -> Selector:  # not cls: a field is called that
        """``selector`` itself, or one made of ``fields`` (what the facade's keyword arguments become)."""
        if selector is not None:
            if fields:
                raise TypeError("pass either a Selector or selector fields, not both")
            return selector
        return klass(**fields)

    def child(self, **fields: Any) -> Selector:
        """A selector for a descendant of this selector's element: ``Selector(id="list").child(text="Bob")``."""
        return Selector(**fields, within=self)

    def matches(self, node: UiNode) -> bool:
        """Whether ``node`` itself matches the fields (``index`` and ``within`` are not looked at)."""
        return (
            (self.text is None or node.text == self.text)
            and (self.text_contains is None or self.text_contains.casefold() in node.text.casefold())
            and (self.text_matches is None or re.search(self.text_matches, node.text) is not None)
            and (self.id is None or _id_matches(self.id, node.resource_id))
            and (self.desc is None or node.desc == self.desc)
            and (self.desc_contains is None or self.desc_contains.casefold() in node.desc.casefold())
            and (self.cls is None or node.cls == self.cls or node.cls.endswith("." + self.cls))
        )

    def find_all(self, nodes: list[UiNode]) -> list[UiNode]:
        """Every node that matches, in document order (``index`` not applied)."""
        found = [n for n in nodes if self.matches(n)]
        if self.within is None:
            return found
        parent = self.within.find(nodes)
        if parent is None:
            return []
        return [n for n in found if parent in ancestors(nodes, n)]

    def find(self, nodes: list[UiNode]) -> UiNode | None:
        """The ``index``-th match, or None."""
        found = self.find_all(nodes)
        return found[self.index] if len(found) > self.index else None

    def describe(self) -> str:
        """The selector as one would write it: ``text='Wi-Fi', index=1 within id='list'``."""
        parts = [f"{k}={getattr(self, k)!r}" for k in (*FIELDS, "index") if getattr(self, k) not in (None, 0)]
        inner = ", ".join(parts)
        return f"{inner} within {self.within.describe()}" if self.within is not None else inner


def _id_matches(wanted: str, resource_id: str) -> bool:
    if ":id/" in wanted:
        return resource_id == wanted
    return resource_id.split(":id/", 1)[-1] == wanted


def screen_labels(nodes: list[UiNode], limit: int = SHOWN_LABELS) -> list[str]:
    """What the screen shows, for a person reading an error: each distinct text or description, in order."""
    labels: list[str] = []
    for node in nodes:
        for label in (node.text, node.desc):
            if label and label not in labels:
                labels.append(label)
    return labels[:limit] + ([f"... {len(labels) - limit} more"] if len(labels) > limit else [])


class ElementNotFound(LookupError):
    """No element matched within the timeout. The message names what the screen showed instead.

    ``selector``: what was looked for; ``labels``: the screen's texts and descriptions; ``foreground``: the
    activity in front, when known.
    """

    def __init__(self, selector: Selector, nodes: list[UiNode], timeout_s: float, foreground: str | None) -> None:
        self.selector, self.labels, self.foreground = selector, screen_labels(nodes), foreground
        where = f" on {foreground}" if foreground else ""
        shown = ", ".join(repr(label) for label in self.labels) or "nothing with text"
        near = _near_misses(selector, nodes)
        hint = f" Close matches: {', '.join(near)}." if near else ""
        super().__init__(
            f"no element with {selector.describe()}{where} after {timeout_s:g} s; the screen shows: {shown}.{hint}"
        )


def _near_misses(selector: Selector, nodes: list[UiNode]) -> list[str]:
    """Texts that match the wanted text but for case or surrounding words (the usual selector mistake)."""
    wanted = (selector.text or selector.desc or "").casefold()
    if not wanted:
        return []
    near = [label for label in screen_labels(nodes, limit=len(nodes) * 2) if wanted in label.casefold()]
    return [repr(label) for label in near[:5]]
