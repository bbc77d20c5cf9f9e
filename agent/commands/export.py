"""``qwen2vl-agent export RUN_DIR... --format sft``: trajectories as training data (JSONL), one sample per step
in the exact rendering the model was prompted with (``agent/export.py``), for LLaMA-Factory (sharegpt, registered
in the ``dataset_info.json`` beside the file) and ms-swift. Only episodes that pass the filters are written: by
default the successful ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import exit_codes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write trajectories as SFT chat JSONL", description=__doc__)
    p.add_argument("run_dirs", nargs="+", type=Path, help="episode directories, or directories holding them")
    p.add_argument("--format", choices=("sft",), default="sft", help="output format")
    p.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    p.add_argument("--status", default="success,answered", help="comma-separated episode statuses to keep")
    p.add_argument("--min-score", type=float, help="keep only episodes a checker scored at least this")
    p.add_argument("--task", help="keep only tasks matching this glob")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import Filters, check_sample, episode_dirs, register, samples
    from ..reprompt import Episode

    filters = Filters(frozenset(args.status.split(",")), args.min_score, args.task)
    kept = written = 0
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            for run_dir in episode_dirs(args.run_dirs):
                if not filters.keep(run_dir, str(Episode(run_dir).meta.get("task", ""))):
                    continue
                kept += 1
                for sample in samples(run_dir):
                    check_sample(sample)
                    f.write(json.dumps(sample, ensure_ascii=False) + "\n")
                    written += 1
        info = register(args.out)
    except (ValueError, OSError) as e:
        print(f"qwen2vl-agent export: {e}", file=sys.stderr)
        return exit_codes.SETUP
    print(f"exported {written} samples from {kept} episodes to {args.out} (LLaMA-Factory dataset "
          f"{args.out.stem!r} registered in {info})")  # fmt: skip
    return exit_codes.DONE
