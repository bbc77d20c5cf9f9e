"""Qwen2-VL image geometry, in pure Python: what size a screenshot becomes and how many tokens it costs.

Qwen2-VL cuts an image into 14x14 patches and its merger turns each 2x2 block of patches into one LLM
token, so both sides are first rounded to a multiple of 28 (``FACTOR``) and the area is then scaled into
``[min_pixels, max_pixels]`` keeping the aspect ratio (``smart_resize``). The image costs
``(h / 28) * (w / 28)`` tokens, plus the ``<|vision_start|>``/``<|vision_end|>`` pair around it.

This mirrors transformers' ``smart_resize`` (``models/qwen2_vl/image_processing_qwen2_vl.py``) without
importing it, so the agent can budget its prompt without loading torch. The tests check the two agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PATCH_SIZE = 14
MERGE_SIZE = 2
FACTOR = PATCH_SIZE * MERGE_SIZE  # 28: one LLM token covers a 28x28 square of the resized image
MAX_ASPECT_RATIO = 200

# The transformers class default and the lower bound of every official checkpoint: 4 tokens.
DEFAULT_MIN_PIXELS = 56 * 56
# The budget we use for agents: 1280 tokens per image. A 1080x2400 phone screenshot becomes 672x1484
# (1272 tokens) instead of 3354 tokens at the official checkpoints' 12845056, and a 1920x1080 desktop
# 1222 tokens instead of 2691. UI text stays legible at this size, the vision encoder (quadratic in
# patches) runs ~7x cheaper, and several screenshots of history fit the context.
DEFAULT_MAX_PIXELS = 1280 * FACTOR * FACTOR
# What the official Qwen2-VL checkpoints' preprocessor_config.json says (16384 tokens per image).
OFFICIAL_MAX_PIXELS = 16384 * FACTOR * FACTOR


@dataclass(frozen=True)
class PixelBudget:
    """The area range a screenshot is scaled into before the model sees it, in pixels."""

    min_pixels: int = DEFAULT_MIN_PIXELS
    max_pixels: int = DEFAULT_MAX_PIXELS
    factor: int = FACTOR

    def __post_init__(self) -> None:
        if self.factor <= 0:
            raise ValueError(f"factor must be positive, got {self.factor}")
        if not 0 < self.min_pixels <= self.max_pixels:
            raise ValueError(f"need 0 < min_pixels <= max_pixels, got {self.min_pixels} and {self.max_pixels}")
        if self.max_pixels < self.factor * self.factor:
            raise ValueError(f"max_pixels must be at least {self.factor * self.factor} (one token)")

    def resize(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) an image of this size is resized to."""
        h, w = smart_resize(height, width, self.factor, self.min_pixels, self.max_pixels)
        return w, h

    def tokens(self, width: int, height: int) -> int:
        """LLM tokens for one image of this size, without the two vision start/end tokens."""
        w, h = self.resize(width, height)
        return (w // self.factor) * (h // self.factor)


class BudgetedImages:
    """``image_size`` and ``image_tokens`` of a backend that scales every screenshot into ``self.budget``
    (the HF and OpenAI-compatible backends: they compute both the same way)."""

    budget: PixelBudget

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) a screenshot of this size is resized to before the model sees it."""
        return self.budget.resize(width, height)

    def image_tokens(self, width: int, height: int) -> int:
        """Prompt tokens one screenshot of this size costs (plus 2 for its vision start/end markers)."""
        return self.budget.tokens(width, height)


def smart_resize(
    height: int,
    width: int,
    factor: int = FACTOR,
    min_pixels: int = DEFAULT_MIN_PIXELS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[int, int]:
    """Return (height, width): both multiples of ``factor``, area within [min_pixels, max_pixels].

    Same argument order and arithmetic as Qwen's reference implementation (height first).
    Raises ``ValueError`` for empty images and aspect ratios beyond 200:1.
    """
    if height <= 0 or width <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    if max(height, width) / min(height, width) > MAX_ASPECT_RATIO:
        raise ValueError(f"aspect ratio must be below {MAX_ASPECT_RATIO}, got {width}x{height}")
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar
