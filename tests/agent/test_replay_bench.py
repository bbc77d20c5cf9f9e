"""``replay`` of benchmark episodes, through the real CLI: the phone is set up as the benchmark did (reset with
the instance's seed, then the task's setup), so an oracle episode reproduces with zero divergent screens; with
another seed the task is set up from that seed and replay names the first divergent step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TASKS = ("SystemWifi", "NotesCountQuestion", "ClockAlarmTurnOff")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qwen2vl_agent.agent.cli", *args], capture_output=True, text=True,
                          timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "bench"
    proc = cli("bench", "--suite", "smoke", "--tasks", ",".join(TASKS), "--out", str(out), "--quiet", "--no-html")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.parametrize("task", TASKS)
def test_replay_reproduces_a_bench_episode(bench: Path, task: str) -> None:
    episode = bench / "trajectories" / f"{task}-0"
    steps = len((episode / "steps.jsonl").read_text(encoding="utf-8").splitlines())
    proc = cli("replay", str(episode), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["divergent"] == 0
    assert [s["step"] for s in out["screens"]] == [*range(steps), "final"]


def test_replay_of_a_bench_episode_with_another_seed_names_the_first_divergent_step(bench: Path) -> None:
    proc = cli("replay", str(bench / "trajectories" / "NotesCountQuestion-0"), "--seed", "7")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "step 0: same"  # the home screen does not depend on the seed; the notes set up do
    assert lines[1].startswith("step 1: DIVERGES")
    assert lines[-1].endswith("first at step 1")


def test_a_bench_episode_replays_on_the_simulated_phone_only(bench: Path) -> None:
    proc = cli("replay", str(bench / "trajectories" / "SystemWifi-0"), "--env", "fake")
    assert proc.returncode == 2 and "simulated phone only" in proc.stderr


def test_an_older_bench_meta_names_its_task_by_the_directory() -> None:
    from qwen2vl_agent.agent.bench.replaying import BenchSetup

    setup = BenchSetup.of({"instance": 3, "seed": 5}, Path("runs/b/trajectories/SystemWifi-3"))
    assert setup == BenchSetup("SystemWifi", 5, (1080, 2400), 420)
