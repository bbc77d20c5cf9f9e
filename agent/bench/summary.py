"""The benchmark summary: success rate, mean steps and seconds per step, by task and by difficulty.

``summarize(records)`` groups the episode records; ``render(summary)`` draws a Markdown table (printed
on the console and written to ``summary.md``); ``summary.json`` holds the same numbers as data.
Seconds per step of a group is its total episode time over its total steps (episodes that never took a
step add time but no steps, so they show up as slower steps rather than disappearing).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from qwen2vl_agent.envs.tasks import DIFFICULTIES

from .results import EpisodeRecord


class Row(BaseModel):
    """One group of episodes (a task, a difficulty, or everything)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    difficulty: str = ""
    episodes: int
    successes: float
    success_rate: float
    mean_steps: float
    seconds_per_step: float
    errors: int  # episodes that ended in an exception or an infrastructure fault


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str = ""
    by_task: list[Row]
    by_difficulty: list[Row]
    overall: Row
    wall_s: float | None = None  # wall time of the run that wrote this summary (None when only re-read)


def _row(name: str, records: Sequence[EpisodeRecord], difficulty: str = "") -> Row:
    n = len(records)
    steps = sum(r.steps for r in records)
    seconds = sum(r.duration_s for r in records)
    successes = sum(r.success for r in records)
    return Row(
        name=name, difficulty=difficulty, episodes=n, successes=successes, success_rate=successes / n if n else 0.0,
        mean_steps=steps / n if n else 0.0, seconds_per_step=seconds / steps if steps else 0.0,
        errors=sum(1 for r in records if r.exception or r.status == "error"),
    )  # fmt: skip


def summarize(records: Iterable[EpisodeRecord], policy: str = "", wall_s: float | None = None) -> Summary:
    records = sorted(records, key=lambda r: r.key)
    tasks: dict[str, list[EpisodeRecord]] = {}
    for r in records:
        tasks.setdefault(r.task, []).append(r)
    by_task = [_row(name, rs, rs[0].difficulty) for name, rs in tasks.items()]
    by_difficulty = [
        _row(level, [r for r in records if r.difficulty == level])
        for level in DIFFICULTIES
        if any(r.difficulty == level for r in records)
    ]
    return Summary(
        policy=policy, by_task=by_task, by_difficulty=by_difficulty, overall=_row("all", records), wall_s=wall_s
    )


def _table(title: str, rows: Sequence[Row], with_difficulty: bool) -> list[str]:
    head = ["task" if with_difficulty else title, *(["difficulty"] if with_difficulty else [])]
    head += ["episodes", "success rate", "mean steps", "s/step", "errors"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        cells = [r.name, *([r.difficulty] if with_difficulty else [])]
        cells += [str(r.episodes), f"{r.success_rate:.1%}", f"{r.mean_steps:.1f}", f"{r.seconds_per_step:.2f}"]
        lines.append("| " + " | ".join([*cells, str(r.errors)]) + " |")
    return lines


def render(summary: Summary) -> str:
    """The summary as Markdown: by task, by difficulty, overall."""
    o = summary.overall
    who = f" ({summary.policy})" if summary.policy else ""
    lines = [f"# Benchmark summary{who}", ""]
    lines.append(
        f"{o.episodes} episodes, success rate {o.success_rate:.1%}, mean steps {o.mean_steps:.1f}, "
        f"{o.seconds_per_step:.2f} s/step" + (f", wall time {summary.wall_s:.1f} s" if summary.wall_s else "")
    )
    lines += ["", "## By task", "", *_table("task", summary.by_task, True)]
    lines += ["", "## By difficulty", "", *_table("difficulty", [*summary.by_difficulty, o], False)]
    return "\n".join(lines) + "\n"


def write(summary: Summary, run_dir: str | Path) -> tuple[Path, Path]:
    """Write ``summary.md`` and ``summary.json`` into ``run_dir``; their paths."""
    run_dir = Path(run_dir)
    md, js = run_dir / "summary.md", run_dir / "summary.json"
    for path, text in ((md, render(summary)), (js, json.dumps(summary.model_dump(mode="json"), indent=2))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return md, js
