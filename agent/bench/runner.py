"""The benchmark runner: every (task, instance) on its own simulated phone, P phones at a time.

For each instance (``instance.run_instance``): reset a phone to the instance seed, set the task up over
adb, run the agent loop with the task's step budget (10 x complexity, times ``max_steps_factor``), record
the trajectory, and score it with the task's checker - only if the agent itself declared the task done
(``Terminate("success")`` or a final answer); otherwise the score is 0.

Faults are never scored. An instance that ends in an infrastructure fault is run again on a fresh phone
(the fleet restarts a dead adb server first), up to ``retries`` more times, and then recorded as an
``error``; an exception of our own is recorded as an ``error`` at once. Each record is appended to
``results.jsonl`` as soon as it exists, so a killed run, started again with the same settings and output
directory, skips what was scored and runs the rest, errors included. The run directory's identity
(``run.json``) includes the selection, so two selections can never share one.

The runner is the driver; where the attempts run is its executor's business (``executor``): phones on this
machine, or Ray tasks on a cluster (``config.executor == "ray"``). Retries, writing each result exactly once,
the trajectories' place and the summary are the driver's, the same for every executor.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qwen2vl_agent.envs.tasks import instance_seed, select
from qwen2vl_agent.model.spec import spec_label

from .config import BenchConfig, Instance
from .devices import DevicePool, resolve
from .executor import Attempt, Executor, LocalExecutor, Phones, unpack
from .fleet import Fleet
from .policies import PolicySource
from .results import EpisodeRecord, ResultsFile
from .summary import Summary, summarize

log = logging.getLogger(__name__)


def plan_instances(config: BenchConfig) -> list[Instance]:
    """Every instance of the run, in order: template by template, instance by instance."""
    return [
        Instance(cls, i, instance_seed(config.seed, cls.name, i))
        for cls in select(config.suite, config.tasks)
        for i in range(config.combinations)
    ]


@dataclass
class RunReport:
    """What a run did: the summary of the selected instances, how many ran now and how many were resumed."""

    summary: Summary
    records: list[EpisodeRecord]
    ran: int
    skipped: int
    wall_s: float
    interrupted: bool = False


Progress = Callable[[EpisodeRecord, int, int], None]  # (record, finished so far, to run)


class BenchRunner:
    """Runs a ``BenchConfig``; ``progress`` is called after each finished instance. ``executor``: where the
    attempts run (default: made from the config, see ``make_executor``)."""

    def __init__(
        self, config: BenchConfig, progress: Progress | None = None,
        executor: Callable[[BenchConfig, int], Executor] | None = None,
    ) -> None:  # fmt: skip
        self.config = config
        self.progress = progress
        self.results = ResultsFile(config.out)
        self.make_executor = executor or make_executor
        self._done = 0

    def run(self) -> RunReport:
        started = time.monotonic()
        config = self.config
        selected = plan_instances(config)
        self.results.claim(config.identity())
        scored = {r.key for r in self.results.read() if r.outcome == "scored"}
        pending = [inst for inst in selected if inst.key not in scored]
        log.info("%d instances selected, %d already scored", len(selected), len(selected) - len(pending))
        interrupted = False
        if pending:
            try:
                self._run_all(pending)
            except KeyboardInterrupt:
                interrupted = True
                log.warning("interrupted: unfinished instances will run when the same command is repeated")
        wall = time.monotonic() - started
        keys = {inst.key for inst in selected}
        records = [r for r in self.results.read() if r.key in keys]
        summary = summarize(records, self._label(), wall_s=wall, selected=len(selected))
        return RunReport(summary, records, self._done, len(selected) - len(pending), wall, interrupted)

    def _label(self) -> str:
        return (
            spec_label(self.config.model) if self.config.policy == "model" and self.config.model else self.config.policy
        )

    def _run_all(self, pending: list[Instance]) -> None:
        written: set[tuple[str, int]] = set()
        with self.make_executor(self.config, len(pending)) as executor:
            for inst in pending:
                executor.submit(inst)
            for attempt in executor.stream():
                if attempt.inst.key in written:  # a late duplicate (a task run twice by the cluster): dropped
                    log.warning("%s: a second result arrived; keeping the first", attempt.inst.dirname)
                    continue
                if self._retry(attempt):
                    executor.submit(attempt.inst, attempt.number + 1)
                    continue
                written.add(attempt.inst.key)
                self._write(attempt, len(pending))

    def _retry(self, attempt: Attempt) -> bool:
        """Whether to run the instance again: an infrastructure fault with retries left (on a fresh phone)."""
        record, total = attempt.record, self.config.retries + 1
        if record.outcome == "scored" or record.error_kind == "internal" or attempt.number >= total:
            return False
        log.warning("%s: attempt %d of %d hit a fault: %s", attempt.inst.dirname, attempt.number, total,
                    record.exception)  # fmt: skip
        return True

    def _write(self, attempt: Attempt, total: int) -> None:
        record = attempt.record
        if attempt.trajectory is not None and record.trajectory:
            unpack(attempt.trajectory, self.config.out / record.trajectory)
        with _signals_held():  # a result on disk is reported too, whenever a signal comes
            self.results.append(record)
            self._done += 1
            if self.progress is not None:
                self.progress(record, self._done, total)


_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for the block: one that arrives is delivered again (to the handler
    the command set, which raises) when the block ends, never between writing a result and reporting it."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set from there
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: caught.append(number)) for sig in _HELD}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            signal.raise_signal(caught[0])


def make_executor(config: BenchConfig, pending: int) -> Executor:
    """The executor ``config`` asks for: Ray tasks on a cluster, or phones on this machine (``parallel``
    simulated ones, or the pool of real devices of ``config.devices``)."""
    if config.executor == "ray":
        from .ray_executor import RayExecutor  # the only place Ray is imported

        return RayExecutor(config)
    pool: Phones | None = None
    if config.env == "android":  # a pool of real devices: one slot per device, each leased per episode
        serials = resolve(config.devices, config.adb_host, config.adb_port)
        pool = DevicePool(serials, config.adb_host, config.adb_port)
    n = min(len(serials), pending) if pool else min(config.parallel, pending)
    source = PolicySource(
        config.policy, config.model, parallel=n, convention=config.agent.convention, dialect=config.agent.dialect
    )
    try:
        fleet = pool or Fleet(n, config.screen_size, config.density).start()
    except BaseException:
        source.close()
        raise
    return LocalExecutor(config, fleet, n, source)
