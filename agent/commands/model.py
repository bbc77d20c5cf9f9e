"""``qwen2vl-agent model make-tiny DIR [--arch ARCH]`` and ``qwen2vl-agent model info``: build an offline
test checkpoint, and show what a ``--model`` spec loads to (architecture, device, dtype, attention, patch
factor, pixel budget, what a phone and a desktop screenshot become and cost)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.model.spec import HFSpec, ModelSpec, spec_fields, spec_label

from .config import _STORE_TRUE, ConfigError, Flag, add_flags, flag
from .layered import build_config
from .options import MODEL_FLAGS, MODEL_SPEC_HELP, add_config_options

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"
# model.arches.ARCHES (not imported at --help), with the family names printed for each.
TINY_ARCHES = {"qwen2_vl": "Qwen2-VL", "qwen2_5_vl": "Qwen2.5-VL", "qwen3_vl": "Qwen3-VL"}
SAMPLE_SCREENS = {"phone": (1080, 2400), "desktop": (1920, 1080)}


class InfoConfig(BaseModel):
    """What ``model info`` can be told: its flags, or the keys of a ``--config`` file."""

    model_config = ConfigDict(extra="forbid")

    model: ModelSpec = Field(default_factory=lambda: HFSpec(model=DEFAULT_MODEL))
    dialect: str | None = Field(None, description="show this dialect instead of the one chosen from the model")
    output: Literal["text", "json"] = Field("text", description="text: a line per fact; json: one JSON object")


INFO_FLAGS: tuple[Flag, ...] = (
    flag(InfoConfig, "model", help=MODEL_SPEC_HELP, type=str, metavar="SPEC", default=spec_label(InfoConfig().model)),
    *MODEL_FLAGS,
    flag(InfoConfig, "model", "attn_implementation", names=("--attn",), help="transformers backend: the attention"),
    flag(InfoConfig, "dialect"),
    Flag(
        ("output",),
        ("--json",),
        {"action": _STORE_TRUE, "help": "print one JSON object"},
        lambda _: {("output",): "json"},
    ),
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="build the tiny test checkpoint; inspect a model", description=__doc__)
    actions = p.add_subparsers(dest="model_action", metavar="ACTION")
    tiny = actions.add_parser(
        "make-tiny",
        help="build a tiny random-weight checkpoint (offline, a few seconds)",
        description="Write a tiny checkpoint of a Qwen vision-language architecture (~1M random weights, a "
        "locally trained tokenizer with the family's special tokens, the chat template and processor its "
        "official checkpoints ship) that transformers loads with from_pretrained. Its replies are gibberish; "
        "it lets the whole pipeline run without downloads.",
    )
    tiny.add_argument("directory", type=Path, help="where to write it (created; must be empty or an earlier build)")
    tiny.add_argument(
        "--arch", choices=list(TINY_ARCHES), default="qwen2_vl", help="the architecture (default: qwen2_vl)"
    )
    tiny.set_defaults(func=make_tiny)
    info = actions.add_parser("info", help="load a model and describe how it runs")
    add_flags(info, INFO_FLAGS)
    add_config_options(info)
    info.set_defaults(func=show_info)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def make_tiny(args: argparse.Namespace) -> int:
    from qwen2vl_agent.model import ModelUnavailable
    from qwen2vl_agent.model.factory import ensure_tiny_checkpoint

    try:
        path = ensure_tiny_checkpoint(args.directory, arch=args.arch)
    except (ModelUnavailable, OSError) as e:
        return _fail(str(e))
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    print(f"tiny {TINY_ARCHES[args.arch]} checkpoint in {path} ({size / 1e6:.1f} MB)")
    print(f'try: qwen2vl-agent run --env fake --model {path} "open the settings"')
    return 0


def load_info_config(args: argparse.Namespace) -> InfoConfig:
    """The effective ``InfoConfig``: defaults < ``--config FILE`` < the flags given (``ConfigError``,
    ``ModelUnavailable`` if unusable)."""
    return build_config(InfoConfig, args, INFO_FLAGS, normalise={"model": spec_fields})


def show_info(args: argparse.Namespace) -> int:
    from qwen2vl_agent.model import ModelUnavailable
    from qwen2vl_agent.model.factory import load_model

    try:
        config = load_info_config(args)
        if args.print_config:
            from .config import to_toml
            from .run import printable

            print(to_toml(printable(config)), end="")
            return 0
        model = load_model(config.model)
    except (ConfigError, ModelUnavailable) as e:
        return _fail(str(e))
    facts = model_facts(model, config.dialect)
    if config.output == "json":
        print(json.dumps(facts))
    else:
        width = max(len(k) for k in facts)
        for key, value in facts.items():
            print(f"{key:<{width}}  {value}")
    return 0


def model_facts(model, dialect_name: str | None = None) -> dict:
    """What ``model info`` prints: the backend's own description (``model_type``, architecture, patch factor,
    budget, ...), the dialect chosen for it and why, and what each sample screen becomes."""
    from ..dialects import choose_dialect

    facts: dict = {"name": model.name}
    describe = getattr(model, "describe", None)
    if callable(describe):
        facts.update(describe())
    dialect, why = choose_dialect(model, dialect_name)
    facts["dialect"] = f"{dialect.name} ({why}); points {dialect.convention}"
    tokens = getattr(model, "image_tokens", None)
    for label, (w, h) in SAMPLE_SCREENS.items():
        rw, rh = model.image_size(w, h)
        cost = f", {tokens(w, h)} image tokens" if callable(tokens) else ""
        facts[f"{label} {w}x{h}"] = f"seen as {rw}x{rh}{cost}"
    return facts


def _fail(message: str) -> int:
    print(f"qwen2vl-agent: {message}", file=sys.stderr)
    return 2
