"""The command line, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qwen2vl_agent.agent.cli import main

PY = sys.executable


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "qwen2vl_agent.agent.cli", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def script(tmp_path: Path, replies: list[str]) -> str:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(replies), encoding="utf-8")
    return f"scripted:{path}"


def test_run_fake_scripted_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = script(
        tmp_path,
        ['✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}', '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'],
    )
    out = tmp_path / "run"
    code = main(["run", "open settings", "--env", "fake", "--model", model, "--out", str(out)])
    assert code == 0
    assert (out / "steps.jsonl").read_text().count("\n") == 2
    err = capsys.readouterr().err
    assert "success: the agent terminated with success after 2 steps" in err


def test_run_exit_code_and_reason_on_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = script(tmp_path, ["✿FUNCTION✿: Home\n✿ARGS✿: {}"] * 3)
    code = main(
        ["run", "t", "--env", "fake", "--model", model, "--max-steps", "2", "--out", str(tmp_path / "r"), "--quiet"]
    )
    assert code == 1
    assert capsys.readouterr().out.startswith("max_steps: no result within 2 steps")


def test_missing_script_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "t", "--env", "fake", "--model", f"scripted:{tmp_path / 'nope.json'}", "--out", str(tmp_path)])
    assert code == 2
    assert "scripted model file not found" in capsys.readouterr().err


def test_parse_command_ok() -> None:
    proc = cli("parse", stdin="Tap it. *FUNCTION*: tap *ARGS*: {'point': (348,291)} and more")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {
        "thought": "Tap it.",
        "calls": [{"name": "Tap", "args": {"point": [348, 291]}}],
        "error": None,
    }


def test_parse_command_error() -> None:
    proc = cli("parse", "--actions", "mobile", stdin='✿FUNCTION✿: Click\n✿ARGS✿: {"point": [1, 2]}')
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["calls"] == [] and '"Click" is not available here' in out["error"]


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from qwen2vl_agent.agent.cli import main\n"
        "import qwen2vl_agent.tools, qwen2vl_agent.envs, qwen2vl_agent.agent, qwen2vl_agent.model\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'transformers', 'pyautogui', 'mss', 'Xlib'})\n"
        "print(heavy)\n"
    )
    proc = subprocess.run([PY, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not {m for m in imported if m.split(".")[0] in {"torch", "transformers", "pyautogui", "mss"}}


def test_parse_reads_a_reply_in_another_dialect() -> None:
    block = '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "open", "text": "Clock"}}\n</tool_call>'
    proc = cli("parse", "--dialect", "qwen25vl", stdin=f"我打开时钟。\n{block}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["calls"] == [{"name": "OpenApp", "args": {"name": "Clock"}}]
    proc = cli("parse", "--dialect", "qwen3vl", stdin="Action: click(start_box='(1,2)')")
    assert proc.returncode == 1 and "looks like a tool call" in json.loads(proc.stdout)["error"]
