"""Monitors and the map from screenshot pixels to pointer coordinates. Pure data, no I/O.

Three spaces meet on a desktop:

- pointer units: the coordinates the mouse is moved in (X11 root-window pixels), shared by all monitors;
  a monitor is a rectangle in this space, possibly offset (the second monitor starts at x=1920);
- screenshot pixels: the image the env returned for one capture region (a monitor, or the bounding box of
  all monitors); on HiDPI systems it may hold more pixels than the region has pointer units (2x);
- the model's grid (``tools.coords``), already mapped to screenshot pixels before an env sees a point.

``ScreenMap`` converts between the first two for one capture, taking the region's offset and the scale
(screenshot pixels per pointer unit, per axis) into account. A pixel names a cell; it maps to the pointer
unit under the cell's centre, so ``pixel -> pointer -> pixel`` is exact when the screenshot is not larger
than the pointer space and ``pointer -> pixel -> pointer`` is exact when it is not smaller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..base import ActionRejected


class OffScreen(ActionRejected):
    """A point outside the screenshot or on no monitor; the message is written for the model."""


@dataclass(frozen=True)
class Monitor:
    """A rectangle in pointer units: one monitor, or the bounding box of several (mss's monitor 0)."""

    left: int
    top: int
    width: int
    height: int
    name: str | None = None
    primary: bool = False

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"a monitor needs a positive size, got {self.width}x{self.height}")

    @property
    def right(self) -> int:
        """One past the last column."""
        return self.left + self.width

    @property
    def bottom(self) -> int:
        """One past the last row."""
        return self.top + self.height

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def contains(self, point: tuple[int, int]) -> bool:
        x, y = point
        return self.left <= x < self.right and self.top <= y < self.bottom

    def corners(self) -> tuple[tuple[int, int], ...]:
        """The four corner pixels (where pyautogui's fail-safe gesture points)."""
        r, b = self.right - 1, self.bottom - 1
        return (self.left, self.top), (r, self.top), (self.left, b), (r, b)

    def as_dict(self) -> dict[str, Any]:
        """mss's monitor dict (``left top width height``) plus ``name`` and ``primary``."""
        return {
            "left": self.left,
            "top": self.top,
            "width": self.width,
            "height": self.height,
            "name": self.name,
            "primary": self.primary,
        }

    @classmethod
    def from_mss(cls, data: Mapping[str, Any]) -> Monitor:
        """From one of mss's monitor dicts."""
        name = data.get("output") or data.get("name")
        return cls(
            int(data["left"]),
            int(data["top"]),
            int(data["width"]),
            int(data["height"]),
            name=str(name) if name else None,
            primary=bool(data.get("is_primary", False)),
        )


def bounding_box(monitors: Sequence[Monitor]) -> Monitor:
    """The smallest rectangle holding every monitor (the virtual screen)."""
    if not monitors:
        raise ValueError("no monitors")
    left = min(m.left for m in monitors)
    top = min(m.top for m in monitors)
    right = max(m.right for m in monitors)
    bottom = max(m.bottom for m in monitors)
    return Monitor(left, top, right - left, bottom - top, name="all")


def monitor_list(monitors: Sequence[Monitor]) -> list[Monitor]:
    """mss's layout: index 0 is the bounding box of all monitors, 1..N the monitors themselves."""
    return [bounding_box(monitors), *monitors]


@dataclass(frozen=True)
class ScreenMap:
    """How one screenshot's pixels relate to pointer units.

    ``region``: the captured rectangle in pointer units. ``image_size``: the screenshot's size in pixels.
    ``monitors``: the individual monitors; a pointer position on none of them (the gap between monitors of
    different sizes, black in a whole-desktop screenshot) is rejected.
    """

    region: Monitor
    image_size: tuple[int, int]
    monitors: tuple[Monitor, ...]

    def __post_init__(self) -> None:
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise ValueError(f"the screenshot size must be positive, got {w}x{h}")

    @property
    def scale(self) -> tuple[float, float]:
        """Screenshot pixels per pointer unit, per axis (2.0 on a 2x HiDPI screenshot)."""
        return self.image_size[0] / self.region.width, self.image_size[1] / self.region.height

    def to_pointer(self, pixel: tuple[int, int]) -> tuple[int, int]:
        """The pointer position under the centre of screenshot pixel ``pixel``; ``OffScreen`` if none."""
        w, h = self.image_size
        px, py = pixel
        if not (0 <= px < w and 0 <= py < h):
            raise OffScreen(
                f"The point [{px}, {py}] is outside the {w}x{h} screenshot. "
                f"Use a point on the screen: x from 0 to {w - 1}, y from 0 to {h - 1}."
            )
        sx, sy = self.scale
        x = self.region.left + _cell(px, 1 / sx, self.region.width)
        y = self.region.top + _cell(py, 1 / sy, self.region.height)
        if self.monitors and not any(m.contains((x, y)) for m in self.monitors):
            raise OffScreen(
                f"The point [{px}, {py}] is on no monitor (the black area of the screenshot between "
                "monitors). Choose a point on a visible part of the screen."
            )
        return x, y

    def to_pixel(self, pointer: tuple[int, int]) -> tuple[int, int]:
        """The screenshot pixel under the centre of pointer unit ``pointer`` (inside the region)."""
        x, y = pointer
        if not self.region.contains(pointer):
            raise ValueError(f"pointer position {pointer} is outside the captured region {self.region}")
        sx, sy = self.scale
        return (
            _cell(x - self.region.left, sx, self.image_size[0]),
            _cell(y - self.region.top, sy, self.image_size[1]),
        )


def _cell(index: int, factor: float, size: int) -> int:
    """The cell of the target grid under the centre of cell ``index`` of a grid ``factor`` times coarser."""
    return min(max(math.floor((index + 0.5) * factor), 0), size - 1)
