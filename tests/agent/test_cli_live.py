"""``run`` and ``bench`` as a user runs them: on a terminal (a pseudo-terminal here) the rich live view, into a
pipe the plain lines; ``run`` records each step's prompt and the report shows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .terminal import on_a_terminal

REPLIES = [
    'Tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}',
    '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
]


def _model(tmp_path: Path) -> str:
    (tmp_path / "replies.json").write_text(json.dumps(REPLIES), encoding="utf-8")
    return f"scripted:{tmp_path / 'replies.json'}"


def test_run_on_a_terminal_shows_the_bar_and_each_steps_timings(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, shown = on_a_terminal(["run", "open it", "--env", "fake", "--model", _model(tmp_path), "--out", str(out)])
    assert code == 0, shown
    assert "the model is thinking" in shown and "steps" in shown  # the status line and the bar
    assert "Tap" in shown and "act " in shown and "observe " in shown  # the step, its point and timings
    assert "success: the agent terminated with success after 2 steps" in shown


def test_run_records_each_prompt_and_the_report_shows_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "qwen2vl_agent.agent.cli", "run", "open it", "--env", "fake", "--model",
         _model(tmp_path), "--out", str(out)], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stderr and "the model is thinking" not in proc.stderr  # a pipe: plain lines
    assert sorted(p.name for p in out.glob("prompt_*.txt")) == ["prompt_000.txt", "prompt_001.txt"]
    assert "open it" in (out / "prompt_000.txt").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<details><summary>prompt (") == 2 and 'src="episode.gif"' in html


def test_bench_on_a_terminal_shows_the_eta_and_the_pass_rate(tmp_path: Path) -> None:
    argv = ["bench", "--tasks", "LauncherOpenApp", "--out", str(tmp_path / "b"), "--screen", "540x1200",
            "--density", "210"]  # fmt: skip
    code, shown = on_a_terminal(argv)
    assert code == 0, shown
    assert "[1/1] LauncherOpenApp-0: success=1 success" in shown  # the plain line, above the bar
    assert "pass 100% of 1" in shown and "ETA" in shown
    assert (tmp_path / "b" / "index.html").is_file()
