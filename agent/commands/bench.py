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

from pydantic import Field

from qwen2vl_agent.model.spec import spec_fields, spec_label

from .. import exit_codes
from ..bench.config import BenchConfig, PolicyKind
from .config import ConfigError, add_flags, flag
from .layered import build_config
from .options import AGENT_FLAGS, MODEL_FLAGS, MODEL_SPEC_HELP, add_config_options
from .sim import parse_size

if TYPE_CHECKING:
    from ..bench import EpisodeRecord, RunReport
    from ..bench.runner import Progress

POLICIES = ("oracle", "random", "model")


class BenchOptions(BenchConfig):
    """What ``bench`` can be told: a ``BenchConfig`` whose run directory and policy may be left to defaults
    that depend on the rest, and how much it prints."""

    out: Path | None = Field(  # type: ignore[assignment]
        None,
        description="run directory (default: runs/bench/<policy>-<suite>-s<seed>[-<selection hash>]); "
        "one per selection",
    )
    policy: PolicyKind | None = Field(  # type: ignore[assignment]
        None, description="oracle, random or model (default: oracle; model when --model is given)"
    )
    quiet: bool = Field(False, description="no line per finished episode")


def _csv(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


_SCREEN = BenchOptions.model_fields["screen_size"].default
# One line per flag: its path in BenchOptions (type, default and help come from the field).
FLAGS = (
    flag(BenchOptions, "suite"),
    flag(
        BenchOptions,
        "tasks",
        type=_csv,
        default="",
        help="comma-separated task names or globs narrowing the suite (default: all)",
    ),
    flag(BenchOptions, "combinations", names=("--combinations", "-k")),
    flag(BenchOptions, "seed"),
    flag(BenchOptions, "parallel", names=("--parallel", "-p")),
    flag(BenchOptions, "policy", choices=POLICIES),
    flag(BenchOptions, "model", help=MODEL_SPEC_HELP, type=str, default=None, metavar=None),
    flag(BenchOptions, "out"),
    flag(BenchOptions, "max_steps_factor"),
    flag(BenchOptions, "screen_size", names=("--screen",), type=parse_size, default=f"{_SCREEN[0]}x{_SCREEN[1]}"),
    flag(BenchOptions, "density"),
    flag(BenchOptions, "retries"),
    flag(BenchOptions, "device_timeout_s", names=("--device-timeout",)),
    flag(BenchOptions, "html", help="skip the per-episode HTML reports (faster)"),
    flag(BenchOptions, "video"),
    flag(BenchOptions, "quiet", names=("--quiet", "-q")),
)
# Where episodes run: the executor, and the devices of a real-device pool.
RUN_FLAGS = (
    flag(BenchOptions, "executor"),
    flag(BenchOptions, "ray_address"),
    flag(BenchOptions, "ray_resource"),
    flag(BenchOptions, "env"),
    flag(BenchOptions, "devices"),
    flag(BenchOptions, "adb_host"),
    flag(BenchOptions, "adb_port"),
)
ALL_FLAGS = (*FLAGS, *RUN_FLAGS, *MODEL_FLAGS, *AGENT_FLAGS)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="run benchmark task suites on simulated phones", description=__doc__,
        epilog=exit_codes.DESCRIPTION,
    )  # fmt: skip
    add_flags(p, FLAGS[:-1])
    p.add_argument("--list", action="store_true", help="list the tasks and suites, then exit")
    add_flags(p, FLAGS[-1:])
    add_flags(p.add_argument_group("where episodes run"), RUN_FLAGS)
    add_flags(p.add_argument_group("model"), MODEL_FLAGS)
    add_flags(p.add_argument_group("agent"), AGENT_FLAGS)
    add_config_options(p)
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
        options = load_options(args)
        if args.print_config:
            from .config import to_toml
            from .run import printable

            print(to_toml(printable(options)), end="")
            return 0
        config = _config(options)
        with _view(options.quiet) as view, _terminate_as_interrupt():
            report = BenchRunner(config, view).run()
    except ValidationError as e:
        error = e.errors()[0]
        return _fail(f"invalid option: {'.'.join(str(x) for x in error['loc'])}: {error['msg']}")
    except (ConfigError, UnknownTask, RunMismatch, ValueError, ModelUnavailable, ModelFailed) as e:
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


def load_options(args: argparse.Namespace) -> BenchOptions:
    """The effective options: defaults < ``--config FILE`` < the flags given (``ConfigError`` if unusable)."""
    return build_config(BenchOptions, args, ALL_FLAGS, normalise={"model": spec_fields})


def _config(options: BenchOptions) -> BenchConfig:
    policy = options.policy or ("model" if options.model else "oracle")
    if policy == "model" and not options.model:
        raise ValueError("--policy model needs --model SPEC")
    if policy != "model" and options.model:
        raise ValueError(f"--model is only used with --policy model, not {policy}")
    label = options.model and spec_label(options.model)
    out = options.out or default_out(policy, label, options.suite, options.seed, options.tasks, options.combinations)
    fields = {name: getattr(options, name) for name in BenchConfig.model_fields}
    return BenchConfig.model_validate({**fields, "out": out, "policy": policy})


def _line(record: EpisodeRecord, done: int, total: int) -> str:
    """The plain line of a finished episode (parsed by people's scripts: keep its shape)."""
    if record.outcome == "error":
        verdict = f"ERROR ({record.error_kind}, not scored) after {record.attempts} tries"
    else:
        verdict = f"success={record.success:g} {record.status}"
    what = record.exception or record.reason
    return (
        f"[{done}/{total}] {record.task}-{record.instance}: {verdict} in {record.steps} steps "
        f"({record.duration_s:.1f} s) - {what}"
    )


def _progress(record: EpisodeRecord, done: int, total: int) -> None:
    print(_line(record, done, total), file=sys.stderr, flush=True)


@contextlib.contextmanager
def _view(quiet: bool) -> Iterator[Progress | None]:
    """Nothing when quiet; a rich bar with the ETA and pass rate on a terminal; else the plain lines."""
    if quiet:
        yield None
    elif not sys.stderr.isatty():
        yield _progress
    else:
        from ..live import BenchView

        with BenchView(sys.stderr, _line) as view:
            yield view


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
