"""``benchmarks/model_step.py`` still runs end to end (tiny shape, small budget, one round): it is how the
speed numbers are produced, so it must not rot. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from qwen2vl_agent.model.vision import PixelBudget

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "model_step.py"


@pytest.fixture(scope="module")
def model_step():
    spec = importlib.util.spec_from_file_location("model_step_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_a_short_run_prints_and_writes_every_row(model_step, tmp_path: Path, capsys) -> None:
    out = tmp_path / "rows.json"
    argv = ["--screens", "phone", "--max-pixels", "64*28*28", "--batch-sizes", "1,2", "--tokens", "4"]
    argv += ["--warmup", "1", "--repeats", "1", "--history", "2", "--no-baseline", "--static-cache", "--json", str(out)]
    assert model_step.main(argv) == 0
    rows = json.loads(out.read_text())["rows"]
    tokens = 2 * PixelBudget(max_pixels=50176).tokens(1080, 2400)  # two screenshots per step
    assert [(r["label"], r["batch"], r["image_tokens"]) for r in rows] == [
        ("best", 1, tokens), ("static cache", 1, tokens), ("best", 2, tokens), ("static cache", 2, tokens)
    ]  # fmt: skip
    assert all(r["cached_tokens"] > 1000 for r in rows)  # the system turn came from the prefix cache
    printed = capsys.readouterr().out
    assert "best, phone @ 50176: batch 2 =" in printed


def test_bad_arguments_are_refused(model_step) -> None:
    with pytest.raises(SystemExit):
        model_step.parse_args(["--screens", "watch"])
    with pytest.raises(SystemExit):
        model_step.parse_args(["--history", "0"])
    assert model_step.parse_pixels("1280*28*28,50176") == [1003520, 50176]
