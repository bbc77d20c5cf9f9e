"""The examples run as written: the pytest example through pytest itself (its ``sim_phone`` fixture coming
from the installed plugin) and the Wi-Fi script as a program. Slow tier: each starts a Python and a phone."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_the_pytest_example_passes_with_the_packaged_fixture() -> None:
    plugins = {e.value for e in importlib.metadata.entry_points(group="pytest11")}
    assert "qwen2vl_agent.agent.scripting.pytest_plugin" in plugins
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_contacts_flow.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout


def test_the_wifi_script_runs_as_a_program(tmp_path) -> None:
    run = subprocess.run([sys.executable, str(EXAMPLES / "wifi_on.py")], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Connected to SimNet" in run.stdout
    assert (tmp_path / "runs" / "wifi_on" / "steps.jsonl").is_file()
