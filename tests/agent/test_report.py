"""The HTML report: badges that tell the truth, the checker's score beside the agent's claim, a page that
stops reloading once the run is over (or has gone quiet), and per-step updates that cost the same at step
200 as at step 1."""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any, get_args

import pytest

from qwen2vl_agent.agent import report, trajectory
from qwen2vl_agent.agent.bench import EpisodeRecord, summarize
from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.records import CallRecord, EpisodeResult, Geometry, Status, Step
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.envs.fake import make_screens
from qwen2vl_agent.envs.tasks import Finish, Task
from qwen2vl_agent.model import ScriptedModel

TAP = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}'
DONE = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'

EXPECTED_TONE = {
    "success": "good",
    "failure": "bad",
    "error": "bad",
    "stuck": "bad",
    "model_errors": "bad",
    "answered": "neutral",
    "max_steps": "neutral",
    "interrupted": "neutral",
}


def _step(index: int, text: str = "Tap it.\n" + TAP) -> Step:
    return Step(
        index=index,
        started_at=1e9 + index,
        screenshot=f"step_{index:03d}.png",
        geometry=Geometry(
            screen_size=(1080, 2400), screenshot_size=(1080, 2400), model_image_size=(812, 1792), convention="rel1000"
        ),
        raw_text=text,
        calls=[
            CallRecord(
                name="Tap", raw_arguments='{"point": [250, 750]}', executed={"type": "Tap", "point": [270, 1800]}
            )
        ],
        timings={"model_generate": 0.5},
    )


def _result(status: Status, answer: str | None = None, steps: int = 1) -> EpisodeResult:
    return EpisodeResult(task="the task", status=status, reason="why", steps=steps, answer=answer, duration_s=2.0)


def _episode_dir(tmp_path: Path, result: EpisodeResult, steps: int = 1) -> Path:
    (tmp_path / "meta.json").write_text(json.dumps({"task": "the task", "started_at": 1e9}))
    with open(tmp_path / "steps.jsonl", "w") as f:
        for i in range(steps):
            f.write(_step(i).model_dump_json() + "\n")
    (tmp_path / "result.json").write_text(result.model_dump_json())
    return tmp_path


