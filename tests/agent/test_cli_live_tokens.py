"""The token rate on the status line while the transformers backend generates: ``run --model tiny`` on a
pseudo-terminal, against the same run into a pipe (same records, plain lines)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .terminal import on_a_terminal

NEW_TOKENS = 160  # long enough that the status line is redrawn many times while the model generates
# The phase line mid-generation: "step 0: the model is thinking   0.8 s, 57 tokens at 81.2 tokens/s".
RATE = re.compile(r"the model is thinking +\d+\.\d s, (\d+) tokens at \d+\.\d tokens/s")


def _argv(tmp_path: Path, out: str) -> list[str]:
    config = tmp_path / "tiny.toml"  # min_new_tokens keeps the random-weight model talking to the limit
    config.write_text(f'[model]\nkind = "tiny"\nmin_new_tokens = {NEW_TOKENS}\n', encoding="utf-8")
    return ["run", "open it", "--env", "fake", "--config", str(config), "--max-steps", "1",
            "--max-new-tokens", str(NEW_TOKENS), "--out", str(tmp_path / out)]  # fmt: skip


def _records(run_dir: Path) -> list[dict]:
    steps = [json.loads(line) for line in (run_dir / "steps.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in step.items() if k not in ("started_at", "timings")} for step in steps]


def test_the_status_line_counts_tokens_while_the_tiny_model_generates(tmp_path: Path, tiny_dir: Path) -> None:
    cache = {"QWEN2VL_AGENT_CACHE": str(tiny_dir.parent)}  # the session's tiny checkpoint, built once
    code, shown = on_a_terminal(_argv(tmp_path, "tty"), env=cache)
    assert code == 1, shown  # max_steps: gibberish does not finish the task
    counts = [int(n) for n in RATE.findall(shown)]
    assert counts and min(counts) < NEW_TOKENS, shown[-3000:]  # drawn while generating, not only at the end
    assert counts == sorted(counts)
    piped = subprocess.run(
        [sys.executable, "-m", "qwen2vl_agent.agent.cli", *_argv(tmp_path, "pipe")], capture_output=True,
        text=True, timeout=120, env={**os.environ, **cache},
    )  # fmt: skip
    assert piped.returncode == 1, piped.stderr
    assert " tokens" not in piped.stderr and "\x1b[" not in piped.stderr  # the plain lines, as before
    tty, pipe = _records(tmp_path / "tty"), _records(tmp_path / "pipe")
    assert tty == pipe and tty[0]["output_tokens"] == NEW_TOKENS  # watching changed nothing the model said
