"""The benchmark runner: every (task, instance) on its own simulated phone, P phones at a time.

For each instance: reset a phone to the instance seed, set the task up over adb, run the agent loop with
the task's step budget (10 x complexity, times ``max_steps_factor``), record the trajectory, and score it
with the task's checker - only if the agent itself declared the task done (``Terminate("success")`` or a
final answer); otherwise the score is 0. Then tear the task down. Anything that raises becomes a failed
record with the message. Each record is appended to ``results.jsonl`` as soon as it exists, so a killed
run, started again with the same settings and output directory, skips what finished and runs the rest.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.envs.tasks import Task, TaskDevice, instance_seed, select
from qwen2vl_agent.model.openai_config import redact_spec

from ..loop import LoopConfig, run_episode
from ..policy import PolicyConfig, QwenPolicy
from ..recorder import TrajectoryRecorder
from ..report import record_score
from .policies import PolicyKind, PolicySource
from .results import EpisodeRecord, ResultsFile
from .summary import Summary, summarize

log = logging.getLogger(__name__)


class BenchConfig(BaseModel):
    """One benchmark run. ``out`` is the run directory (results, trajectories, summary)."""

    model_config = ConfigDict(extra="forbid")

    out: Path
    suite: str = "default"
    tasks: tuple[str, ...] = ()  # names or globs narrowing the suite
    combinations: int = Field(1, ge=1, le=10_000)  # instances per template
    seed: int = 0
    parallel: int = Field(1, ge=1, le=64)  # phones running at once
    policy: PolicyKind = "oracle"
    model: str | None = None  # the model spec when policy is "model"
    max_steps_factor: float = Field(1.0, gt=0, le=20)
    screen_size: tuple[int, int] = (1080, 2400)
    density: int = Field(420, ge=80)
    html: bool = True  # rewrite each episode's report.html after every step
    agent: PolicyConfig = Field(default_factory=PolicyConfig)
    model_overrides: dict[str, Any] = Field(default_factory=dict)

    def identity(self) -> dict[str, Any]:
        """What must not change between a run and its resumption (the rest may)."""
        return {
            "seed": self.seed, "policy": self.policy, "model": self.model and redact_spec(self.model),
            "max_steps_factor": self.max_steps_factor, "screen_size": list(self.screen_size), "density": self.density,
            "agent": self.agent.model_dump(),
        }  # fmt: skip


@dataclass(frozen=True)
class Instance:
    task: type[Task]
    index: int
    seed: int

    @property
    def key(self) -> tuple[str, int]:
        return self.task.name, self.index

    @property
    def dirname(self) -> str:
        return f"{self.task.name}-{self.index}"


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
    """Runs a ``BenchConfig``; ``progress`` is called after each finished instance."""

    def __init__(self, config: BenchConfig, progress: Progress | None = None) -> None:
        self.config = config
        self.progress = progress
        self.results = ResultsFile(config.out)
        self.stop = threading.Event()
        self._done = 0
        self._lock = threading.Lock()

    def run(self) -> RunReport:
        started = time.monotonic()
        config = self.config
        selected = plan_instances(config)
        self.results.claim(config.identity())
        finished = {r.key for r in self.results.read()}
        pending = [inst for inst in selected if inst.key not in finished]
        log.info("%d instances selected, %d already finished", len(selected), len(selected) - len(pending))
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
        summary = summarize(records, self._label(), wall_s=wall)
        return RunReport(summary, records, self._done, len(selected) - len(pending), wall, interrupted)

    def _label(self) -> str:
        return (
            redact_spec(self.config.model)
            if self.config.policy == "model" and self.config.model
            else self.config.policy
        )

    def _run_all(self, pending: list[Instance]) -> None:
        from qwen2vl_agent.envs.sim import SimCluster

        config = self.config
        work: queue.Queue[Instance] = queue.Queue()
        for inst in pending:
            work.put(inst)
        n = min(config.parallel, len(pending))
        source = PolicySource(
            config.policy, config.model, parallel=n, convention=config.agent.convention,
            overrides=config.model_overrides,
        )  # fmt: skip
        try:
            with SimCluster(n, size=config.screen_size, density=config.density) as cluster:
                threads = [
                    threading.Thread(target=self._worker, args=(phone, work, source, len(pending)), daemon=True,
                                     name=f"bench-{i}")
                    for i, phone in enumerate(cluster)
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
            source.close()

    def _worker(self, phone: Any, work: queue.Queue[Instance], source: PolicySource, total: int) -> None:
        while not self.stop.is_set():
            try:
                inst = work.get_nowait()
            except queue.Empty:
                return
            record = run_instance(phone, inst, source, self.config)
            if self.stop.is_set():
                return
            self.results.append(record)
            with self._lock:
                self._done += 1
                done = self._done
            if self.progress is not None:
                self.progress(record, done, total)


def run_instance(phone: Any, inst: Instance, source: PolicySource, config: BenchConfig) -> EpisodeRecord:
    """Run one instance on ``phone`` (a started ``SimPhone``); never raises, failures become records."""
    cls = inst.task
    max_steps = cls.max_steps(config.max_steps_factor)
    record = EpisodeRecord(
        task=cls.name, instance=inst.index, seed=inst.seed, goal="", difficulty=cls.difficulty,
        complexity=cls.complexity, max_steps=max_steps, success=0.0, trajectory=f"trajectories/{inst.dirname}",
        policy=source.label, started_at=time.time(),
    )  # fmt: skip
    task: Task | None = None
    device: TaskDevice | None = None
    try:
        task = cls(cls.params(inst.seed))
        record.goal = task.goal
        phone.reset(seed=inst.seed)
        device = TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port)
        _episode(phone, task, device, inst, source, config, record)
    except Exception as e:
        log.exception("%s: failed", inst.dirname)
        record.success = 0.0
        record.exception = f"{type(e).__name__}: {e}"
    finally:
        if task is not None and device is not None and task.state == "ready":
            _teardown(task, device, record)
    return record


def _episode(
    phone: Any, task: Task, device: TaskDevice, inst: Instance, source: PolicySource, config: BenchConfig,
    record: EpisodeRecord,
) -> None:  # fmt: skip
    from qwen2vl_agent.envs.android import AndroidEnv

    # The simulated phone applies every input before `input` returns: no settle wait is needed.
    with AndroidEnv(phone.serial, host=phone.adb_host, port=phone.adb_port, settle=None) as env:
        task.setup(device)
        policy = QwenPolicy(source.for_episode(task, device, inst.seed), env.action_space, config.agent)
        meta = {"instance": inst.index, "seed": inst.seed, "difficulty": task.difficulty, "policy": source.label,
                "params": task.values}  # fmt: skip
        # An instance re-run after an interruption starts its trajectory afresh.
        recorder = TrajectoryRecorder(config.out / record.trajectory, {"bench": meta}, html=config.html, replace=True)
        result = run_episode(env, policy, task.goal, LoopConfig(max_steps=record.max_steps), [recorder])
    record.status, record.reason, record.answer = result.status, result.reason, result.answer
    record.steps, record.duration_s = result.steps, round(result.duration_s, 3)
    record.seconds_per_step = round(result.duration_s / result.steps, 3) if result.steps else 0.0
    record.declared_done = result.declared_done
    record.success = task.is_successful(device, result.answer) if result.declared_done else 0.0
    record_score(config.out / record.trajectory, record.success, checked=result.declared_done)


def _teardown(task: Task, device: TaskDevice, record: EpisodeRecord) -> None:
    try:
        task.teardown(device)
    except Exception as e:  # the score stands; the record says the phone may be left dirty
        log.warning("%s: teardown failed: %s", task.name, e)
        record.exception = record.exception or f"teardown: {type(e).__name__}: {e}"
