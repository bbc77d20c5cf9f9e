"""smart_resize geometry: our pure-Python copy agrees with transformers, and the budgets the agent
relies on give the documented token counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize as hf_smart_resize

from qwen2vl_agent.model.vision import DEFAULT_MAX_PIXELS, OFFICIAL_MAX_PIXELS, PixelBudget, smart_resize


@pytest.mark.parametrize(
    ("size", "max_pixels", "resized", "tokens"),
    [
        ((224, 224), DEFAULT_MAX_PIXELS, (224, 224), 64),
        ((1080, 2400), DEFAULT_MAX_PIXELS, (672, 1484), 1272),
        ((1920, 1080), DEFAULT_MAX_PIXELS, (1316, 728), 1222),
        ((1080, 2400), OFFICIAL_MAX_PIXELS, (1092, 2408), 3354),
        ((1920, 1080), OFFICIAL_MAX_PIXELS, (1932, 1092), 2691),
        ((10, 10), DEFAULT_MAX_PIXELS, (56, 56), 4),
    ],
)
def test_documented_budgets(size, max_pixels, resized, tokens) -> None:
    budget = PixelBudget(max_pixels=max_pixels)
    assert budget.resize(*size) == resized
    assert budget.tokens(*size) == tokens


@given(
    width=st.integers(1, 5000),
    height=st.integers(1, 5000),
    max_tokens=st.integers(4, 20000),
)
def test_agrees_with_transformers(width: int, height: int, max_tokens: int) -> None:
    max_pixels = max_tokens * 28 * 28
    if max(width, height) / min(width, height) > 200:
        with pytest.raises(ValueError):
            smart_resize(height, width, max_pixels=max_pixels)
        return
    ours = smart_resize(height, width, max_pixels=max_pixels)
    assert ours == tuple(hf_smart_resize(height, width, max_pixels=max_pixels))
    h, w = ours
    assert h % 28 == 0 and w % 28 == 0


@pytest.mark.parametrize(
    "kwargs", [{"min_pixels": 0}, {"min_pixels": 10_000, "max_pixels": 5_000}, {"max_pixels": 100}, {"factor": 0}]
)
def test_bad_budgets_are_rejected(kwargs) -> None:
    with pytest.raises(ValueError):
        PixelBudget(**kwargs)


@pytest.mark.parametrize("size", [(0, 10), (10, -1), (1, 500)])
def test_bad_sizes_are_rejected(size) -> None:
    with pytest.raises(ValueError):
        PixelBudget().resize(*size)
