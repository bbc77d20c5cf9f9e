"""``qwen2vl-agent bench``: AndroidWorld-style task suites on simulated phones, P phones in parallel.

Each task instance runs on its own freshly seeded phone; success is read from the phone's state over adb
and counts only when the agent declared the task done. Results are checkpointed per instance in
``OUT/results.jsonl``: run the same command again after a kill and it finishes what is left. An instance
hit by an infrastructure fault (phone, adb server or model server) is retried on a fresh phone, then
recorded as an error: errors are never scored, the same command runs them again, and while any remain
the command exits 3. The summary (success rate over the scored instances, errors apart, mean steps,
seconds per step, by task and by difficulty) is printed and written to ``OUT/summary.md`` and
``OUT/summary.json``; every trajectory is kept under ``OUT/trajectories/``.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import exit_codes
from .options import add_agent_options, add_model_options, model_overrides, policy_config
from .sim import parse_size

if TYPE_CHECKING:
    from ..bench import BenchConfig, EpisodeRecord, RunReport

POLICIES = ("oracle", "random", "model")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="run benchmark task suites on simulated phones", description=__doc__,
        epilog=exit_codes.DESCRIPTION,
    )  # fmt: skip
    p.add_argument("--suite", default="default", help="task suite: default, smoke, easy, medium, hard")
    p.add_argument("--tasks", default="", help="comma-separated task names or globs narrowing the suite (default: all)")
    p.add_argument("--combinations", "-k", type=int, default=1, help="instances per task")
    p.add_argument("--seed", type=int, default=0, help="run seed; instance seeds derive from it")
    p.add_argument("--parallel", "-p", type=int, default=1, help="phones running at once")
    p.add_argument(
        "--policy", choices=POLICIES, help="oracle, random or model (default: oracle; model when --model is given)"
    )
    p.add_argument("--model", help="tiny | scripted:FILE | openai:URL[#MODEL] | a checkpoint dir | a hub id")
    p.add_argument(
        "--out", type=Path,
        help="run directory (default: runs/bench/<policy>-<suite>-s<seed>[-<selection hash>]); one per selection",
    )  # fmt: skip
    p.add_argument("--max-steps-factor", type=float, default=1.0, help="step budget = 10 x complexity x this")
    p.add_argument("--screen", type=parse_size, default="1080x2400", help="phone screen WxH")
    p.add_argument("--density", type=int, default=420, help="phone density in dpi")
    p.add_argument("--retries", type=int, default=2, help="tries more after an infrastructure fault")
    p.add_argument("--device-timeout", type=float, default=20.0, help="seconds one adb call may take")
    p.add_argument("--no-html", action="store_true", help="skip the per-episode HTML reports (faster)")
    p.add_argument("--list", action="store_true", help="list the tasks and suites, then exit")
    p.add_argument("--quiet", "-q", action="store_true", help="no line per finished episode")
    p.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: phones on this machine; ray: Ray tasks on a cluster (pip install 'qwen2vl-agent[ray]')",
    )
    p.add_argument("--ray-address", help="the Ray cluster to use (default: RAY_ADDRESS, else a local one)")
    p.add_argument(
        "--env",
        choices=("sim", "android"),
        default="sim",
        help="sim: simulated phones; android: the real devices named below, on the adb server",
    )
    p.add_argument(
        "--devices",
        default="all",
        help="the real devices of env android: all, or SERIAL,SERIAL (one episode each at a time)",
    )
    p.add_argument("--adb-host", default="127.0.0.1", help="the adb server of the real devices")
    p.add_argument("--adb-port", type=int, default=5037, help="the adb server's port")
    p.add_argument("--ray-resource", default="sim_phone", help="the node resource one episode holds")
    add_model_options(p)
    add_agent_options(p)
    p.set_defaults(func=run)


def default_out(
    policy: str, model: str | None, suite: str, seed: int, tasks: tuple[str, ...] = (), combinations: int = 1
) -> Path:
    """``runs/bench/<label>-<suite>-s<seed>``, plus a hash of the selection when ``--tasks`` narrows the
    suite or ``-k`` widens it, so two selections never share a directory (and a summary)."""
    from qwen2vl_agent.model.openai_config import redact_spec

    from ..bench import selection_tag

    label = (
        policy
        if policy != "model"
        else re.sub(r"[^A-Za-z0-9._-]+", "_", redact_spec(model or "model")).strip("_")[-60:]
    )
    tag = selection_tag(suite, tasks, combinations)
    return Path("runs") / "bench" / (f"{label}-{suite}-s{seed}" + (f"-{tag}" if tag else ""))


def exit_code(report: RunReport) -> int:
    """INTERRUPTED after a signal; FAULT while a selected instance is an error or never ran; else DONE."""
    if report.interrupted:
        return exit_codes.INTERRUPTED
    if report.summary.overall.errors or report.summary.missing:
        return exit_codes.FAULT
    return exit_codes.DONE


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    from pydantic import ValidationError

    from qwen2vl_agent.envs.sim import AdbServerError
    from qwen2vl_agent.envs.tasks import UnknownTask
    from qwen2vl_agent.model import ModelFailed, ModelUnavailable

    from ..bench import BenchRunner, RunMismatch, render
    from ..bench.page import write_run_page
    from ..bench.summary import write

    try:
        config = _config(args)
        runner = BenchRunner(config, None if args.quiet else _progress)
        with _terminate_as_interrupt():
            report = runner.run()
    except ValidationError as e:
        error = e.errors()[0]
        return _fail(f"invalid option: {'.'.join(str(x) for x in error['loc'])}: {error['msg']}")
    except (UnknownTask, RunMismatch, ValueError, ModelUnavailable, ModelFailed) as e:
        return _fail(str(e))
    except (AdbServerError, OSError) as e:  # the phones could not start, or the output directory is unusable
        return _fail(f"{type(e).__name__}: {e}")
    md, _ = write(report.summary, config.out)
    write_run_page(config.out, report.records, report.summary)
    print(render(report.summary), end="")
    resumed = f", {report.skipped} already done" if report.skipped else ""
    print(
        f"ran {report.ran} episodes{resumed}; results: {config.out / 'results.jsonl'}; summary: {md}", file=sys.stderr
    )
    code = exit_code(report)
    if code == exit_codes.FAULT:
        o = report.summary
        print(f"{o.overall.errors} errors and {o.missing} instances not run: run the same command again to retry "
              "them", file=sys.stderr)  # fmt: skip
    return code


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the run like Ctrl-C: phones and the adb server are shut down, finished
    results kept."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _config(args: argparse.Namespace) -> BenchConfig:
    from ..bench import BenchConfig

    policy = args.policy or ("model" if args.model else "oracle")
    if policy == "model" and not args.model:
        raise ValueError("--policy model needs --model SPEC")
    if policy != "model" and args.model:
        raise ValueError(f"--model is only used with --policy model, not {policy}")
    tasks = tuple(t.strip() for t in args.tasks.split(",") if t.strip())
    out = args.out or default_out(policy, args.model, args.suite, args.seed, tasks, args.combinations)
    return BenchConfig(
        out=out, suite=args.suite, tasks=tasks, combinations=args.combinations, seed=args.seed,
        parallel=args.parallel, policy=policy, model=args.model, max_steps_factor=args.max_steps_factor,
        screen_size=args.screen, density=args.density, html=not args.no_html, retries=args.retries,
        device_timeout_s=args.device_timeout, agent=policy_config(args), model_overrides=model_overrides(args),
        executor=args.executor, ray_address=args.ray_address, ray_resource=args.ray_resource, env=args.env,
        devices=args.devices, adb_host=args.adb_host, adb_port=args.adb_port,
    )  # fmt: skip


def _progress(record: EpisodeRecord, done: int, total: int) -> None:
    if record.outcome == "error":
        verdict = f"ERROR ({record.error_kind}, not scored) after {record.attempts} tries"
    else:
        verdict = f"success={record.success:g} {record.status}"
    what = record.exception or record.reason
    print(
        f"[{done}/{total}] {record.task}-{record.instance}: {verdict} in {record.steps} steps "
        f"({record.duration_s:.1f} s) - {what}",
        file=sys.stderr,
        flush=True,
    )


def _list() -> int:
    from qwen2vl_agent.envs.tasks import SUITES, TEMPLATES

    for cls in TEMPLATES:
        print(f"{cls.name:32} {cls.difficulty:6} x{cls.complexity:<4g} {', '.join(cls.apps):20} {cls.template}")
    print()
    for name, tasks in SUITES.items():
        print(f"suite {name}: {len(tasks)} tasks")
    return 0


def _fail(message: str) -> int:
    print(f"qwen2vl-agent bench: {message}", file=sys.stderr)
    return exit_codes.SETUP
