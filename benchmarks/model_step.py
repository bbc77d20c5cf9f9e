"""Benchmark: one agent model step (preprocess -> vision encoder + prefill -> decode) by shape, screen,
pixel budget and batch size, beside a naive baseline measured in the same run.

The model is built from the real architecture's config with random weights (``--shape tiny|2b|7b``):
cost depends on shapes and token counts, not on weight values, and nothing is downloaded. The prompt is
the agent's real first-step prompt (system prompt with the mobile tool section, the task, one
screenshot of random pixels). Every step is forced to exactly ``--tokens`` new tokens (``min_new_tokens
= max_new_tokens``, no stop strings). Timings are the backend's own breakdown (``Generation.timings``;
on CUDA each clock reading follows ``torch.cuda.synchronize``), medians of ``--repeats`` runs after
``--warmup`` runs; runs of one configuration are taken back to back.

Rows: for each screen (phone 1080x2400, desktop 1920x1080) and each ``--max-pixels``, batch sizes
``--batch-sizes`` with the best attention (flash-attention 2 when installed on CUDA, else SDPA); and the
naive baseline: the official checkpoints' budget (12845056 pixels), eager attention, batch 1.
``ms/step`` is the batch's wall time divided by its size; ``steps/s`` its inverse; ``decode tok/s``
counts all rows; ``x naive`` is steps/s over the naive baseline's for the same screen.

  python benchmarks/model_step.py                                  # tiny shape on CPU, a few minutes
  python benchmarks/model_step.py --shape 2b --device cuda         # the real 2B shape on a GPU
  python benchmarks/model_step.py --shape 7b --device cuda --quick # a few minutes
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SCREENS = {"phone": (1080, 2400), "desktop": (1920, 1080)}
TASK = "Open the Settings app and turn on Wi-Fi."
OFFICIAL_MAX_PIXELS = 12845056


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
    peak_gib: float = 0.0


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
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    p.add_argument("--quick", action="store_true", help="default budget only, batch 1 and 8, 2 repeats")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
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


def backend(model, tokenizer, max_pixels: int, tokens: int, batch: int):
    """An ``HFModel`` around the shared weights with its own processor (the budget lives in it)."""
    from qwen2vl_agent.model.config import HFModelConfig
    from qwen2vl_agent.model.hf import HFModel
    from qwen2vl_agent.model.tiny import make_processor

    config = HFModelConfig(
        model="random", max_pixels=max_pixels, min_new_tokens=tokens, max_new_tokens=tokens, max_batch_size=batch
    )
    return HFModel(model, make_processor(tokenizer), config, name="random")


def conversations(hf, screen: tuple[int, int], batch: int) -> list:
    """The agent's first-step prompt for ``batch`` different random screenshots of size ``screen``."""
    import numpy as np
    from PIL import Image

    from qwen2vl_agent.agent.policy import QwenPolicy
    from qwen2vl_agent.tools import MOBILE_ACTIONS

    out = []
    for seed in range(batch):
        pixels = np.random.default_rng(seed).integers(0, 256, (screen[1], screen[0], 3), dtype=np.uint8)
        policy = QwenPolicy(hf, MOBILE_ACTIONS)
        policy.begin(TASK, Image.fromarray(pixels))
        out.append(policy.messages())
    return out


def measure(label: str, hf, screen: str, batch: int, args: argparse.Namespace) -> Row:
    import torch

    convs = conversations(hf, SCREENS[screen], batch)
    if hf.device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(hf.device)
    runs = []
    for i in range(args.warmup + args.repeats):
        gens = hf.generate_batch(convs, max_new_tokens=args.tokens)
        assert all(g.output_tokens == args.tokens for g in gens), [g.output_tokens for g in gens]
        if i >= args.warmup:
            runs.append(gens[0].timings)
    med = {k: statistics.median(r[k] for r in runs) for k in ("preprocess", "prefill", "decode", "total")}
    peak = torch.cuda.max_memory_allocated(hf.device) / 2**30 if hf.device.type == "cuda" else 0.0
    return Row(
        label=label, screen=screen, max_pixels=hf.budget.max_pixels, image_tokens=gens[0].image_tokens, batch=batch,
        attention=hf.model.config._attn_implementation, preprocess_ms=1000 * med["preprocess"],
        prefill_ms=1000 * med["prefill"], decode_ms=1000 * med["decode"], total_ms=1000 * med["total"],
        ms_per_step=1000 * med["total"] / batch, decode_tok_s=batch * (args.tokens - 1) / med["decode"],
        steps_s=batch / med["total"], peak_gib=peak,
    )  # fmt: skip


def naive(model, tokenizer, screen: str, args: argparse.Namespace) -> Row:
    """Official budget, eager attention, batch 1: what a plain transformers script does."""
    best = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        return measure("naive", backend(model, tokenizer, OFFICIAL_MAX_PIXELS, args.tokens, 1), screen, 1, args)
    finally:
        model.set_attn_implementation(best)


def print_table(rows: list[Row], header: str) -> None:
    print(header)
    cols = ("label", "screen", "max_pixels", "img tok", "batch", "attn", "prep ms", "prefill ms", "decode ms",
            "ms/step", "decode tok/s", "steps/s", "x naive")  # fmt: skip
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    base = {r.screen: r.steps_s for r in rows if r.label == "naive"}
    for r in rows:
        ratio = f"{r.steps_s / base[r.screen]:.1f}" if r.screen in base else "-"
        cells = (r.label, r.screen, r.max_pixels, r.image_tokens, r.batch, r.attention, f"{r.preprocess_ms:.0f}",
                 f"{r.prefill_ms:.0f}", f"{r.decode_ms:.0f}", f"{r.ms_per_step:.0f}", f"{r.decode_tok_s:.0f}",
                 f"{r.steps_s:.2f}", ratio)  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for screen in dict.fromkeys(r.screen for r in rows):
        for budget in dict.fromkeys(r.max_pixels for r in rows if r.label == "best" and r.screen == screen):
            by_batch = {
                r.batch: r.steps_s for r in rows if (r.label, r.screen, r.max_pixels) == ("best", screen, budget)
            }
            if 1 in by_batch and len(by_batch) > 1:
                top = max(by_batch)
                print(f"{screen} @ {budget}: batch {top} = {by_batch[top] / by_batch[1]:.1f}x the steps/s of batch 1")


def environment(model) -> str:
    import torch
    import transformers

    device = next(model.parameters()).device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{platform.processor() or 'cpu'}"
    return (
        f"device {device} ({name}), torch {torch.__version__}, transformers {transformers.__version__}, "
        f"{torch.get_num_threads()} CPU threads, dtype {model.dtype}"
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = parse_args(argv)
    model, tokenizer = build(args.shape, args.device, args.dtype)
    rows: list[Row] = []
    for screen in args.screens:
        if not args.no_baseline:
            rows.append(naive(model, tokenizer, screen, args))
            logging.info("%s naive: %.0f ms/step", screen, rows[-1].ms_per_step)
        for budget in args.max_pixels:
            for batch in args.batch_sizes:
                rows.append(measure("best", backend(model, tokenizer, budget, args.tokens, batch), screen, batch, args))
                logging.info("%s %d batch %d: %.0f ms/step", screen, budget, batch, rows[-1].ms_per_step)
    header = (
        f"model step, shape {args.shape}, {args.tokens} forced tokens, median of {args.repeats} after "
        f"{args.warmup} warm-up; {environment(model)}"
    )
    print_table(rows, header)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "rows": [asdict(r) for r in rows]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
