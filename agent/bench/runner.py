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
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qwen2vl_agent.envs.tasks import instance_seed, select
from qwen2vl_agent.model.spec import spec_label

from .config import BenchConfig, Instance
from .fleet import Fleet, FleetError
from .instance import run_instance
from .policies import PolicySource
from .results import EpisodeRecord, ResultsFile
from .summary import Summary, summarize

if TYPE_CHECKING:
    pass

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
    """Runs a ``BenchConfig``; ``progress`` is called after each finished instance. While it runs,
    ``fleet`` is its phones and their adb server."""

    def __init__(self, config: BenchConfig, progress: Progress | None = None) -> None:
        self.config = config
        self.progress = progress
        self.results = ResultsFile(config.out)
        self.stop = threading.Event()
        self.fleet: Fleet | None = None
        self._done = 0
        self._lock = threading.Lock()

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
        config = self.config
        work: queue.Queue[Instance] = queue.Queue()
        for inst in pending:
            work.put(inst)
        n = min(config.parallel, len(pending))
        source = PolicySource(
            config.policy, config.model, parallel=n, convention=config.agent.convention, dialect=config.agent.dialect
        )
        threads: list[threading.Thread] = []
        try:
            with Fleet(n, config.screen_size, config.density) as self.fleet:
                threads = [
                    threading.Thread(target=self._worker, args=(slot, work, source, len(pending)), daemon=True,
                                     name=f"bench-{slot}")
                    for slot in range(n)
                ]  # fmt: skip
                for t in threads:
                    t.start()
                try:
                    for t in threads:
                        while t.is_alive():
                            t.join(timeout=0.5)
                except KeyboardInterrupt:
                    self.stop.set()  # records of episodes cut short by the shutdown are dropped, not saved
                    raise
        finally:
            self.stop.set()
            for t in threads:  # their phones are gone, so they end soon; a record being written is finished
                t.join(timeout=config.device_timeout_s + 5)
            self.fleet = None
            source.close()

    def _worker(self, slot: int, work: queue.Queue[Instance], source: PolicySource, total: int) -> None:
        while not self.stop.is_set():
            try:
                inst = work.get_nowait()
            except queue.Empty:
                return
            try:
                record = self._attempts(slot, inst, source)
            except Exception as e:  # run_instance never raises: this is the fleet failing to give a phone
                log.error("phone slot %d is out of service: %s", slot, e, exc_info=not isinstance(e, FleetError))
                return  # its instance counts as not run (the run exits FAULT); the other slots go on
            if record is None:
                return
            with self._lock:
                if self.stop.is_set():
                    return
                self.results.append(record)
                self._done += 1
                done = self._done
            if self.progress is not None:
                self.progress(record, done, total)

    def _attempts(self, slot: int, inst: Instance, source: PolicySource) -> EpisodeRecord | None:
        """Run ``inst`` until it is scored, fails with a bug, or has used its retries; None when stopped."""
        assert self.fleet is not None
        record: EpisodeRecord | None = None
        for attempt in range(1, self.config.retries + 2):
            record = run_instance(self.fleet.phone(slot), inst, source, self.config)
            record.attempts = attempt
            if self.stop.is_set():
                return None
            if record.outcome == "error" or record.teardown_error:
                self.fleet.discard(slot)  # never reuse a phone a fault (or a bug) left in an unknown state
            if record.outcome == "scored" or record.error_kind == "internal":
                return record
            log.warning("%s: attempt %d of %d hit a fault: %s", inst.dirname, attempt, self.config.retries + 1,
                        record.exception)  # fmt: skip
        return record
