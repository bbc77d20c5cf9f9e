"""``qwen2vl-agent replay RUN_DIR``: re-execute a recorded episode's actions on a device, without a model, and
say where the screens diverge from the recording.

The device is the one the run used (``meta.json``'s env: a simulated phone is rebuilt from its seed), unless
``--env``/``--seed``/``--serial`` say otherwise. A benchmark episode (one directory of a ``bench`` run's
trajectories) is replayed on a simulated phone reset with the instance's seed and its task set up from it, as
the benchmark did; ``--seed`` sets up the instance that seed gives instead. Each step's screen is compared
with the recorded screenshot by its fingerprint (a coarse digest blind to pixel noise). Exit code 0: every
screen matched; 1: some diverged (the first is named); 2: the run directory or the device could not be used.
A regression test for apps and for the runtime alike.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .. import exit_codes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="re-execute a recorded episode and report divergent screens", description=__doc__)
    p.add_argument("run_dir", type=Path, help="an episode directory written by `run` or `bench`")
    p.add_argument(
        "--env", choices=("sim", "fake", "android", "desktop"), help="where to replay (default: as recorded)"
    )
    p.add_argument("--seed", type=int, help="sim: the phone's seed (default: as recorded)")
    p.add_argument("--serial", help="android: device serial (default: as recorded)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.set_defaults(func=run)


def recorded_meta(run_dir: Path) -> dict[str, Any]:
    """``meta.json`` of an episode directory; ``ValueError`` says why it cannot be used."""
    path = run_dir / "meta.json"
    if not path.is_file():
        raise ValueError(f"{run_dir}: no meta.json, not an episode directory")
    return json.loads(path.read_text(encoding="utf-8"))


def run(args: argparse.Namespace) -> int:
    from qwen2vl_agent.envs import EnvError

    from ..factory import open_env, replay_env_spec
    from ..replay import replay
    from ..trajectory import read_steps

    try:
        meta = recorded_meta(args.run_dir)
        steps = read_steps(args.run_dir)
        if not steps:
            raise ValueError(f"{args.run_dir}: no steps recorded")
        if "bench" in meta:
            report = _replay_bench(args, meta["bench"], steps)
        else:
            recorded = meta.get("env") or {}
            settings = replay_env_spec(
                args.env or recorded.get("kind", "sim"), serial=args.serial or recorded.get("serial"),
                seed=recorded.get("seed", 0) if args.seed is None else args.seed,
            )  # fmt: skip
            with open_env(settings) as env:
                report = replay(env, args.run_dir, steps)
    except (ValueError, OSError, EnvError) as e:
        print(f"qwen2vl-agent replay: {e}", file=sys.stderr)
        return exit_codes.SETUP
    _show(report, args.json)
    return exit_codes.DONE if not report.divergent else exit_codes.NOT_DONE


def _replay_bench(args: argparse.Namespace, bench: dict[str, Any], steps: list[Any]) -> Any:
    """A benchmark episode, on a simulated phone set up as the benchmark did (``bench/replaying.py``)."""
    from ..bench.replaying import BenchSetup, bench_env
    from ..replay import replay

    if args.env not in (None, "sim") or args.serial:
        raise ValueError("a benchmark episode replays on the simulated phone only (no --env/--serial)")
    with bench_env(BenchSetup.of(bench, args.run_dir), args.seed) as (env, seed, options):
        return replay(env, args.run_dir, steps, seed=seed, options=options)


def _show(report, as_json: bool) -> None:
    if as_json:
        rows = [{"step": s.step, "same": s.same, "recorded": s.recorded, "replayed": s.replayed,
                 "errors": list(s.errors)} for s in report.screens]  # fmt: skip
        print(json.dumps({"divergent": len(report.divergent), "screens": rows}))
        return
    for s in report.screens:
        label = f"step {s.step}" if isinstance(s.step, int) else "final"
        verdict = "same" if s.same else f"DIVERGES (recorded {s.recorded[:8]}, now {s.replayed[:8]})"
        print(f"{label}: {verdict}" + "".join(f"; {e}" for e in s.errors))
    first = report.first_divergent
    if first is None:
        print(f"reproduced: 0 divergent screens of {len(report.screens)}")
    else:
        where = f"step {first.step}" if isinstance(first.step, int) else "the final screen"
        print(f"diverged: {len(report.divergent)} of {len(report.screens)} screens; first at {where}")
