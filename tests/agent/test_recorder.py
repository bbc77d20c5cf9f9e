"""The trajectory on disk: written step by step, readable back, with an HTML report."""

from __future__ import annotations

import json
from pathlib import Path

from qwen2vl_agent.agent.loop import run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ScriptedModel

TAP = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}'
DONE = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'


def test_episode_directory(tmp_path: Path) -> None:
    env = FakeEnv()
    policy = QwenPolicy(ScriptedModel(["Tap <it>.\n" + TAP, DONE]), env.action_space)
    result = run_episode(env, policy, "a <task>", hooks=[TrajectoryRecorder(tmp_path, {"model": "scripted"})])
    assert result.out_dir == str(tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "meta.json",
        "steps.jsonl",
        "step_000.png",
        "step_001.png",
        "final.png",
        "result.json",
        "report.html",
    } <= names
    steps = read_steps(tmp_path)
    assert [s.index for s in steps] == [0, 1]
    call = steps[0].calls[0]
    assert call.arguments == {"point": [250, 750]}
    assert call.executed == {"type": "Tap", "point": [270, 1800]}
    assert steps[0].geometry.screenshot_size == (1080, 2400) and steps[0].geometry.convention == "rel1000"
    assert steps[0].raw_text.startswith("Tap <it>.")
    assert read_result(tmp_path).status == "success"
    assert json.loads((tmp_path / "meta.json").read_text())["model"] == "scripted"
    html = (tmp_path / "report.html").read_text()
    assert "a &lt;task&gt;" in html and "Tap &lt;it&gt;." in html  # escaped
    assert 'class="mark" style="left:25.00%;top:75.00%"' in html  # the executed point, drawn
    assert "refresh" not in html and "location.reload" not in html  # finished: no auto-reload


def test_a_failed_run_keeps_every_finished_step(tmp_path: Path) -> None:
    env = FakeEnv(fail_on=["Home"])
    replies = [TAP, TAP, "✿FUNCTION✿: Home\n✿ARGS✿: {}", DONE]
    result = run_episode(
        env, QwenPolicy(ScriptedModel(replies), env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)]
    )
    assert result.status == "error"
    steps = read_steps(tmp_path)
    assert [s.index for s in steps] == [0, 1, 2]  # the step in flight too, with the fault that ended it
    assert [s.fault is None for s in steps] == [True, True, False]
    assert read_result(tmp_path).status == "error"


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    env = FakeEnv()
    run_episode(
        env, QwenPolicy(ScriptedModel([TAP, DONE]), env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)]
    )
    with open(tmp_path / "steps.jsonl", "a") as f:
        f.write('{"index": 2, "started')
    assert len(read_steps(tmp_path)) == 2


def test_report_auto_refreshes_while_running(tmp_path: Path) -> None:
    from qwen2vl_agent.agent.report import write_report

    (tmp_path / "meta.json").write_text('{"task": "x"}')
    assert "location.reload" in write_report(tmp_path).read_text()


def test_an_earlier_episode_is_never_overwritten_silently(tmp_path: Path) -> None:
    import pytest

    def episode(**options: bool) -> None:
        env = FakeEnv()
        recorder = TrajectoryRecorder(tmp_path, **options)
        run_episode(env, QwenPolicy(ScriptedModel([TAP, DONE]), env.action_space), "t", hooks=[recorder])

    episode()
    with pytest.raises(FileExistsError, match="already holds an episode"):
        episode()
    assert len(read_steps(tmp_path)) == 2 and read_result(tmp_path).status == "success"
    episode(replace=True)  # what a resumed benchmark asks for: the unfinished instance starts afresh
    assert [s.index for s in read_steps(tmp_path)] == [0, 1]


def test_screenshots_are_encoded_off_the_loop_thread(tmp_path: Path, monkeypatch) -> None:
    import threading

    from PIL import Image

    real, threads = Image.Image.save, []

    def save(self, fp, *args, **kwargs):
        threads.append((Path(fp).name, threading.current_thread() is threading.main_thread()))
        return real(self, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", save)
    env = FakeEnv()
    run_episode(env, QwenPolicy(ScriptedModel([TAP, TAP, DONE]), env.action_space), "t",
                hooks=[TrajectoryRecorder(tmp_path)])  # fmt: skip
    steps = [name for name, main in threads if name.startswith("step_")]
    assert len(steps) == 3 and not any(main for name, main in threads if name.startswith("step_"))
    assert [s.screenshot for s in read_steps(tmp_path)] == ["step_000.png", "step_001.png", "step_002.png"]
    assert all((tmp_path / s.screenshot).is_file() for s in read_steps(tmp_path))  # on disk when the run ended


def test_the_writer_is_bounded_and_reports_a_failed_write() -> None:
    import threading

    import pytest

    from qwen2vl_agent.agent.writer import StepWriter

    gate, done = threading.Event(), []
    writer = StepWriter(depth=2)
    writer.submit(gate.wait)  # the thread is busy with this one; two more fit in the queue
    writer.submit(lambda: done.append(1))
    writer.submit(lambda: done.append(2))
    blocked = threading.Thread(target=writer.submit, args=(lambda: done.append(3),))
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()  # a full queue makes the loop wait instead of memory growing
    gate.set()
    blocked.join(5)
    writer.drain()
    assert done == [1, 2, 3]
    writer.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.drain()
    writer.close()
