"""Training data from trajectories: one chat sample per step, in the exact rendering the model was prompted with.

Each sample is ``{"messages": [system, user, assistant], "images": [paths]}``: the system prompt, the user
message the model saw at that step (task and folded episode, each image as ``<image>``), and the reply it gave
(``Step.raw_text``). The step's prompt holds the earlier turns folded in, as Qwen-Agent renders them, so one
sample per step is the conversation as the model saw it. This one shape is what LLaMA-Factory reads as
``sharegpt`` (``mllm_demo``: ``messages`` with ``role``/``content``, ``images``, one ``<image>`` per image) and
ms-swift as its standard ``messages``/``images`` format.

LLaMA-Factory finds a dataset through the ``dataset_info.json`` of its directory, so export registers the file
there (``dataset_info_entry``). The entry is not ``mllm_demo``'s: a ``tags`` block without ``system_tag`` leaves
it unset, and LLaMA-Factory then drops every sample that opens with a system message ("Invalid role tag"); the
entry is the one its data/README gives for messages with a system prompt. Image paths are absolute, which both
readers take as they are (LLaMA-Factory joins a relative one to its ``media_dir``, ms-swift to nothing).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .reprompt import IMAGE, Episode, flat_text
from .trajectory import read_result, read_score


@dataclass(frozen=True)
class Filters:
    statuses: frozenset[str] = frozenset({"success", "answered"})
    min_score: float | None = None  # a checker's score (score.json) at least this; episodes without one fail it
    task: str | None = None  # a glob on the task text

    def keep(self, run_dir: Path, task: str) -> bool:
        result = read_result(run_dir)
        if result is None or result.status not in self.statuses:
            return False
        if self.task is not None and not fnmatch.fnmatch(task, self.task):
            return False
        if self.min_score is not None:
            score = read_score(run_dir)
            return score is not None and score.checked and score.score >= self.min_score
        return True


def episode_dirs(roots: Sequence[Path]) -> Iterator[Path]:
    """Every episode directory under ``roots`` (one itself, or any below it: a benchmark's trajectories)."""
    for root in roots:
        if (root / "meta.json").is_file() and (root / "steps.jsonl").is_file():
            yield root
        else:
            yield from sorted(p.parent for p in root.rglob("steps.jsonl") if (p.parent / "meta.json").is_file())


def samples(run_dir: Path) -> Iterator[dict[str, Any]]:
    """The SFT samples of one episode: one per step that has a reply."""
    episode = Episode(run_dir)
    for prompt, step in zip(episode.prompts(), episode.steps, strict=True):
        if not step.raw_text or step.fault:
            continue
        system, user = prompt.messages
        messages = [
            {"role": "system", "content": flat_text(system)},
            {"role": "user", "content": flat_text(user)},
            {"role": "assistant", "content": step.raw_text},
        ]
        yield {"messages": messages, "images": [str(p.resolve()) for p in prompt.image_paths]}


def check_sample(sample: dict[str, Any]) -> None:
    """``ValueError`` unless the sample has the shape both readers document (one ``<image>`` per image)."""
    roles = [m["role"] for m in sample["messages"]]
    if roles[0] != "system" or roles[1:] != ["user", "assistant"] * ((len(roles) - 1) // 2):
        raise ValueError(f"roles out of order: {roles}")
    tags = sum(m["content"].count(IMAGE) for m in sample["messages"])
    if tags != len(sample["images"]):
        raise ValueError(f"{tags} {IMAGE} tags for {len(sample['images'])} images (a task that spells {IMAGE}?)")


def dataset_info_entry(file_name: str) -> dict[str, Any]:
    """LLaMA-Factory's ``dataset_info.json`` entry for an export file, with the system role tagged."""
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages", "images": "images"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                 "system_tag": "system"},
    }  # fmt: skip


def register(out: Path) -> Path:
    """Add (or replace) ``out``'s entry, named by its stem, in the ``dataset_info.json`` beside it; the other
    entries are kept. ``ValueError`` if that file is there but is not a JSON object."""
    info = out.parent / "dataset_info.json"
    entries: Any = json.loads(info.read_text(encoding="utf-8")) if info.is_file() else {}
    if not isinstance(entries, dict):
        raise ValueError(f"{info} is not a JSON object of datasets; not touched")
    entries[out.stem] = dataset_info_entry(out.name)
    info.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return info
