"""``export --format sft`` output of three oracle episodes, read by the target formats' own readers: LLaMA-Factory
(its loader with the ``dataset_info.json`` entry export writes, then the ``qwen2_vl`` template and multimodal
plugin) and ms-swift (``load_dataset`` and its ``qwen2_vl`` template). Every sample must come back with its roles,
one image per ``<image>``, images that open at the screenshot's size, and a tokenized text that is exactly the
prompt the model saw followed by its reply, the reply alone being trained on.

The readers pin transformers, datasets and peft below this project's versions, so each lives in its own venv:
``QWEN2VL_TEST_LLAMAFACTORY_PYTHON`` / ``QWEN2VL_TEST_SWIFT_PYTHON`` name its interpreter (``.ci/run`` sets both);
a test skips when its variable is unset.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.agent.reprompt import Episode

TASKS = "LauncherOpenApp,SystemWifi,NotesCountQuestion"
READERS = Path(__file__).parent / "readers"
PADS = re.compile(r"(<\|image_pad\|>)+")


def cli(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "qwen2vl_agent.agent.cli", *args], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def reader(variable: str) -> str:
    python = os.environ.get(variable)
    if not python:
        pytest.skip(f"{variable} is not set (the reader's interpreter, in its own venv)")
    return python


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("export")
    cli("bench", "--suite", "smoke", "--tasks", TASKS, "--out", str(root / "bench"), "--quiet", "--no-html")
    out = root / "data" / "agent_sft.jsonl"
    out.parent.mkdir()
    cli("export", str(root / "bench"), "--format", "sft", "--out", str(out), "--min-score", "1")
    return root / "bench", out


def expected(bench: Path) -> list[tuple[str, str, int]]:
    """(prompt text as tokenized, reply, image count) of every step of every episode, in export's order."""
    rows = []
    for run_dir in sorted((bench / "trajectories").iterdir()):
        episode = Episode(run_dir)
        for prompt, step in zip(episode.prompts(), episode.steps, strict=True):
            rows.append((render_text(prompt.messages), step.raw_text, len(prompt.image_paths)))
    assert len({r[0] for r in rows}) == len(rows) == 9  # 3 steps an episode, every prompt its own
    return rows


def run_reader(python: str, script: str, *args: Path | str, out: Path) -> list[dict]:
    proc = subprocess.run([python, str(READERS / script), *map(str, args), str(out)], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def check(records: list[dict], bench: Path) -> None:
    rows = expected(bench)
    assert len(records) == len(rows)
    for record, (prompt, reply, n_images) in zip(records, rows, strict=True):
        assert record["roles"] == ["system", "user", "assistant"]
        assert len(record["images"]) == n_images and all(Path(p).is_file() for p in record["images"])
        assert record["sizes"] == [[1080, 2400]] * n_images
        assert record["trained"].rstrip("\n") == reply + "<|im_end|>"
        assert PADS.sub("<|image_pad|>", record["text"]) == prompt + record["trained"]


def test_llamafactory_reads_the_export(exported: tuple[Path, Path], tiny_dir: Path, tmp_path: Path) -> None:
    python = reader("QWEN2VL_TEST_LLAMAFACTORY_PYTHON")
    bench, out = exported
    records = run_reader(python, "llamafactory_read.py", out.parent, out.stem, tiny_dir, out=tmp_path / "lf.json")
    check(records, bench)


def test_swift_reads_the_export(exported: tuple[Path, Path], tiny_dir: Path, tmp_path: Path) -> None:
    python = reader("QWEN2VL_TEST_SWIFT_PYTHON")
    bench, out = exported
    check(run_reader(python, "swift_read.py", out, tiny_dir, out=tmp_path / "swift.json"), bench)
