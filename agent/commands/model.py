"""``qwen2vl-agent model make-tiny DIR [--arch ARCH]`` and ``qwen2vl-agent model info``: build an offline
test checkpoint, and show what a ``--model`` spec loads to (architecture, device, dtype, attention, patch
factor, pixel budget, what a phone and a desktop screenshot become and cost)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .options import NO_CACHE_HELP, STATIC_CACHE_HELP

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"
# model.arches.ARCHES (not imported at --help), with the family names printed for each.
TINY_ARCHES = {"qwen2_vl": "Qwen2-VL", "qwen2_5_vl": "Qwen2.5-VL", "qwen3_vl": "Qwen3-VL"}
SAMPLE_SCREENS = {"phone": (1080, 2400), "desktop": (1920, 1080)}


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
    info.add_argument("--model", default=DEFAULT_MODEL, help="tiny | tiny:ARCH | a checkpoint dir | a hub id")
    info.add_argument("--device", help="e.g. cuda, cuda:1, cpu (default: cuda when available)")
    info.add_argument("--dtype", help="bfloat16, float16 or float32 (default: bf16 on CUDA, fp32 on CPU)")
    info.add_argument("--attn", dest="attn_implementation", help="flash_attention_2, sdpa or eager")
    info.add_argument("--max-pixels", type=int, help="screenshot pixel budget per image (default: 1280*28*28)")
    info.add_argument("--min-pixels", type=int)
    info.add_argument("--no-model-cache", action="store_true", help=NO_CACHE_HELP)
    info.add_argument("--static-cache", action="store_true", help=STATIC_CACHE_HELP)
    info.add_argument("--dialect", help="show this dialect instead of the one chosen from the model")
    info.add_argument("--json", action="store_true", help="print one JSON object")
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


def show_info(args: argparse.Namespace) -> int:
    from qwen2vl_agent.model import ModelUnavailable
    from qwen2vl_agent.model.factory import load_model

    overrides = {
        "device": args.device, "dtype": args.dtype, "attn_implementation": args.attn_implementation,
        "max_pixels": args.max_pixels, "min_pixels": args.min_pixels,
    }  # fmt: skip
    if args.no_model_cache:
        overrides.update(prefix_cache=0, vision_cache=0)
    if args.static_cache:
        overrides.update(static_cache=True)
    try:
        model = load_model(args.model, **overrides)
    except ModelUnavailable as e:
        return _fail(str(e))
    facts = model_facts(model, args.dialect)
    if args.json:
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
