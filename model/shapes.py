"""Qwen2-VL architectures by shape: the tiny test model and the real 2B/7B layouts; and tiny Qwen2.5-VL
and Qwen3-VL models (``tiny_config``).

``qwen2vl_config(shape, ids)`` builds a real ``Qwen2VLConfig``. The ``2b`` and ``7b`` shapes copy the
official checkpoints' ``config.json`` sizes, so a randomly initialised model of that shape costs what the
real one costs (cost depends on shapes and token counts, not on weight values); the benchmark relies on
that. ``tiny`` is the offline test model (~1M parameters).

Rules transformers does not check (see docs/MODEL.md): ``sum(mrope_section) == head_dim / 2``, and the
vision ``hidden_size`` (the merger's output) equals the text ``hidden_size``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from transformers import Qwen2VLConfig

Shape = Literal["tiny", "2b", "7b"]
SHAPES: tuple[Shape, ...] = ("tiny", "2b", "7b")


@dataclass(frozen=True)
class SpecialIds:
    """Token ids the model config must agree with the tokenizer on."""

    image: int
    video: int
    vision_start: int
    vision_end: int
    im_end: int
    endoftext: int


TINY_VOCAB_SIZE = 2048  # ``tiny.train_tokenizer`` fills exactly this vocabulary

_TEXT: dict[Shape, dict[str, Any]] = {
    "tiny": dict(
        vocab_size=TINY_VOCAB_SIZE, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=32768,
        mrope_section=[4, 6, 6],
    ),
    "2b": dict(
        vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
        num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=32768,
        mrope_section=[16, 24, 24],
    ),
    "7b": dict(
        vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
        num_attention_heads=28, num_key_value_heads=4, max_position_embeddings=32768,
        mrope_section=[16, 24, 24],
    ),
}  # fmt: skip

_VISION: dict[Shape, dict[str, Any]] = {
    "tiny": dict(depth=2, embed_dim=64, num_heads=2, mlp_ratio=2),
    "2b": dict(depth=32, embed_dim=1280, num_heads=16, mlp_ratio=4),
    "7b": dict(depth=32, embed_dim=1280, num_heads=16, mlp_ratio=4),
}

_TIED: dict[Shape, bool] = {"tiny": True, "2b": True, "7b": False}


def qwen2vl_config(shape: Shape, ids: SpecialIds) -> Qwen2VLConfig:
    """A ``Qwen2VLConfig`` of the given shape whose special token ids are ``ids``."""
    from transformers import Qwen2VLConfig

    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")
    text = dict(_TEXT[shape])
    section = text.pop("mrope_section")
    head_dim = text["hidden_size"] // text["num_attention_heads"]
    assert sum(section) * 2 == head_dim, f"mrope_section {section} does not fit head_dim {head_dim}"
    text_config = dict(
        text,
        hidden_act="silu",
        rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": section},
        bos_token_id=ids.endoftext,
        eos_token_id=ids.im_end,
        pad_token_id=ids.endoftext,
        tie_word_embeddings=_TIED[shape],
    )
    vision_config = dict(
        _VISION[shape],
        hidden_size=text["hidden_size"],  # the merger projects into the LLM's width
        in_channels=3,
        patch_size=14,
        spatial_merge_size=2,
        temporal_patch_size=2,
    )
    return Qwen2VLConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=ids.image,
        video_token_id=ids.video,
        vision_start_token_id=ids.vision_start,
        vision_end_token_id=ids.vision_end,
        tie_word_embeddings=_TIED[shape],
    )


def tiny_config(arch: str, ids: SpecialIds) -> Any:
    """The tiny config of ``arch`` (``arches.ARCHES``): Qwen2-VL's is ``qwen2vl_config("tiny", ids)``; the
    others keep its text sizes (vocab 2048, hidden 128, 2 layers, head_dim 32) and the official layout of
    their vision tower, at tiny widths."""
    import transformers

    if arch == "qwen2_vl":
        return qwen2vl_config("tiny", ids)
    text = dict(_TEXT["tiny"])
    text.pop("mrope_section")
    common = dict(
        image_token_id=ids.image,
        video_token_id=ids.video,
        vision_start_token_id=ids.vision_start,
        vision_end_token_id=ids.vision_end,
        tie_word_embeddings=True,
    )
    tokens = dict(bos_token_id=ids.endoftext, eos_token_id=ids.im_end, pad_token_id=ids.endoftext)
    vision = dict(depth=2, hidden_size=64, intermediate_size=128, num_heads=2, out_hidden_size=text["hidden_size"])
    if arch == "qwen2_5_vl":
        # Qwen2.5-VL's vision tower: window attention (112 px windows) with full attention in the listed blocks.
        rope = {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [4, 6, 6]}
        vision.update(patch_size=14, window_size=112, fullatt_block_indexes=[1], tokens_per_second=2)
        text_config = dict(text, hidden_act="silu", rms_norm_eps=1e-6, rope_parameters=rope, **tokens)
        return transformers.Qwen2_5_VLConfig(text_config=text_config, vision_config=vision, **common)
    if arch == "qwen3_vl":
        # Interleaved M-RoPE: sections of head_dim / 2 = 16 frequencies (the official [24, 20, 20] of 64,
        # scaled); a learned 48x48 position grid as in the official vision config; deepstack features of
        # the first vision block go into the first LLM layer.
        rope = {"rope_type": "default", "rope_theta": 5000000.0, "mrope_section": [6, 5, 5], "mrope_interleaved": True}
        vision.update(patch_size=16, num_position_embeddings=2304, deepstack_visual_indexes=[0])
        head_dim = text["hidden_size"] // text["num_attention_heads"]
        text_config = dict(text, head_dim=head_dim, rms_norm_eps=1e-6, rope_parameters=rope, **tokens)
        return transformers.Qwen3VLConfig(text_config=text_config, vision_config=vision, **common)
    raise ValueError(f"no tiny config for architecture {arch!r}")
