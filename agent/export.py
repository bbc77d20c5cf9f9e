"""Training data from trajectories: one chat sample per step, in the exact rendering the model was prompted with.

Each sample is ``{"messages": [system, user, assistant], "images": [paths]}``: the system prompt, the user
message the model saw at that step (task and folded episode, each image as ``<image>``), and the reply it gave
(``Step.raw_text``). The step's prompt holds the earlier turns folded in, as Qwen-Agent renders them, so one
sample per step is the conversation as the model saw it. This one shape is what LLaMA-Factory reads as
``sharegpt`` (``mllm_demo``: ``messages`` with ``role``/``content``, ``images``, one ``<image>`` per image) and
ms-swift as its standard ``messages``/``images`` format.
"""

from __future__ import annotations

import fnmatch
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
