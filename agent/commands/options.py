"""Command-line options shared by ``run`` and ``bench``: how to load the model, how the agent talks to it.

Both are generated from the typed settings (``model.spec`` and ``policy.PolicyConfig``, see ``config``), and
set the ``[model]`` and ``[agent]`` tables of the command's config.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qwen2vl_agent.model.spec import ModelSpec

from ..policy import PolicyConfig
from .config import _STORE_TRUE, Flag, add_flags, flag, given_data

# Shared with ``model info``.
NO_CACHE_HELP = "transformers backend: keep no prefix or vision cache (same replies, slower later steps, less memory)"
STATIC_CACHE_HELP = "transformers backend: decode into a preallocated cache (same replies; compiled decoding on CUDA)"
MODEL_SPEC_HELP = "tiny | scripted:FILE | openai:URL[#MODEL] | a checkpoint dir | a hub id"

CONCURRENCY_HELP = (
    "openai backend: requests in flight to the server at once from this process (default: 16); the others wait "
    "their turn, outside their timeout"
)
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


class _Tables(BaseModel):
    """Where the shared options go in every command's config."""

    model: ModelSpec | None = None
    agent: PolicyConfig = PolicyConfig()


def _no_model_cache(value: bool) -> dict[tuple[str, ...], Any]:
    return {("model", "prefix_cache"): 0, ("model", "vision_cache"): 0}


MODEL_FLAGS: tuple[Flag, ...] = (
    flag(_Tables, "model", "device"),
    flag(_Tables, "model", "dtype"),
    flag(_Tables, "model", "max_pixels", default=None),
    flag(_Tables, "model", "min_pixels", default=None),
    Flag(
        ("model", "prefix_cache"),
        ("--no-model-cache",),
        {"action": _STORE_TRUE, "help": NO_CACHE_HELP},
        _no_model_cache,
    ),
    flag(_Tables, "model", "static_cache", help=STATIC_CACHE_HELP),
    flag(_Tables, "model", "extra_body", names=("--model-extra-body",), help=EXTRA_BODY_HELP, type=json_object),
    flag(_Tables, "model", "max_concurrency", names=("--model-concurrency",), help=CONCURRENCY_HELP, default=None),
)
AGENT_FLAGS: tuple[Flag, ...] = (
    flag(_Tables, "agent", "dialect"),
    flag(_Tables, "agent", "convention"),
    flag(_Tables, "agent", "history_images"),
    flag(_Tables, "agent", "max_new_tokens"),
)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser.add_argument_group("model"), MODEL_FLAGS)


def add_agent_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser.add_argument_group("agent"), AGENT_FLAGS)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    c = parser.add_argument_group("configuration")
    c.add_argument(
        "--config", type=Path, metavar="FILE",
        help="TOML file setting any option here (flags given override it; unknown keys are errors)",
    )  # fmt: skip
    c.add_argument("--print-config", action="store_true", help="print the effective configuration as TOML and exit")


def model_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The model options the user set (unset ones are left to the backend's defaults)."""
    return {path[-1]: value for path, (_, value) in given_data(args, MODEL_FLAGS).items()}


def policy_config(args: argparse.Namespace) -> PolicyConfig:
    """The agent options the user set, over ``PolicyConfig``'s defaults (for commands without a config file)."""
    return PolicyConfig(**{path[-1]: value for path, (_, value) in given_data(args, AGENT_FLAGS).items()})
