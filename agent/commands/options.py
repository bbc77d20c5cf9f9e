"""Command-line options shared by ``run`` and ``bench``: how to load the model, how the agent talks to it."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.tools import CONVENTIONS, DEFAULT_CONVENTION

if TYPE_CHECKING:
    from ..policy import PolicyConfig


def add_model_options(parser: argparse.ArgumentParser) -> None:
    m = parser.add_argument_group("model")
    m.add_argument("--device", help="e.g. cuda, cuda:1, cpu (default: cuda when available)")
    m.add_argument("--dtype", help="bfloat16, float16 or float32 (default: bf16 on CUDA, fp32 on CPU)")
    m.add_argument("--max-pixels", type=int, help="screenshot pixel budget per image (default: 1280*28*28)")
    m.add_argument("--min-pixels", type=int)
    m.add_argument("--no-model-cache", action="store_true", help=NO_CACHE_HELP)
    m.add_argument("--static-cache", action="store_true", help=STATIC_CACHE_HELP)
    m.add_argument("--model-extra-body", type=json_object, metavar="JSON", help=EXTRA_BODY_HELP)


EXTRA_BODY_HELP = "openai backend: fields merged into every request, e.g. '{\"repetition_penalty\": 1.05}' for vLLM"


def json_object(text: str) -> dict[str, Any]:
    """An argparse type: a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not JSON: {e}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object such as '{{\"top_k\": 1}}', got {text!r}")
    return value


# Shared with ``model info``.
NO_CACHE_HELP = "transformers backend: keep no prefix or vision cache (same replies, slower later steps, less memory)"
STATIC_CACHE_HELP = "transformers backend: decode into a preallocated cache (same replies; compiled decoding on CUDA)"


def add_agent_options(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument_group("agent")
    a.add_argument("--convention", default=DEFAULT_CONVENTION, choices=CONVENTIONS, help="coordinate convention")
    a.add_argument("--history-images", type=int, default=4, help="screenshots kept as images (older: text)")
    a.add_argument("--max-new-tokens", type=int, default=256, help="reply length limit per step, in tokens")


def model_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The model options the user set (unset ones are left to the backend's defaults)."""
    given = {"device": args.device, "dtype": args.dtype, "max_pixels": args.max_pixels, "min_pixels": args.min_pixels}
    if getattr(args, "no_model_cache", False):
        given.update(prefix_cache=0, vision_cache=0)
    if getattr(args, "static_cache", False):
        given.update(static_cache=True)
    if getattr(args, "model_extra_body", None) is not None:
        given.update(extra_body=args.model_extra_body)
    return {k: v for k, v in given.items() if v is not None}


def policy_config(args: argparse.Namespace) -> PolicyConfig:
    from ..policy import PolicyConfig

    return PolicyConfig(
        convention=args.convention, history_images=args.history_images, max_new_tokens=args.max_new_tokens
    )
