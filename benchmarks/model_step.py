"""Benchmark: one agent model step (preprocess -> vision encoder + prefill -> decode) by shape, screen,
pixel budget and batch size, beside a naive baseline measured in the same run.

The model is built from the real architecture's config with random weights (``--shape tiny|2b|7b``):
cost depends on shapes and token counts, not on weight values, and nothing is downloaded. The prompt is
the agent's real prompt (system prompt with the mobile tool section, the task, screenshots of random
pixels): a first step by default, or with ``--history K`` a later step showing K screenshots, the
newest never seen and the other K-1 shown by the previous round too, as in an episode. Every round
draws new screenshots, so the backend's vision cache only saves what it would save in an episode;
its prefix cache keeps the system turn, which is the same at every step. Every step is forced to
exactly ``--tokens`` new tokens (``min_new_tokens = max_new_tokens``, no stop strings). Timings are the
backend's own breakdown (``Generation.timings``; on CUDA each clock reading follows
``torch.cuda.synchronize``), medians of ``--repeats`` runs after ``--warmup`` rounds (``min ms/step`` is
the fastest run: on a shared machine, interference only adds time); each round runs every configuration
once (round-robin, so changes in the machine's load hit all configurations alike).

Rows: for each screen (phone 1080x2400, desktop 1920x1080) and each ``--max-pixels``, batch sizes
``--batch-sizes`` with the best attention (flash-attention 2 when installed on CUDA, else SDPA) and the
backend's defaults (with ``--without-caches``, each also with its prefix and vision caches off; with
``--static-cache``, each also decoding into a static cache, which on CUDA compiles the decode step: the
warm-up round pays for the compilation); and the
naive baseline: the official checkpoints' budget (12845056 pixels), eager attention, batch 1, and none
of the backend's own speed-ups (no prefix or vision cache, the Conv3d patch embedding).
``ms/step`` is the batch's wall time divided by its size; ``steps/s`` its inverse; ``decode tok/s``
counts all rows; ``x naive`` is steps/s over the naive baseline's for the same screen.

  python benchmarks/model_step.py                                  # tiny shape on CPU, a few minutes
  python benchmarks/model_step.py --shape 2b --device cuda         # the real 2B shape on a GPU
  python benchmarks/model_step.py --shape 7b --device cuda --quick # a few minutes
  python benchmarks/model_step.py --history 4                      # a step late in an episode
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qwen2vl_agent.model.vision import OFFICIAL_MAX_PIXELS

SCREENS = {"phone": (1080, 2400), "desktop": (1920, 1080)}
TASK = "Open the Settings app and turn on Wi-Fi."


@dataclass
class Row:
    label: str
    screen: str
    max_pixels: int
    image_tokens: int
    batch: int
    attention: str
    preprocess_ms: float
    prefill_ms: float
    decode_ms: float
    total_ms: float
    ms_per_step: float
    decode_tok_s: float
    steps_s: float
    min_ms_per_step: float = 0.0
    peak_gib: float = 0.0
    cached_tokens: int = 0


def parse_pixels(text: str) -> list[int]:
    """``1003520,512*28*28`` -> [1003520, 401408]."""
    values = []
    for item in text.split(","):
        value = 1
        for factor in item.split("*"):
            value *= int(factor)
        values.append(value)
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shape", default="tiny", choices=("tiny", "2b", "7b"))
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda when available)")
    p.add_argument("--dtype", default=None, help="default: bfloat16 on CUDA, float32 on CPU")
    p.add_argument("--tokens", type=int, default=50, help="forced new tokens per step (default 50)")
    p.add_argument("--batch-sizes", default="1,4,8", help="default 1,4,8")
    p.add_argument("--max-pixels", default="1280*28*28,512*28*28,256*28*28", help="budgets to sweep")
    p.add_argument("--screens", default="phone,desktop", help="phone, desktop or both")
    p.add_argument(
        "--history", type=int, default=1, help="screenshots per step (default 1: a first step; the agent keeps 4)"
    )
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    p.add_argument(
        "--without-caches", action="store_true", help="also run every best row with the prefix and vision caches off"
    )
    p.add_argument("--static-cache", action="store_true", help="also run every best row decoding into a static cache")
    p.add_argument("--quick", action="store_true", help="default budget only, batch 1 and 8, 2 repeats")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
    if args.history < 1:
        p.error("--history must be at least 1")
    if args.quick:
        args.max_pixels, args.batch_sizes, args.repeats = "1280*28*28", "1,8", 2
    args.max_pixels = parse_pixels(args.max_pixels)
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    args.screens = args.screens.split(",")
    unknown = set(args.screens) - set(SCREENS)
    if unknown:
        p.error(f"unknown screen(s): {', '.join(sorted(unknown))}")
    return args


def build(shape: str, device: str | None, dtype: str | None):
    """(random-weight model of ``shape`` on its device, tokenizer). Nothing is downloaded."""
    import torch
    from transformers import GenerationConfig, Qwen2VLForConditionalGeneration

    from qwen2vl_agent.model.loading import resolve_attention, resolve_device, resolve_dtype
    from qwen2vl_agent.model.shapes import qwen2vl_config
    from qwen2vl_agent.model.tiny import special_ids, train_tokenizer

    tokenizer = train_tokenizer()
    ids = special_ids(tokenizer)
    dev = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, dev)
    attn = resolve_attention(None, dev, torch_dtype)
    config = qwen2vl_config(shape, ids)
    config._attn_implementation = attn
    torch.manual_seed(0)
    t0 = time.perf_counter()
    with torch.device(dev):
        model = Qwen2VLForConditionalGeneration._from_config(config, dtype=torch_dtype, attn_implementation=attn)
    model.generation_config = GenerationConfig(
        eos_token_id=[ids.im_end, ids.endoftext], pad_token_id=ids.endoftext, bos_token_id=ids.endoftext
    )
    logging.info("built a random %s model on %s in %.1f s", shape, dev, time.perf_counter() - t0)
    return model.eval(), tokenizer


def backend(model, tokenizer, max_pixels: int, tokens: int, batch: int, *, naive=False, caches=True, static=False):
    """An ``HFModel`` around the shared weights with its own processor (the budget lives in it).
    ``naive``: none of the backend's own speed-ups (prefix and vision caches, matmul patch embedding);
    ``caches=False``: the speed-ups but the two caches; ``static``: decode into a static cache."""
    from qwen2vl_agent.model.config import HFModelConfig
    from qwen2vl_agent.model.hf import HFModel
    from qwen2vl_agent.model.tiny import make_processor

    defaults = HFModelConfig()
    caches = caches and not naive
    config = HFModelConfig(
        model="random", max_pixels=max_pixels, min_new_tokens=tokens, max_new_tokens=tokens, max_batch_size=batch,
        prefix_cache=defaults.prefix_cache if caches else 0, vision_cache=defaults.vision_cache if caches else 0,
        linear_patch_embed=not naive, static_cache=static and not naive,
    )  # fmt: skip
    return HFModel(model, make_processor(tokenizer), config, name="random")


def conversations(hf, screen: tuple[int, int], batch: int, round_: int, history: int) -> list:
    """The agent's prompts for ``batch`` episodes at step ``round_ + history``: each shows ``history``
    screenshots of size ``screen``, the newest never seen before and the others the ones the previous
    round showed (so a vision cache sees what it would see in an episode)."""
    import numpy as np
    from PIL import Image

    from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
    from qwen2vl_agent.agent.prompt import CallTurn, Exchange
    from qwen2vl_agent.tools import MOBILE_ACTIONS

    def shot(row: int, index: int) -> Image.Image:
        rng = np.random.default_rng([row, index])
        return Image.fromarray(rng.integers(0, 256, (screen[1], screen[0], 3), dtype=np.uint8))

    out = []
    for row in range(batch):
        policy = QwenPolicy(hf, MOBILE_ACTIONS, PolicyConfig(history_images=history))
        policy.begin(TASK, shot(row, round_))
        for i in range(1, history):
            call = CallTurn("Tap", '{"point": [500, 500]}', "Tapped.", shot(row, round_ + i))
            policy.record_exchange(Exchange("I tap the button.", [call]))
        out.append(policy.messages())
    return out


@dataclass
class Config:
    """One row to measure: a backend (its own pixel budget), its conversations, its attention."""

    label: str
    screen: str
    hf: object
    batch: int
    attention: str
    runs: list = field(default_factory=list)
    peak_gib: float = 0.0


def configs(model, tokenizer, args: argparse.Namespace) -> list[Config]:
    best = model.config._attn_implementation
    out = []
    for screen in args.screens:
        if not args.no_baseline:  # official budget, eager attention, batch 1: a plain transformers script
            hf = backend(model, tokenizer, OFFICIAL_MAX_PIXELS, args.tokens, 1, naive=True)
            out.append(Config("naive", screen, hf, 1, "eager"))
        for budget in args.max_pixels:
            for batch in args.batch_sizes:
                hf = backend(model, tokenizer, budget, args.tokens, batch)
                out.append(Config("best", screen, hf, batch, best))
                if args.without_caches:
                    hf = backend(model, tokenizer, budget, args.tokens, batch, caches=False)
                    out.append(Config("no caches", screen, hf, batch, best))
                if args.static_cache:
                    hf = backend(model, tokenizer, budget, args.tokens, batch, static=True)
                    out.append(Config("static cache", screen, hf, batch, best))
    return out


def run_once(config: Config, args: argparse.Namespace, round_: int) -> dict[str, float]:
    """One step of ``config.batch`` episodes with fresh screenshots; returns the batch's timings (seconds)."""
    import torch

    from qwen2vl_agent.model.patch_embed import use_linear_patch_embed

    convs = conversations(config.hf, SCREENS[config.screen], config.batch, round_, args.history)
    model = config.hf.model
    default = model.config._attn_implementation
    model.set_attn_implementation(config.attention)
    use_linear_patch_embed(model, config.hf.config.linear_patch_embed)  # the weights are shared by all rows
    cuda = config.hf.device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats(config.hf.device)
    try:
        gens = config.hf.generate_batch(convs, max_new_tokens=args.tokens)
    finally:
        model.set_attn_implementation(default)
    assert all(g.output_tokens == args.tokens for g in gens), [g.output_tokens for g in gens]
    if cuda:
        config.peak_gib = max(config.peak_gib, torch.cuda.max_memory_allocated(config.hf.device) / 2**30)
    return {**gens[0].timings, "image_tokens": gens[0].image_tokens, "cached_tokens": gens[0].cached_tokens}


