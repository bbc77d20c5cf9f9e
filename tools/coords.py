"""Coordinate conventions: the one place where a model's point becomes a screenshot pixel.

A model states points in a *convention*; an environment takes points in the pixels of the screenshot it
returned. Three sizes matter and are kept apart:

- the screenshot size (``screen``): pixels of the image the environment returned;
- the model image size (``model_image``): the image the model actually saw after resizing
  (smart_resize for Qwen2-VL), needed by the ``abs_resized`` convention;
- the grid (0-1000 for Qwen2-VL).

Conventions (``CONVENTIONS``):

``rel1000``  Qwen2-VL grounding: integers 0..1000 over the image, 500 is the centre (the default).
``rel999``   a 0..999 grid of cells (Qwen3-VL style); a value names a cell, mapped to its centre.
``norm999``  a 0..999 grid with 999 at the far edge (``x * width / 999``), as the Qwen3-VL cookbook rescales;
             1000, the edge under the 0-1000 reading of other Qwen3-VL text, is accepted as the edge too.
``abs_resized``  pixels of the resized image the model saw (Qwen2.5-VL style).
``abs_screen``   pixels of the screenshot itself.

A point outside the convention's range is the model's mistake: ``PointOutOfRange`` carries a message
written for the model, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .actions import Action, point_fields
from .errors import ModelError

__all__ = [
    "CONVENTIONS", "DEFAULT_CONVENTION", "Convention", "Frame", "PointOutOfRange", "from_screen", "map_action",
    "to_screen",
]  # fmt: skip

Convention = Literal["rel1000", "rel999", "norm999", "abs_resized", "abs_screen"]
CONVENTIONS: tuple[Convention, ...] = ("rel1000", "rel999", "norm999", "abs_resized", "abs_screen")
DEFAULT_CONVENTION: Convention = "rel1000"


class PointOutOfRange(ModelError):
    """The model gave a point outside the coordinate range of its convention."""


@dataclass(frozen=True)
class Frame:
    """What a point is measured against: the screenshot size and the size the model saw."""

    screen: tuple[int, int]
    model_image: tuple[int, int]
    convention: Convention = DEFAULT_CONVENTION

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise ValueError(f"unknown coordinate convention {self.convention!r}; one of {', '.join(CONVENTIONS)}")
        for name, (w, h) in (("screen", self.screen), ("model_image", self.model_image)):
            if w <= 0 or h <= 0:
                raise ValueError(f"{name} size must be positive, got {w}x{h}")

    def describe(self) -> str:
        """How the model should state points under this convention (goes into the prompt)."""
        w, h = self.model_image
        return {
            "rel1000": "Points are [x, y] integers on a 0-1000 grid over the screenshot: [0, 0] is the top-left "
            "corner, [1000, 1000] the bottom-right, [500, 500] the centre.",
            "rel999": "Points are [x, y] integers on a 0-999 grid over the screenshot: [0, 0] is the top-left "
            "corner, [999, 999] the bottom-right.",
            "norm999": "Points are [x, y] integers on a 0-999 grid over the screenshot: [0, 0] is the top-left "
            "corner, [999, 999] the bottom-right.",
            "abs_resized": f"Points are [x, y] pixel coordinates in the {w}x{h} screenshot you see: [0, 0] is "
            "the top-left corner.",
            "abs_screen": f"Points are [x, y] pixel coordinates on the {self.screen[0]}x{self.screen[1]} screen: "
            "[0, 0] is the top-left corner.",
        }[self.convention]


def _axis_extent(frame: Frame, axis: int) -> tuple[float, int]:
    """(the convention's exclusive scale, its largest legal value) along one axis."""
    match frame.convention:
        case "rel1000":
            return 1000.0, 1000
        case "rel999":
            return 1000.0, 999
        case "norm999":
            return 999.0, 1000
        case "abs_resized":
            return float(frame.model_image[axis]), frame.model_image[axis] - 1
        case "abs_screen":
            return float(frame.screen[axis]), frame.screen[axis] - 1


def to_screen(point: tuple[int, int], frame: Frame) -> tuple[int, int]:
    """Map a model point to a screenshot pixel; raise ``PointOutOfRange`` if it is outside the range."""
    out = []
    for axis, value in enumerate(point):
        scale, top = _axis_extent(frame, axis)
        if not 0 <= value <= top:
            x, y = point
            raise PointOutOfRange(
                f"The point [{x}, {y}] is outside the screen. {frame.describe()} "
                f"Each coordinate must be between 0 and {top}."
            )
        size = frame.screen[axis]
        # rel1000 measures from the edge (1000 is the far edge); the others name a cell, taken at its centre.
        offset = 0.0 if frame.convention in ("rel1000", "norm999") else 0.5
        scaled = (value + offset) * size / scale
        out.append(min(round(scaled) if frame.convention == "norm999" else int(scaled), size - 1))
    return out[0], out[1]


def from_screen(pixel: tuple[int, int], frame: Frame) -> tuple[int, int]:
    """Map a screenshot pixel to the model's convention (the inverse of ``to_screen``, up to the grid)."""
    out = []
    for axis, value in enumerate(pixel):
        size = frame.screen[axis]
        if not 0 <= value < size:
            raise ValueError(f"pixel {pixel} is outside the {frame.screen[0]}x{frame.screen[1]} screenshot")
        scale, top = _axis_extent(frame, axis)
        centre = (value + 0.5) * scale / size
        edge_grid = frame.convention in ("rel1000", "norm999")
        out.append(min(round(centre) if edge_grid else int(centre), 999 if frame.convention == "norm999" else top))
    return out[0], out[1]


def map_action(action: Action, frame: Frame) -> Action:
    """Return ``action`` with every point mapped from the model's convention to screenshot pixels."""
    fields = point_fields(type(action))
    updates = {name: to_screen(getattr(action, name), frame) for name in fields if getattr(action, name) is not None}
    return action.model_copy(update=updates) if updates else action
