"""Wall time of an oracle benchmark run with P phones in parallel, against one phone. Prints a table.

    python benchmarks/bench_parallel.py [--parallel 1,4] [--combinations 1] [--screen 1080x2400] [--html]

Each row runs the whole default suite (40 templates x ``--combinations`` episodes) with the oracle on a
fresh run directory, so nothing is resumed: P phones share one private adb server and the episodes are
handed out from one queue. Every row must reach 100% (the oracle), so the rows differ only in how long
the same work took. ``speedup`` is the wall time of the first row over this row's.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from qwen2vl_agent.agent.bench import BenchConfig, BenchRunner


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def run_once(parallel: int, args: argparse.Namespace, root: Path) -> tuple[float, int, float, float]:
    """(wall seconds, episodes, success rate, mean seconds per step) for one run with ``parallel`` phones."""
    config = BenchConfig(
        out=root / f"p{parallel}", policy="oracle", combinations=args.combinations, seed=args.seed,
        parallel=parallel, screen_size=args.screen, density=args.density, html=args.html,
    )  # fmt: skip
    started = time.monotonic()
    report = BenchRunner(config).run()
    wall = time.monotonic() - started
    overall = report.summary.overall
    return wall, overall.episodes, overall.success_rate, overall.seconds_per_step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parallel", default="1,4", help="comma-separated phone counts (default 1,4)")
    ap.add_argument("--combinations", type=int, default=1, help="instances per template (default 1: 40 episodes)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--screen", type=_size, default=(1080, 2400))
    ap.add_argument("--density", type=int, default=420)
    ap.add_argument("--html", action="store_true", help="also write the per-step HTML reports")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    counts = [int(p) for p in args.parallel.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        for p in counts:
            rows.append((p, *run_once(p, args, Path(tmp))))
    base = rows[0][1]
    w, h = args.screen
    print(f"oracle, default suite x{args.combinations}, {w}x{h} phones, html={args.html}")
    print(f"{'P':>3} {'episodes':>9} {'success':>8} {'wall s':>8} {'s/episode':>10} {'s/step':>7} {'speedup':>8}")
    for p, wall, episodes, rate, per_step in rows:
        print(f"{p:>3} {episodes:>9} {rate:>8.0%} {wall:>8.1f} {wall / episodes:>10.2f} {per_step:>7.3f} "
              f"{base / wall:>7.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
