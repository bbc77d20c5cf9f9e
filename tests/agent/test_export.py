"""``export --format sft`` on three oracle episodes of the benchmark, checked against the documented schemas of
LLaMA-Factory (sharegpt, as its ``mllm_demo`` dataset) and ms-swift (``messages`` + ``images``): neither reader
installs here without a training stack, so the test reads the file as their loaders do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.agent.reprompt import Episode

TASKS = "LauncherOpenApp,SystemWifi,NotesCountQuestion"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qwen2vl_agent.agent.cli", *args], capture_output=True, text=True,
                          timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("export")
    bench = root / "bench"
    proc = cli("bench", "--suite", "smoke", "--tasks", TASKS, "--out", str(bench), "--quiet", "--no-html")
    assert proc.returncode == 0, proc.stderr
    out = root / "sft.jsonl"
    proc = cli("export", str(bench), "--format", "sft", "--out", str(out), "--min-score", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("exported ") and "from 3 episodes" in proc.stdout
    return bench, out


def test_samples_have_the_sharegpt_and_swift_shape(exported: tuple[Path, Path]) -> None:
    _, out = exported
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows
    for row in rows:
        assert set(row) == {"messages", "images"}  # dataset_info columns: messages, images
        assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
        assert all(set(m) == {"role", "content"} and isinstance(m["content"], str) for m in row["messages"])
        assert sum(m["content"].count("<image>") for m in row["messages"]) == len(row["images"])  # both readers
        for path in row["images"]:
            with Image.open(path) as image:
                assert image.size == (1080, 2400)


def test_samples_are_the_exact_prompts(exported: tuple[Path, Path]) -> None:
    bench, out = exported
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = []
    for run_dir in sorted((bench / "trajectories").iterdir()):
        episode = Episode(run_dir)
        for prompt, step in zip(episode.prompts(), episode.steps, strict=True):
            expected.append((render_text(prompt.messages), step.raw_text))
    assert len(rows) == len(expected)
    for row, (text, reply) in zip(rows, expected, strict=True):
        system, user, assistant = (m["content"] for m in row["messages"])
        as_prompted = (
            f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        )
        assert as_prompted.replace("<image>", "<|vision_start|><|image_pad|><|vision_end|>") == text
        assert assistant == reply


def test_filters(exported: tuple[Path, Path], tmp_path: Path) -> None:
    bench, _ = exported
    proc = cli("export", str(bench), "--out", str(tmp_path / "a.jsonl"), "--task", "How many notes*")
    assert proc.returncode == 0 and "from 1 episodes" in proc.stdout
    proc = cli("export", str(bench), "--out", str(tmp_path / "b.jsonl"), "--status", "failure")
    assert proc.returncode == 0 and "exported 0 samples from 0 episodes" in proc.stdout


def test_registered_for_llamafactory(exported: tuple[Path, Path], tmp_path: Path) -> None:
    """The ``dataset_info.json`` entry is LLaMA-Factory's documented one for messages with a system prompt
    (data/README.md, "OpenAI Format"): ``mllm_demo``'s tags lack ``system_tag``, which drops every sample."""
    bench, out = exported
    entry = json.loads((out.parent / "dataset_info.json").read_text(encoding="utf-8"))[out.stem]
    assert entry == {
        "file_name": out.name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages", "images": "images"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                 "system_tag": "system"},
    }  # fmt: skip
    info = tmp_path / "dataset_info.json"
    info.write_text(json.dumps({"mllm_demo": {"file_name": "mllm_demo.json"}}), encoding="utf-8")
    proc = cli("export", str(bench), "--out", str(tmp_path / "mine.jsonl"))
    assert proc.returncode == 0 and f"'mine' registered in {info}" in proc.stdout
    assert set(json.loads(info.read_text(encoding="utf-8"))) == {"mllm_demo", "mine"}  # the others kept
    info.write_text("[]", encoding="utf-8")
    proc = cli("export", str(bench), "--out", str(tmp_path / "mine.jsonl"))
    assert proc.returncode != 0 and "is not a JSON object" in proc.stderr and info.read_text() == "[]"
