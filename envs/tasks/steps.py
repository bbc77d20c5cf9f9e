"""A task's scripted solution: typed high-level steps, resolved against the live screen by the oracle.

Each step is what a careful person would do next: open an app, tap the element described by a
``Selector`` (scrolling a list first when the plan says the element may be off screen), type text into the
focused field, press a key, give an answer, declare the task done. Solutions never hold coordinates: the
oracle finds the element on the current screen, so a changed layout breaks the plan loudly instead of
tapping the wrong place.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .ui import Selector


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Launch(_Step):
    """Open an app by its launcher name."""

    kind: Literal["launch"] = "launch"
    app: str


class TapOn(_Step):
    """Tap an element, at fractions ``at`` of its bounds (the centre by default; a slider's end: 0.99).

    ``beside``: among the matches, take the one with a sibling matching this (e.g. the delete button in
    the row whose time reads "7:05 AM"). ``scroll``: the element may be off screen; swipe the first
    scrollable list (``within``, if given) to see what is further ``down`` or ``up`` until it shows, at most
    ``max_swipes`` times.
    """

    kind: Literal["tap"] = "tap"
    target: Selector
    beside: Selector | None = None
    at: tuple[float, float] = (0.5, 0.5)
    scroll: Literal["up", "down"] | None = None
    within: Selector | None = None
    max_swipes: int = Field(12, ge=1, le=50)


class TypeText(_Step):
    """Type text into the focused field."""

    kind: Literal["type"] = "type"
    text: str = Field(min_length=1)


class PressKey(_Step):
    kind: Literal["key"] = "key"
    key: Literal["back", "home", "enter"]


class AnswerWith(_Step):
    """Answer a question (information-retrieval tasks)."""

    kind: Literal["answer"] = "answer"
    text: str = Field(min_length=1)


class Finish(_Step):
    """Declare the task done (or infeasible)."""

    kind: Literal["finish"] = "finish"
    status: Literal["success", "failure"] = "success"


Step = Annotated[Union[Launch, TapOn, TypeText, PressKey, AnswerWith, Finish], Field(discriminator="kind")]


# ---------------------------------------------------------------- shorthands for solutions


def tap_text(text: str, *, scroll: Literal["up", "down"] | None = None, nth: int = 0) -> TapOn:
    return TapOn(target=Selector(text=text, nth=nth), scroll=scroll)


def tap_desc(desc: str, *, nth: int = 0) -> TapOn:
    return TapOn(target=Selector(desc=desc, nth=nth))


def tap_button(text: str) -> TapOn:
    """Tap a button by its label (e.g. a dialog's "Delete", not the toolbar icon described "Delete")."""
    return TapOn(target=Selector(text=text, cls="Button"))


def fill(field: Selector, text: str) -> list[_Step]:
    """Focus a text field, then type into it."""
    return [TapOn(target=field), TypeText(text=text)]
