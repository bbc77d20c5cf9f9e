"""The Qwen vision-language architectures this project builds tiny checkpoints of and loads, in pure Python.

One ``ArchSpec`` per checkpoint ``model_type``: the transformers classes, the special tokens of the
official tokenizer, the chat template the official checkpoint ships, and the vision patch geometry. The
tiny builder (``tiny.py``) and the loader read these; the image patch factor used at run time always
comes from the loaded checkpoint's own processor config (``hf.HFModel._apply_pixel_budget``), never
from here.

Sources of the templates:

- Qwen2-VL and Qwen2.5-VL: the processor's ``chat_template.json`` of Qwen/Qwen2-VL-*-Instruct and
  Qwen/Qwen2.5-VL-*-Instruct is the same vision template (``qwen2vl_chat_template.jinja``). It has no
  ``tools`` section: the ``<tools>`` / ``<tool_call>`` text is only in their ``tokenizer_config.json``
  (the text-only Qwen2.5 template, which cannot render images); see QwenLM/Qwen3-VL issues #914 and
  #1093. The Qwen2.5-VL cookbooks therefore write the tool section into the system message themselves.
- Qwen3-VL: the ``chat_template.json`` of Qwen/Qwen3-VL-*-Instruct (``qwen3vl_chat_template.jinja``,
  5292 bytes, SHA-256 3636d0f0...a489e4 as pinned by zhongkaifu/TensorSharp's tests against the GGUF
  export of Qwen3-VL-8B-Instruct, and as printed by llama.cpp servers loading Qwen3-VL-30B-A3B): it
  renders ``tools`` into ``<tools>``, assistant ``tool_calls`` as ``<tool_call>`` and tool results as
  ``<tool_response>``, with images allowed in user and tool turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Arch = Literal["qwen2_vl", "qwen2_5_vl", "qwen3_vl"]
ARCHES: tuple[Arch, ...] = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")
DEFAULT_ARCH: Arch = "qwen2_vl"

_HERE = Path(__file__).parent

# Qwen2-VL's special tokens, in the order (and so with the relative ids) of the official tokenizer.
QWEN2VL_SPECIAL = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>",
    "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
)  # fmt: skip
# The added tokens after ``<|video_pad|>`` in the Qwen2.5(-VL) vocabulary (ids 151657-151664). In the
# official tokenizer_config.json they are not special ("special": false), so a decode that skips
# special tokens keeps ``<tool_call>``.
QWEN25_ADDED = (
    "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>",
    "<|repo_name|>", "<|file_sep|>",
)  # fmt: skip
# Qwen3's further added tokens (ids 151665-151668), also not special.
QWEN3_ADDED = (*QWEN25_ADDED, "<tool_response>", "</tool_response>", "<think>", "</think>")


@dataclass(frozen=True)
class ArchSpec:
    """What is particular to one architecture; see the module docstring."""

    arch: Arch
    model_class: str  # in ``transformers``
    config_class: str
    processor_class: str
    video_processor_class: str
    added_tokens: tuple[str, ...]  # after the special tokens, not special (kept when decoding)
    template_file: str
    patch_size: int  # vision patch side in pixels; the processor merges merge_size x merge_size patches
    merge_size: int = 2
    # The official processor config's pixel range (image_processor ``size``) and normalisation.
    min_pixels: int = 56 * 56
    max_pixels: int = 16384 * 28 * 28
    image_mean: tuple[float, float, float] | None = None  # None: the image processor's default (CLIP's)
    image_std: tuple[float, float, float] | None = None

    @property
    def factor(self) -> int:
        """Pixels per side of the square one LLM token covers (28 or 32)."""
        return self.patch_size * self.merge_size

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token added to the tiny tokenizer after the ordinary ones, in the official order."""
        return QWEN2VL_SPECIAL + self.added_tokens

    def chat_template(self) -> str:
        return (_HERE / self.template_file).read_text(encoding="utf-8").removesuffix("\n")


SPECS: dict[Arch, ArchSpec] = {
    "qwen2_vl": ArchSpec(
        "qwen2_vl", "Qwen2VLForConditionalGeneration", "Qwen2VLConfig", "Qwen2VLProcessor",
        "Qwen2VLVideoProcessor", (), "qwen2vl_chat_template.jinja", patch_size=14,
    ),
    "qwen2_5_vl": ArchSpec(
        "qwen2_5_vl", "Qwen2_5_VLForConditionalGeneration", "Qwen2_5_VLConfig", "Qwen2_5_VLProcessor",
        "Qwen2VLVideoProcessor", QWEN25_ADDED, "qwen2vl_chat_template.jinja", patch_size=14,
    ),
    # Qwen3-VL's preprocessor_config.json: 16 px patches, size 65536..16777216 pixels, mean/std 0.5.
    "qwen3_vl": ArchSpec(
        "qwen3_vl", "Qwen3VLForConditionalGeneration", "Qwen3VLConfig", "Qwen3VLProcessor",
        "Qwen3VLVideoProcessor", QWEN3_ADDED, "qwen3vl_chat_template.jinja", patch_size=16,
        min_pixels=65536, max_pixels=16777216, image_mean=(0.5, 0.5, 0.5), image_std=(0.5, 0.5, 0.5),
    ),
}  # fmt: skip


def spec(arch: str) -> ArchSpec:
    """The spec of ``arch``; ``ValueError`` naming the known ones otherwise."""
    if arch not in SPECS:
        raise ValueError(f"unknown architecture {arch!r}; expected one of {', '.join(ARCHES)}")
    return SPECS[arch]  # type: ignore[index]
