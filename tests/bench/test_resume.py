"""A killed ``qwen2vl-agent bench`` run, started again with the same command, finishes what is left.

The CLI runs in a subprocess. It is killed (SIGKILL: no cleanup at all) once the first result is on disk,
then stopped with SIGTERM (which shuts the phones down cleanly), then run to the end. The adb servers a
SIGKILLed run leaves behind are ended by pid (they are children of the process this test started).
Each signal, sent while two phones run: every result the run reported as finished is on disk.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

TASKS = "System*,LauncherOpenApp"
EXPECTED = 11  # 10 System* templates + LauncherOpenApp, one instance each


def _command(out: Path, parallel: int = 1) -> list[str]:
    return [
        sys.executable, "-m", "qwen2vl_agent.agent.cli", "bench", "--tasks", TASKS, "--seed", "5", "--parallel",
        str(parallel), "--out", str(out), "--screen", "540x1200", "--density", "210", "--no-html",
    ]  # fmt: skip


def _lines(out: Path) -> list[str]:
    path = out / "results.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _start(out: Path, parallel: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        _command(out, parallel), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip


def _wait_for_results(proc: subprocess.Popen, out: Path, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(_lines(out)) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no result appeared in time"
        time.sleep(0.05)


def _kill_hard(proc: subprocess.Popen) -> None:
    children = psutil.Process(proc.pid).children(recursive=True)  # the private adb server(s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    for child in children:
        try:
            child.kill()
            child.wait(10)
        except psutil.NoSuchProcess:
            pass


def test_killed_run_resumes_and_completes(tmp_path):
    out = tmp_path / "run"
    first = _start(out)
    try:
        _wait_for_results(first, out, 1)
    finally:
        _kill_hard(first)
    after_kill = len(_lines(out))
    assert 1 <= after_kill < EXPECTED

    second = _start(out)
    try:
        _wait_for_results(second, out, after_kill + 1)
        children = psutil.Process(second.pid).children(recursive=True)
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            _kill_hard(second)
    assert second.returncode == 130, err
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)  # phones shut down

    third = subprocess.run(_command(out), capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert third.returncode == 0, third.stderr
    assert "already done" in third.stderr
    records = [json.loads(line) for line in _lines(out) if line.strip()]
    keys = [(r["task"], r["instance"]) for r in records]
    assert len(keys) == len(set(keys)) == EXPECTED  # complete, and nothing ran twice
    assert all(r["success"] == 1.0 for r in records)
    assert "| all | 11 | 100.0% |" in third.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["episodes"] == EXPECTED and summary["overall"]["success_rate"] == 1.0


def _reported(stderr: str) -> set[tuple[str, int]]:
    """The instances the run's progress lines say finished (each is printed after it is written)."""
    return {(m[1], int(m[2])) for m in re.finditer(r"^\[\d+/\d+\] (\w+)-(\d+): ", stderr, re.MULTILINE)}


def _on_disk(out: Path) -> list[tuple[str, int]]:
    keys = []
    for line in _lines(out):
        try:
            record = json.loads(line)
        except ValueError:  # only a SIGKILL mid-write may leave a torn last line
            continue
        keys.append((record["task"], record["instance"]))
    return keys


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_mid_run_keeps_every_finished_result(tmp_path, sig):
    out = tmp_path / "run"
    proc = _start(out, parallel=2)
    try:
        _wait_for_results(proc, out, 2)
        children = psutil.Process(proc.pid).children(recursive=True)
        if sig == signal.SIGKILL:
            _kill_hard(proc)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            _kill_hard(proc)
    reported = _reported(err)
    assert len(reported) >= 2 and reported <= set(_on_disk(out)), err
    if sig != signal.SIGKILL:
        assert proc.returncode == 130, err
        assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
        assert "not run yet" in (out / "summary.md").read_text()

    rest = subprocess.run(_command(out, 2), capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert rest.returncode == 0, rest.stderr
    keys = _on_disk(out)
    assert len(keys) == len(set(keys)) == EXPECTED  # complete, and nothing finished ran twice
    assert "| all | 11 | 100.0% |" in rest.stdout
