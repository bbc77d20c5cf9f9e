"""Wall time of the one-phone oracle benchmark, this checkout against another one, paired and alternating.

    python benchmarks/bench_paired.py --against /tmp/base/.venv/bin/qwen2vl-agent [--rounds 3] [--suite default]

Each round runs ``bench --policy oracle`` over the suite once with each CLI on a fresh run directory (nothing
resumed), the order swapped every round, so both see the same machine load on average. Prints every run's
wall time and success rate, then the medians and their ratio. Every run must score 100% (the oracle): the
runs differ only in how long the same work took.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(cli: str, suite: str, out: Path) -> tuple[float, float]:
    """(wall seconds of the whole command, success rate counting errors as failures) of one fresh run."""
    started = time.perf_counter()
    subprocess.run([cli, "bench", "--policy", "oracle", "--suite", suite, "--out", str(out), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - started
    summary = json.loads((out / "summary.json").read_text())
    overall = summary["overall"]
    return wall, overall["successes"] / max(overall["episodes"] + overall["errors"], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", required=True, help="the other checkout's qwen2vl-agent executable")
    parser.add_argument("--ours", default=str(Path(sys.executable).with_name("qwen2vl-agent")))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--suite", default="default")
    args = parser.parse_args()
    walls: dict[str, list[float]] = {"ours": [], "theirs": []}
    with tempfile.TemporaryDirectory(prefix="bench-paired-") as tmp:
        for r in range(args.rounds):
            order = [("ours", args.ours), ("theirs", args.against)]
            for name, cli in order if r % 2 == 0 else order[::-1]:
                out = Path(tmp) / f"{name}-{r}"
                wall, success = run_once(cli, args.suite, out)
                walls[name].append(wall)
                print(
                    f"round {r} {name}: {wall:.1f} s, success {success:.1%}, load {os.getloadavg()[0]:.1f}", flush=True
                )
                shutil.rmtree(out)
    ours, theirs = statistics.median(walls["ours"]), statistics.median(walls["theirs"])
    print(f"medians: ours {ours:.1f} s, theirs {theirs:.1f} s: ours is {theirs / ours:.2f}x faster")


if __name__ == "__main__":
    main()
