"""The benchmark summary: success rate, mean steps and seconds per step, by task and by difficulty.

``summarize(records)`` groups the episode records; ``render(summary)`` draws a Markdown table (printed
on the console and written to ``summary.md``); ``summary.json`` holds the same numbers as data.
Every number is over the group's *scored* episodes: an instance that ended in an error (an infrastructure
fault or an exception of the runtime) has no score, is counted in ``errors`` and nowhere else, and a run with
errors says so next to its success rate; instances of the selection with no record yet are ``missing``.
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
    episodes: int  # scored episodes: the success rate's denominator
    successes: float
    success_rate: float
    mean_steps: float
    seconds_per_step: float
    errors: int  # instances that ended in an error (no score, not in the rate)


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str = ""
    by_task: list[Row]
    by_difficulty: list[Row]
    overall: Row
    selected: int = 0  # instances in the run's selection
    missing: int = 0  # selected instances without a record (an interrupted run)
    wall_s: float | None = None  # wall time of the run that wrote this summary (None when only re-read)


def _row(name: str, records: Sequence[EpisodeRecord], difficulty: str = "") -> Row:
    scored = [r for r in records if r.outcome == "scored"]
    n = len(scored)
    steps = sum(r.steps for r in scored)
    seconds = sum(r.duration_s for r in scored)
    successes = sum(r.success or 0.0 for r in scored)
    return Row(
        name=name, difficulty=difficulty, episodes=n, successes=successes, success_rate=successes / n if n else 0.0,
        mean_steps=steps / n if n else 0.0, seconds_per_step=seconds / steps if steps else 0.0,
        errors=len(records) - n,
    )  # fmt: skip


def summarize(
    records: Iterable[EpisodeRecord], policy: str = "", wall_s: float | None = None, selected: int | None = None
) -> Summary:
    """The summary of ``records`` (one per instance); ``selected``: the selection's size (default: as many)."""
    records = sorted(records, key=lambda r: r.key)
    selected = len(records) if selected is None else selected
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
        policy=policy, by_task=by_task, by_difficulty=by_difficulty, overall=_row("all", records), selected=selected,
        missing=max(selected - len(records), 0), wall_s=wall_s,
    )  # fmt: skip


def _table(title: str, rows: Sequence[Row], with_difficulty: bool) -> list[str]:
    head = ["task" if with_difficulty else title, *(["difficulty"] if with_difficulty else [])]
    head += ["scored", "success rate", "mean steps", "s/step", "errors"]
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
        f"{o.episodes} episodes scored, success rate {o.success_rate:.1%}, mean steps {o.mean_steps:.1f}, "
        f"{o.seconds_per_step:.2f} s/step" + (f", wall time {summary.wall_s:.1f} s" if summary.wall_s else "")
    )
    if o.errors or summary.missing:
        lines += ["", _incomplete(o.errors, summary.missing, summary.selected)]
    lines += ["", "## By task", "", *_table("task", summary.by_task, True)]
    lines += ["", "## By difficulty", "", *_table("difficulty", [*summary.by_difficulty, o], False)]
    return "\n".join(lines) + "\n"


def _incomplete(errors: int, missing: int, selected: int) -> str:
    parts = [f"{errors} errors (not scored)"] if errors else []
    parts += [f"{missing} not run yet"] if missing else []
    return (
        f"**Incomplete:** {' and '.join(parts)} of {selected} selected instances; the success rate is over the "
        "scored ones only. Run the same command again to retry them."
    )


def write(summary: Summary, run_dir: str | Path) -> tuple[Path, Path]:
    """Write ``summary.md`` and ``summary.json`` into ``run_dir``; their paths."""
    run_dir = Path(run_dir)
    md, js = run_dir / "summary.md", run_dir / "summary.json"
    for path, text in ((md, render(summary)), (js, json.dumps(summary.model_dump(mode="json"), indent=2))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return md, js
