"""``qwen2vl-agent model make-tiny`` and ``model info``."""

from __future__ import annotations

import json
from pathlib import Path

from qwen2vl_agent.agent.cli import main


def test_make_tiny_builds_a_loadable_checkpoint(tmp_path: Path, capsys) -> None:
    target = tmp_path / "tiny"
    assert main(["model", "make-tiny", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert main(["model", "info", "--model", str(target), "--max-pixels", str(256 * 28 * 28), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert facts["max_pixels"] == 256 * 28 * 28 and facts["device"] == "cpu"
    assert facts["architecture"] == "Qwen2VLForConditionalGeneration"
    assert facts["phone 1080x2400"] == "seen as 280x644, 230 image tokens"
    assert (facts["prefix_cache"], facts["vision_cache"]) == (4, 64)
    assert main(["model", "info", "--model", str(target), "--no-model-cache", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (facts["prefix_cache"], facts["vision_cache"], facts["static_cache"]) == (0, 0, False)
    assert main(["model", "info", "--model", str(target), "--static-cache", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["static_cache"] is True


def test_make_tiny_refuses_a_directory_it_did_not_build(tmp_path: Path, capsys) -> None:
    (tmp_path / "precious.txt").write_text("x")
    assert main(["model", "make-tiny", str(tmp_path)]) == 2
    assert "not a tiny checkpoint" in capsys.readouterr().err


def test_info_on_a_missing_model_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["model", "info", "--model", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qwen2vl-agent: no checkpoint directory") and "--model tiny" in err
    assert "Traceback" not in err


def test_run_and_bench_model_options_become_backend_overrides() -> None:
    import argparse

    from qwen2vl_agent.agent.commands.options import add_model_options, model_overrides

    parser = argparse.ArgumentParser()
    add_model_options(parser)
    assert model_overrides(parser.parse_args([])) == {}
    args = parser.parse_args(["--max-pixels", "50176", "--dtype", "float32", "--no-model-cache", "--static-cache"])
    assert model_overrides(args) == {
        "max_pixels": 50176, "dtype": "float32", "prefix_cache": 0, "vision_cache": 0, "static_cache": True
    }  # fmt: skip
