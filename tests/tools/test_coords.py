"""Coordinate conventions: the one mapping from model points to screenshot pixels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwen2vl_agent.tools import (
    CONVENTIONS,
    Drag,
    Frame,
    PointOutOfRange,
    Scroll,
    Swipe,
    Tap,
    from_screen,
    map_action,
    to_screen,
)

SIZES = [(1080, 2400), (1920, 1080), (1280, 800), (720, 1280), (333, 777), (1, 1), (2, 3)]


@pytest.mark.parametrize("size", SIZES)
def test_centre_is_the_centre_on_every_size(size: tuple[int, int]) -> None:
    w, h = size
    for centre in ((500, 500),):
        x, y = to_screen(centre, Frame(screen=size, model_image=size, convention="rel1000"))
        assert abs(x - (w - 1) / 2) <= 0.5 + 1e-9 or w == 1
        assert abs(y - (h - 1) / 2) <= 0.5 + 1e-9 or h == 1


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("size", SIZES)
def test_corners_land_in_the_corner_cells(convention: str, size: tuple[int, int]) -> None:
    model_image = (size[0] // 2 + 1, size[1] // 2 + 1)
    frame = Frame(screen=size, model_image=model_image, convention=convention)
    grid = {
        "rel1000": (1000, 1000),
        "rel999": (1000, 1000),
        "norm999": (999, 999),
        "abs_resized": model_image,
        "abs_screen": size,
    }
    top = {"rel1000": (1000, 1000), "rel999": (999, 999), "norm999": (999, 999)}.get(
        convention, (grid[convention][0] - 1, grid[convention][1] - 1)
    )
    cell = (size[0] / grid[convention][0], size[1] / grid[convention][1])
    x0, y0 = to_screen((0, 0), frame)
    x1, y1 = to_screen(top, frame)
    assert 0 <= x0 <= cell[0] and 0 <= y0 <= cell[1]
    assert size[0] - 1 - cell[0] <= x1 <= size[0] - 1 and size[1] - 1 - cell[1] <= y1 <= size[1] - 1


@pytest.mark.parametrize("convention", CONVENTIONS)
@given(st.integers(1, 4000), st.integers(1, 4000), st.data())
def test_round_trip_screen_model_screen(convention: str, w: int, h: int, data: st.DataObject) -> None:
    model_image = (max(28, w // 28 * 28 // 2), max(28, h // 28 * 28 // 2))
    frame = Frame(screen=(w, h), model_image=model_image, convention=convention)
    px = data.draw(st.integers(0, w - 1))
    py = data.draw(st.integers(0, h - 1))
    back = to_screen(from_screen((px, py), frame), frame)
    # a pixel comes back within one cell of the convention's grid
    cell_x = (
        w
        / {"rel1000": 1000, "rel999": 1000, "norm999": 999, "abs_resized": model_image[0], "abs_screen": w}[convention]
    )
    cell_y = (
        h
        / {"rel1000": 1000, "rel999": 1000, "norm999": 999, "abs_resized": model_image[1], "abs_screen": h}[convention]
    )
    assert abs(back[0] - px) <= max(1.0, cell_x)
    assert abs(back[1] - py) <= max(1.0, cell_y)


def test_abs_screen_is_identity() -> None:
    frame = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="abs_screen")
    assert to_screen((17, 2399), frame) == (17, 2399)
    assert from_screen((17, 2399), frame) == (17, 2399)


def test_abs_resized_scales_from_the_image_the_model_saw() -> None:
    frame = Frame(screen=(1080, 2400), model_image=(540, 1200), convention="abs_resized")
    assert to_screen((270, 600), frame) == (541, 1201)  # centre of the resized pixel, in screen pixels


@pytest.mark.parametrize(
    ("convention", "point"),
    [
        ("rel1000", (1001, 5)),
        ("rel1000", (-1, 5)),
        ("rel999", (1000, 0)),
        ("norm999", (1001, 0)),
        ("abs_resized", (540, 3)),
        ("abs_screen", (5, 2400)),
    ],
)
def test_out_of_range_is_a_model_error(convention: str, point: tuple[int, int]) -> None:
    frame = Frame(screen=(1080, 2400), model_image=(540, 1200), convention=convention)
    with pytest.raises(PointOutOfRange, match="outside the screen"):
        to_screen(point, frame)


def test_map_action_maps_every_point_field() -> None:
    frame = Frame(screen=(1000, 2000), model_image=(1000, 2000))
    assert map_action(Tap(point=(500, 500)), frame) == Tap(point=(500, 1000))
    assert map_action(Swipe(start=(0, 1000), end=(1000, 0)), frame) == Swipe(start=(0, 1999), end=(999, 0))
    assert map_action(Drag(start=(100, 100), end=(200, 200)), frame) == Drag(start=(100, 200), end=(200, 400))
    assert map_action(Scroll(direction="down"), frame) == Scroll(direction="down")
    assert map_action(Scroll(direction="up", point=(500, 0)), frame).point == (500, 0)


def test_frame_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown coordinate convention"):
        Frame(screen=(1, 1), model_image=(1, 1), convention="pixels")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be positive"):
        Frame(screen=(0, 1), model_image=(1, 1))


def test_norm999_follows_the_qwen3_cookbook_and_takes_1000_as_the_edge() -> None:
    # QwenLM/Qwen3-VL cookbooks/mobile_agent.ipynb rescales with round(x / 999 * width)
    frame = Frame(screen=(1440, 3120), model_image=(1440, 3120), convention="norm999")
    assert to_screen((447, 81), frame) == (round(447 / 999 * 1440), round(81 / 999 * 3120))
    assert to_screen((999, 999), frame) == (1439, 3119)
    assert to_screen((1000, 1000), frame) == (1439, 3119)
    assert to_screen((0, 0), frame) == (0, 0)
    assert from_screen((1439, 3119), frame) == (999, 999)