def measure_all(items: list[Config], args: argparse.Namespace) -> list[Row]:
    """Round-robin over the configurations, so load changes on the machine hit all of them alike."""
    for round_ in range(args.warmup + args.repeats):
        for config in items:
            timings = run_once(config, args, round_)
            if round_ >= args.warmup:
                config.runs.append(timings)
        logging.info("round %d of %d done", round_ + 1, args.warmup + args.repeats)
    return [summarize(config, args) for config in items]


def summarize(config: Config, args: argparse.Namespace) -> Row:
    med = {k: statistics.median(r[k] for r in config.runs) for k in ("preprocess", "prefill", "decode", "total")}
    batch = config.batch
    return Row(
        label=config.label, screen=config.screen, max_pixels=config.hf.budget.max_pixels,
        image_tokens=int(config.runs[0]["image_tokens"]), batch=batch, attention=config.attention,
        preprocess_ms=1000 * med["preprocess"], prefill_ms=1000 * med["prefill"], decode_ms=1000 * med["decode"],
        total_ms=1000 * med["total"], ms_per_step=1000 * med["total"] / batch,
        decode_tok_s=batch * (args.tokens - 1) / med["decode"], steps_s=batch / med["total"], peak_gib=config.peak_gib,
        min_ms_per_step=1000 * min(r["total"] for r in config.runs) / batch,
        cached_tokens=int(config.runs[-1]["cached_tokens"]),
    )  # fmt: skip


