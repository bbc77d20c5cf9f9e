"""Typed configuration of the transformers backend. Importing this module loads neither torch nor
transformers, so the CLI and the agent can build and validate a config cheaply.

The screenshot pixel budget (``min_pixels``/``max_pixels``) lives here and only here: the backend hands
it to the image processor and answers ``image_size``/``image_tokens`` from it, so what the model sees and
what the coordinate mapping assumes cannot disagree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .vision import DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS, FACTOR

DEFAULT_HUB_MODEL = "Qwen/Qwen2-VL-2B-Instruct"

Dtype = Literal["bfloat16", "float16", "float32"]
Attention = Literal["flash_attention_2", "sdpa", "eager"]


class HFOptions(BaseModel):
    """How to run a Qwen2-VL checkpoint with transformers (every option but which checkpoint).

    ``None`` means "choose sensibly": device ``cuda`` when available, else ``cpu``; dtype ``bfloat16`` on
    CUDA, ``float32`` elsewhere; attention ``flash_attention_2`` when the flash-attn package is installed
    and the device is CUDA with a 16-bit dtype, else ``sdpa``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str | None = Field(None, description="e.g. cuda, cuda:1, cpu (default: cuda when available)")
    dtype: Dtype | None = Field(None, description="bfloat16, float16 or float32 (default: bf16 on CUDA, fp32 on CPU)")
    attn_implementation: Attention | None = None
    # The agent default is 1280 tokens per screenshot, not the official checkpoints' 16384: see
    # vision.DEFAULT_MAX_PIXELS for the numbers (a phone shot costs 1272 tokens instead of 3354).
    min_pixels: int = Field(DEFAULT_MIN_PIXELS, ge=FACTOR * FACTOR)
    max_pixels: int = Field(
        DEFAULT_MAX_PIXELS, ge=FACTOR * FACTOR, description="screenshot pixel budget per image (default: 1280*28*28)"
    )
    # Upper bound on new tokens; a call's own ``max_new_tokens`` is capped by it.
    max_new_tokens: int = Field(512, ge=1)
    # Force at least this many new tokens (eos is suppressed until then); for benchmarks that must
    # compare runs at a fixed output length. Stop strings still stop.
    min_new_tokens: int = Field(0, ge=0)
    # Greedy decoding (keeping the checkpoint's repetition penalty); False samples with the
    # checkpoint's own sampling settings.
    greedy: bool = True
    # Conversations advanced together in one forward pass; larger batches are split into chunks.
    max_batch_size: int = Field(8, ge=1)
    # Prompt prefixes (the system turn, and text-only turns before the first screenshot) whose
    # keys/values are kept between calls and shared by the rows of a batch; 0 turns the cache off.
    # See prefix.py: output is unchanged, the prefill skips ~1300 tokens per row.
    prefix_cache: int = Field(4, ge=0)
    # Screenshots whose vision-encoder output is kept, so the history images of later steps are not
    # encoded again (see vision_cache.py); 0 turns the cache off. Enough for 8 episodes showing 4
    # screenshots each, twice over; ~250 MB on the 2B shape at the default pixel budget.
    vision_cache: int = Field(64, ge=0)
    # Decode into a cache preallocated for the whole call (see hf.py): same output; faster batched decode
    # on a CPU, and on CUDA transformers then compiles the decode step (the first call of each shape waits
    # for the compilation).
    static_cache: bool = Field(
        False, description="decode into a preallocated cache (same replies; compiled decoding on CUDA)"
    )
    # Run the vision tower's patch embedding as a matmul instead of a Conv3d (same result; see
    # patch_embed.py).
    linear_patch_embed: bool = True
    # Never download: only a local directory or the local Hugging Face cache. Also implied by
    # HF_HUB_OFFLINE=1, and always in force for a local directory.
    local_files_only: bool = False

    @model_validator(mode="after")
    def _check_budget(self) -> HFOptions:
        if self.min_pixels > self.max_pixels:
            raise ValueError(f"min_pixels ({self.min_pixels}) is larger than max_pixels ({self.max_pixels})")
        return self


class HFModelConfig(HFOptions):
    """``HFOptions`` and the checkpoint they apply to."""

    model: str = Field(DEFAULT_HUB_MODEL, min_length=1, description="a local checkpoint directory or a hub id")
