"""Screenshot pixels <-> pointer units: offsets, HiDPI scale, gaps between monitors (pure, no X)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qwen2vl_agent.envs import ActionRejected
from qwen2vl_agent.envs.desktop import Monitor, OffScreen, ScreenMap
from qwen2vl_agent.envs.desktop.geometry import bounding_box, monitor_list

LEFT = Monitor(0, 0, 1920, 1080, name="DP-1", primary=True)
RIGHT = Monitor(1920, 0, 1280, 1024, name="HDMI-1")  # shorter: a gap below it in the virtual screen


def test_bounding_box_is_mss_monitor_zero():
    assert bounding_box([LEFT, RIGHT]) == Monitor(0, 0, 3200, 1080, name="all")
    assert monitor_list([LEFT, RIGHT])[1:] == [LEFT, RIGHT]
    left_of_primary = Monitor(-1280, 200, 1280, 720)
    assert bounding_box([LEFT, left_of_primary]) == Monitor(-1280, 0, 3200, 1080, name="all")


@pytest.mark.parametrize(
    ("region", "image", "pixel", "pointer"),
    [
        (LEFT, (1920, 1080), (0, 0), (0, 0)),
        (LEFT, (1920, 1080), (1919, 1079), (1919, 1079)),
        (RIGHT, (1280, 1024), (100, 50), (2020, 50)),  # the second monitor's offset
        (RIGHT, (2560, 2048), (201, 101), (2020, 50)),  # a 2x (HiDPI) screenshot of a 1x pointer space
        (RIGHT, (640, 512), (50, 25), (2021, 51)),  # a half-size screenshot: the centre of a 2x2 cell
        (Monitor(-1280, 200, 1280, 720), (1280, 720), (10, 10), (-1270, 210)),  # left of the primary
    ],
)
def test_to_pointer(region, image, pixel, pointer):
    screen = ScreenMap(region, image, (LEFT, RIGHT, Monitor(-1280, 200, 1280, 720)))
    assert screen.to_pointer(pixel) == pointer


def test_scale_is_explicit():
    assert ScreenMap(RIGHT, (2560, 2048), (RIGHT,)).scale == (2.0, 2.0)
    assert ScreenMap(LEFT, (1280, 720), (LEFT,)).scale == pytest.approx((2 / 3, 2 / 3))


@pytest.mark.parametrize("pixel", [(-1, 0), (0, -1), (1920, 0), (0, 1080), (5000, 5000)])
def test_point_outside_the_screenshot_is_the_models_mistake(pixel):
    screen = ScreenMap(LEFT, (1920, 1080), (LEFT, RIGHT))
    with pytest.raises(OffScreen, match="outside the 1920x1080 screenshot") as info:
        screen.to_pointer(pixel)
    assert isinstance(info.value, ActionRejected)


def test_point_between_monitors_is_rejected():
    whole = ScreenMap(bounding_box([LEFT, RIGHT]), (3200, 1080), (LEFT, RIGHT))
    assert whole.to_pointer((2000, 1000)) == (2000, 1000)  # on the second monitor
    with pytest.raises(OffScreen, match="on no monitor"):
        whole.to_pointer((2000, 1050))  # below the shorter monitor


_sizes = st.integers(1, 4000)
_scales = st.sampled_from([1.0, 1.25, 1.5, 2.0, 3.0])


@given(w=_sizes, h=_sizes, s=_scales, left=st.integers(-4000, 4000), top=st.integers(-4000, 4000), data=st.data())
def test_pointer_pixel_pointer_round_trip_when_screenshot_is_not_smaller(w, h, s, left, top, data):
    region = Monitor(left, top, w, h)
    screen = ScreenMap(region, (round(w * s), round(h * s)), (region,))
    x = data.draw(st.integers(left, left + w - 1))
    y = data.draw(st.integers(top, top + h - 1))
    assert screen.to_pointer(screen.to_pixel((x, y))) == (x, y)


@given(w=_sizes, h=_sizes, s=_scales, left=st.integers(-4000, 4000), data=st.data())
def test_pixel_pointer_pixel_round_trip_when_screenshot_is_not_larger(w, h, s, left, data):
    region = Monitor(left, 0, round(w * s), round(h * s))
    screen = ScreenMap(region, (w, h), (region,))
    px, py = data.draw(st.integers(0, w - 1)), data.draw(st.integers(0, h - 1))
    assert region.contains(screen.to_pointer((px, py)))
    assert screen.to_pixel(screen.to_pointer((px, py))) == (px, py)


def test_monitor_validation_and_mss_dicts():
    with pytest.raises(ValueError, match="positive size"):
        Monitor(0, 0, 0, 10)
    m = Monitor.from_mss({"left": 1920, "top": 0, "width": 1280, "height": 1024, "output": "HDMI-1"})
    assert m == Monitor(1920, 0, 1280, 1024, name="HDMI-1")
    assert m.as_dict()["left"] == 1920
    assert m.corners() == ((1920, 0), (3199, 0), (1920, 1023), (3199, 1023))
