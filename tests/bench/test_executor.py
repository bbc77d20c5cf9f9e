"""The driver over any executor, on a scripted fake one: a lost attempt is submitted again and its retry
recorded, a result is written exactly once (a late duplicate is dropped), a trajectory shipped as a tar
lands in the run directory; and Ray is imported only by its executor."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from qwen2vl_agent.agent.bench import BenchRunner
from qwen2vl_agent.agent.bench import runner as runner_module
from qwen2vl_agent.agent.bench.executor import Attempt, Executor, lost_record, pack
from qwen2vl_agent.agent.bench.results import EpisodeRecord


def _scored(attempt: Attempt, config) -> EpisodeRecord:
    record = lost_record(attempt.inst, config, "")
    return record.model_copy(update={"outcome": "scored", "error_kind": None, "success": 1.0, "exception": None,
                                     "attempts": attempt.number})  # fmt: skip


class FakeExecutor(Executor):
    """Loses the first attempt of every even instance, answers instance 0 twice, ships a trajectory tar."""

    def __init__(self, config, tar: bytes) -> None:
        self.config, self.tar = config, tar
        self.queue: list[tuple] = []
        self.submitted: list[tuple[str, int, int]] = []
        self.cancelled = False

    def submit(self, inst, number=1) -> None:
        self.queue.append((inst, number))
        self.submitted.append((inst.task.name, inst.index, number))

    def stream(self) -> Iterator[Attempt]:
        while self.queue:
            inst, number = self.queue.pop(0)
            if inst.index % 2 == 0 and number == 1:
                yield Attempt(inst, number, lost_record(inst, self.config, "the worker running it was lost"))
                continue
            attempt = Attempt(inst, number, None, self.tar)  # type: ignore[arg-type]
            attempt.record = _scored(attempt, self.config)
            yield attempt
            if inst.index == 0:
                yield attempt  # a duplicate: dropped by the driver

    def cancel(self) -> None:
        self.cancelled = True


def test_the_driver_retries_lost_attempts_and_writes_each_result_once(small_config, tmp_path: Path):
    episode = tmp_path / "episode"
    episode.mkdir()
    (episode / "steps.jsonl").write_text("{}\n")
    config = small_config(tasks=("SystemWifi",), combinations=4, retries=1)
    fakes: list[FakeExecutor] = []

    def make(config, pending) -> FakeExecutor:
        fakes.append(FakeExecutor(config, pack(episode) or b""))
        return fakes[-1]

    report = BenchRunner(config, executor=make).run()
    (fake,) = fakes
    assert fake.cancelled  # the executor is closed when the run ends
    assert sorted(fake.submitted) == sorted(
        [("SystemWifi", i, 1) for i in range(4)] + [("SystemWifi", 0, 2), ("SystemWifi", 2, 2)]
    )
    lines = (config.out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 4 and report.summary.overall.success_rate == 1.0
    assert {r.instance: r.attempts for r in report.records} == {0: 2, 1: 1, 2: 2, 3: 1}
    for r in report.records:
        assert (config.out / r.trajectory / "steps.jsonl").read_text() == "{}\n"


def test_a_lost_attempt_out_of_retries_is_an_infrastructure_error(small_config):
    config = small_config(tasks=("SystemWifi",), combinations=1, retries=0)
    report = BenchRunner(config, executor=lambda c, n: FakeExecutor(c, b"")).run()
    (record,) = report.records
    assert (record.outcome, record.error_kind, record.attempts) == ("error", "infrastructure", 1)


def test_ray_is_imported_only_by_its_executor():
    code = (
        "import sys, contextlib, io\n"
        "import qwen2vl_agent.agent.bench, qwen2vl_agent.agent.bench.executor\n"
        "from qwen2vl_agent.agent.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['bench', '--help'])\n"
        "    except SystemExit: pass\n"
        "print('ray' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert runner_module.make_executor.__module__ == runner_module.__name__