def print_table(rows: list[Row], header: str) -> None:
    print(header)
    cols = ("label", "screen", "max_pixels", "img tok", "cached", "batch", "attn", "prep ms", "prefill ms", "decode ms",
            "ms/step", "min ms/step", "decode tok/s", "steps/s", "x naive", "peak GiB")  # fmt: skip
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    base = {r.screen: r.steps_s for r in rows if r.label == "naive"}
    for r in rows:
        ratio = f"{r.steps_s / base[r.screen]:.1f}" if r.screen in base else "-"
        peak = f"{r.peak_gib:.1f}" if r.peak_gib else "-"
        cells = (r.label, r.screen, r.max_pixels, r.image_tokens, r.cached_tokens, r.batch, r.attention,
                 f"{r.preprocess_ms:.0f}", f"{r.prefill_ms:.0f}", f"{r.decode_ms:.0f}", f"{r.ms_per_step:.0f}",
                 f"{r.min_ms_per_step:.0f}", f"{r.decode_tok_s:.0f}", f"{r.steps_s:.2f}", ratio, peak)  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")
    groups = dict.fromkeys((r.label, r.screen, r.max_pixels) for r in rows if r.label != "naive")
    for label, screen, budget in groups:
        same = {r.batch: r for r in rows if (r.label, r.screen, r.max_pixels) == (label, screen, budget)}
        if 1 in same and len(same) > 1:
            one, top = same[1], same[max(same)]
            print(
                f"{label}, {screen} @ {budget}: batch {top.batch} = {top.steps_s / one.steps_s:.1f}x the steps/s of "
                f"batch 1 (fastest runs: {one.min_ms_per_step / top.min_ms_per_step:.1f}x)"
            )


def environment(model) -> str:
    import torch
    import transformers

    device = next(model.parameters()).device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{platform.processor() or 'cpu'}"
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"device {device} ({name}), torch {torch.__version__}, transformers {transformers.__version__}, "
        f"{torch.get_num_threads()} CPU threads, {os.cpu_count()} cores, dtype {model.dtype}, "
        f"load average {load} at the end"
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = parse_args(argv)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    model, tokenizer = build(args.shape, args.device, args.dtype)
    rows = measure_all(configs(model, tokenizer, args), args)
    header = (
        f"model step, shape {args.shape}, {args.tokens} forced tokens, median of {args.repeats} after "
        f"{args.warmup} warm-up; load average {load} at the start; {environment(model)}"
    )
    print_table(rows, header)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "rows": [asdict(r) for r in rows]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
