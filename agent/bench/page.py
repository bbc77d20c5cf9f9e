"""The run's own page, ``OUT/index.html`` (also ``OUT/report.html``): the pass rate by task and by
difficulty, then every episode of a benchmark run in one table (task, instance,
the checker's score, how the episode ended, steps, time), each linked to its episode report.

The score column comes first and is coloured by the score; the status column is the agent's claim,
coloured by ``report.STATUS_TONE``. An episode that never started shows "not run" and the exception.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..report import STATUS_TONE, STYLE, badge, score_tone
from .results import EpisodeRecord
from .summary import Row, Summary

PAGE = "report.html"  # an episode's page, and the run's under its earlier name
INDEX = "index.html"
_SAFE_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")  # relative, no ".."
_TABLE_STYLE = (
    "th{text-align:left;padding:.2em .6em .2em 0;border-bottom:1px solid #ccc} tr:hover{background:#fff}"
    "h2{font-size:1.1em;margin-top:1.2em} .rate{display:inline-block;width:6em;height:.7em;background:#f5c6c6}"
    ".rate span{display:block;height:100%;background:#5cb85c}"
)


def _link(run_dir: Path, trajectory: str) -> str:
    """A link to the episode's page: only a plain relative path inside the run to a page that exists."""
    if not _SAFE_PATH.fullmatch(trajectory) or not (run_dir / trajectory / PAGE).is_file():
        return escape(trajectory)
    return f'<a href="{escape(trajectory)}/{PAGE}">{escape(trajectory.rsplit("/", 1)[-1])}</a>'


def _row(run_dir: Path, r: EpisodeRecord) -> str:
    status = badge(STATUS_TONE[r.status], r.status) if r.status else badge("bad", "not run")
    note = r.exception or r.reason
    checker = (  # an error is not scored: it says so instead of showing a 0
        badge("bad", f"not scored: {r.error_kind or 'error'} error")
        if r.success is None
        else badge(score_tone(r.success), f"{r.success:g} / 1")
    )
    cells = [
        escape(r.task), str(r.instance), escape(r.difficulty), checker,
        status, str(r.steps), f"{r.duration_s:.1f} s", _link(run_dir, r.trajectory),
        f'<span class="err">{escape(note)}</span>' if r.exception else escape(note),
    ]  # fmt: skip
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _rate_row(row: Row) -> str:
    """A line of the pass-rate table: the rate as a number and as a bar (grey when nothing was scored)."""
    width = f"{100 * row.success_rate:.0f}%" if row.episodes else "0%"
    rate = f"{row.success_rate:.0%}" if row.episodes else "none scored"
    bar = f'<span class="rate"><span style="width:{width}"></span></span> {rate}'
    cells = [
        escape(row.difficulty), str(row.episodes), f"{row.successes:g}", bar,
        f"{row.mean_steps:.1f}", f"{row.seconds_per_step:.2f} s", str(row.errors),
    ]  # fmt: skip
    return f'<tr><th scope="row">{escape(row.name)}</th>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _rates_table(title: str, rows: Sequence[Row]) -> str:
    head = ["", "difficulty", "scored", "successes", "pass rate", "mean steps", "per step", "errors"]
    return (
        f"<h2>{escape(title)}</h2><table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>"
        f"{''.join(_rate_row(r) for r in rows)}</table>"
    )


def render_run_page(run_dir: Path, records: Sequence[EpisodeRecord], summary: Summary) -> str:
    o = summary.overall
    title = f"Benchmark run{f' ({summary.policy})' if summary.policy else ''}"
    head = ["task", "instance", "difficulty", "checker", "agent's claim", "steps", "time", "episode", "reason"]
    rows = "".join(_row(run_dir, r) for r in sorted(records, key=lambda r: r.key))
    wall = f"; {summary.wall_s:.0f} s of wall time" if summary.wall_s is not None else ""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}{_TABLE_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>checker: {o.successes:g} of {o.episodes} episodes succeeded ({o.success_rate:.1%}); mean steps "
        f"{o.mean_steps:.1f}; {o.errors} errors{wall}</p>"
        f"{_rates_table('By task', summary.by_task)}{_rates_table('By difficulty', summary.by_difficulty)}"
        f"<h2>Episodes</h2><table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>{rows}</table></body></html>"
    )


def write_run_page(run_dir: str | Path, records: Sequence[EpisodeRecord], summary: Summary) -> Path:
    """Write the run's page into the run directory as ``index.html`` (what a browser opens for the folder)
    and ``report.html`` (its name before); the path of ``index.html``."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    html = render_run_page(run_dir, records, summary)
    for name in (PAGE, INDEX):
        tmp = (run_dir / name).with_suffix(".tmp")
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, run_dir / name)
    return run_dir / INDEX