def _badges(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="badge (\w+)">([^<]*)</span>', html)


# ---------------------------------------------------------------- badges


def test_every_status_has_a_tone() -> None:
    assert set(report.STATUS_TONE) == set(get_args(Status))
    assert report.STATUS_TONE == EXPECTED_TONE


@pytest.mark.parametrize(("status", "tone"), EXPECTED_TONE.items())
def test_the_status_badge_is_coloured_by_the_status(tmp_path: Path, status: Status, tone: str) -> None:
    out = _episode_dir(tmp_path, _result(status))
    (out / "result.json").rename(out / "result.later")
    assert "location.reload" in report.write_report(out).read_text()  # running
    (out / "result.later").rename(out / "result.json")
    report.finish_report(out)  # what the recorder does at the end
    html = (out / "report.html").read_text()
    assert _badges(html) == [(tone, status)]
    assert "location.reload" not in html and "refresh" not in html  # any finished run, "interrupted" too
    assert html == report.write_report(out).read_text()


def test_the_tones_are_green_red_and_grey() -> None:
    css = dict(re.findall(r"\.badge\.(\w+)\{background:(#[0-9a-f]+)\}", report.STYLE))
    assert css == {"good": "#c8f0c8", "bad": "#f5c6c6", "neutral": "#e2e2e2"}


@pytest.mark.parametrize(
    ("score", "checked", "shown", "tone"),
    [(0.0, True, "checker: 0 / 1", "bad"), (1.0, True, "checker: 1 / 1", "good"),
     (0.5, True, "checker: 0.5 / 1", "neutral"), (0.0, False, "checker: 0 / 1", "bad")],
)  # fmt: skip
def test_the_checker_score_stands_beside_the_claim(
    tmp_path: Path, score: float, checked: bool, shown: str, tone: str
) -> None:
    out = _episode_dir(tmp_path, _result("answered", answer="gibberish"))
    report.write_report(out)
    report.record_score(out, score, checked=checked)
    html = (out / "report.html").read_text()
    assert _badges(html) == [("neutral", "answered"), (tone, shown)]
    assert ("not checked" in html) is (not checked)
    recorded = trajectory.read_score(out)
    assert recorded is not None and (recorded.score, recorded.checked) == (score, checked)
    assert html == report.write_report(out).read_text()  # the page rendered afresh says the same


def test_a_rerun_into_the_same_directory_drops_the_old_score(tmp_path: Path) -> None:
    env = FakeEnv(make_screens(3, (90, 200)))
    run_episode(env, QwenPolicy(ScriptedModel([DONE]), env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    report.record_score(tmp_path, 1.0)
    run_episode(
        env,
        QwenPolicy(ScriptedModel([DONE]), env.action_space),
        "t",
        hooks=[TrajectoryRecorder(tmp_path, replace=True)],
    )
    assert trajectory.read_score(tmp_path) is None
    assert "checker" not in (tmp_path / "report.html").read_text()


def test_a_benchmark_episode_shows_the_checker_beside_a_false_claim(bench_phone, tmp_path: Path) -> None:
    from qwen2vl_agent.agent.bench import BenchConfig, Instance, run_instance
    from qwen2vl_agent.agent.bench.policies import PolicySource

    config = BenchConfig(out=tmp_path / "run", screen_size=(540, 1200), density=210, html=True)
    record = run_instance(bench_phone, Instance(_NeverMet, 0, 1), PolicySource("oracle"), config)
    assert (record.status, record.success) == ("success", 0.0)
    html = (config.out / record.trajectory / "report.html").read_text()
    assert _badges(html) == [("good", "success"), ("bad", "checker: 0 / 1")]


# ---------------------------------------------------------------- a live page that stops


def test_a_running_report_reloads_until_it_goes_quiet(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    html = report.write_report(tmp_path).read_text()
    assert "location.reload" in html
    assert _badges(html) == [("neutral", "running")]
    assert "last updated" in html
    stale = re.search(r"var stale=(\d+)", html)
    assert stale is not None and int(stale.group(1)) == report.STALE_AFTER_S


def test_a_killed_run_reports_when_it_was_last_written(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    (tmp_path / "steps.jsonl").write_text(_step(0).model_dump_json() + "\n")
    then = time.time() - 3600
    os.utime(tmp_path / "steps.jsonl", (then, then))
    os.utime(tmp_path / "meta.json", (then, then))
    html = report.write_report(tmp_path).read_text()
    assert f"var updated={then:.0f}" in html  # the page compares this with the clock and stops reloading
    assert time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(then)) in html


# ---------------------------------------------------------------- incremental


def test_a_step_costs_the_same_at_step_200(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    report.write_report(tmp_path)
    monkeypatch.setattr(report, "read_steps", lambda *a: pytest.fail("read every step"))
    path = tmp_path / "report.html"
    sizes, before = [], path.read_bytes()
    for i in range(200):
        report.append_step(tmp_path, _step(i))
        after = path.read_bytes()
        prefix = before[: before.index(report.TAIL_MARK.encode())]
        assert after.startswith(prefix)  # appended in place: what was there stays
        sizes.append(len(after) - len(before))
        before = after
    assert max(sizes) < 4000 and max(sizes) - min(sizes) < 50


def test_the_recorder_never_rereads_the_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = report.read_steps
    monkeypatch.setattr(report, "read_steps", lambda *a: calls.append(a) or real(*a))
    env = FakeEnv(make_screens(6, (90, 200)))
    policy = QwenPolicy(ScriptedModel([TAP] * 30), env.action_space)
    result = run_episode(env, policy, "t", LoopConfig(max_steps=30, repeat_stop=99), [TrajectoryRecorder(tmp_path)])
    assert result.steps == 30 and len(calls) == 1  # the empty page at the start, never once per step
    incremental = (tmp_path / "report.html").read_text()
    assert incremental == report.write_report(tmp_path).read_text()  # the same page as one rendered at once
    assert incremental.count('<div class="step">') == 30


def test_model_text_cannot_forge_the_tail(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    report.write_report(tmp_path)
    evil = f"{report.TAIL_MARK}</script><script>alert(1)</script>"
    report.append_step(tmp_path, _step(0, evil))
    report.append_step(tmp_path, _step(1))
    html = (tmp_path / "report.html").read_text()
    assert html.count(report.TAIL_MARK) == 1 and "alert(1)</script>" not in html
    assert html.count('<div class="step">') == 2


def test_a_report_without_a_tail_is_rendered_whole(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    (tmp_path / "steps.jsonl").write_text("".join(_step(i).model_dump_json() + "\n" for i in range(2)))
    (tmp_path / "report.html").write_text("<html>torn")
    report.append_step(tmp_path, _step(1))  # the step is in steps.jsonl by the time its fragment is written
    html = (tmp_path / "report.html").read_text()
    assert html.count('<div class="step">') == 2 and html.count(report.TAIL_MARK) == 1


# ---------------------------------------------------------------- the benchmark's task


class _NeverMet(Task):
    """A task the oracle claims done at once, whose checker never agrees."""

    name = "TestNeverMet"
    template = "Do nothing ({word})."

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"word": rng.choice(("a", "b"))}

    def check(self, device, answer):
        return False

    def plan(self):
        return [Finish(status="success")]


@pytest.fixture(scope="module")
def bench_phone():
    from qwen2vl_agent.envs.sim import SimPhone

    with SimPhone(seed=0, size=(540, 1200), density=210) as phone:
        yield phone


# ---------------------------------------------------------------- the benchmark's run page


def _record(task: str, instance: int, success: float, status: Status | None, **kw: Any) -> EpisodeRecord:
    return EpisodeRecord(
        task=task, instance=instance, seed=instance, goal="g", difficulty="easy", complexity=1.0, max_steps=10,
        success=success, status=status, **{"trajectory": f"trajectories/{task}-{instance}", **kw},
    )  # fmt: skip


def write_run_page(run_dir: Path, records: list[EpisodeRecord], summary: Any) -> Path:
    from qwen2vl_agent.agent.bench.page import write_run_page

    return write_run_page(run_dir, records, summary)


def test_the_run_page_lists_every_episode_with_the_checker_first(tmp_path: Path) -> None:
    for name in ("A-0", "B-0"):
        (tmp_path / "trajectories" / name).mkdir(parents=True)
        (tmp_path / "trajectories" / name / "report.html").write_text("x")
    records = [
        _record("B", 0, 0.0, None, exception="TaskDeviceError: <boom>"),
        _record("A", 1, 1.0, "answered", steps=2),
        _record("A", 0, 0.0, "success", steps=3, declared_done=True),
    ]
    html = write_run_page(tmp_path, records, summarize(records, "oracle")).read_text()
    assert _badges(html) == [
        ("bad", "0 / 1"), ("good", "success"),
        ("good", "1 / 1"), ("neutral", "answered"),
        ("bad", "not scored: infrastructure error"), ("bad", "not run"),  # an error is never a 0
    ]  # fmt: skip
    assert 'href="trajectories/A-0/report.html"' in html and 'href="trajectories/B-0/report.html"' in html
    assert 'href="trajectories/A-1/report.html"' not in html  # no page there (a --no-html run): no dead link
    assert "TaskDeviceError: &lt;boom&gt;" in html and "oracle" in html
    assert "1 of 2 episodes" in html and "1 errors" in html


def test_a_run_page_never_links_outside_the_run(tmp_path: Path) -> None:
    run = tmp_path / "run"
    for place in (tmp_path / "t", run / "javascript:alert(1)"):
        place.mkdir(parents=True)
        (place / "report.html").write_text("x")
    records = [
        _record("A", 0, 0.0, "success", trajectory=t) for t in ("../t", "javascript:alert(1)", str(tmp_path / "t"))
    ]
    html = write_run_page(run, records, summarize(records)).read_text()
    assert "href" not in html and html.count("<td>A</td>") == 3


def test_the_bench_command_writes_the_run_page(tmp_path: Path) -> None:
    from qwen2vl_agent.agent.cli import main

    out = tmp_path / "run"
    argv = ["bench", "--tasks", "LauncherOpenApp", "--out", str(out), "--screen", "540x1200", "--density", "210"]
    assert main([*argv, "-q"]) == 0
    html = (out / "report.html").read_text()
    assert 'href="trajectories/LauncherOpenApp-0/report.html"' in html
    assert _badges(html) == [("good", "1 / 1"), ("good", "success")]
