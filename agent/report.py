"""A self-contained HTML report of an episode directory: every step, its screenshot, what the model said
and what ran. Executed points are drawn on the screenshot (as positioned markers), so a wrong coordinate
mapping is visible at a glance, swipes as arrows and typed text in a banner (``overlay``). A screenshot
enlarges when clicked; a timeline at the top has one segment per step (its width the step's time, red when
it went wrong) linking to the step; each step's exact prompt (``prompt_NNN.txt``, when recorded: see
``prompt_log``) is behind a toggle; a finished episode links its animation (``animation``). The page needs
nothing but its directory: no network, no CDN.

The page is written as the episode runs, without re-reading it: a head, one fragment per step, and a tail
(the status, after ``TAIL_MARK``). Each step overwrites the tail with its fragment and a new tail, so a
step costs the same at step 200 as at step 1; the final status is written once at the end, and a
benchmark's checker score (``record_score``) once after that. ``write_report`` renders the same page from
the directory's files at once.

Badges say what happened, not what the agent claimed: success is green, failure and faults red, an answer
or a spent step budget grey; a benchmark episode shows the checker's score beside the claim, coloured by
the score. While the episode runs the page reloads itself every few seconds and says when it was last
updated; a page not updated for ``STALE_AFTER_S`` (a run killed by SIGKILL never writes its status) stops
reloading and says the run may have been killed. A finished page, whatever its status, never reloads.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any, Literal

from . import overlay
from .animation import GIF, MP4, write_gif
from .records import CallRecord, EpisodeResult, Status, Step
from .trajectory import SCORE, CheckerScore, read_result, read_score, read_steps

log = logging.getLogger(__name__)

Tone = Literal["good", "bad", "neutral"]

STATUS_TONE: dict[Status, Tone] = {
    "success": "good",
    "failure": "bad",
    "error": "bad",
    "stuck": "bad",
    "model_errors": "bad",
    "answered": "neutral",  # a reply without a call may be an answer or gibberish: the checker decides
    "max_steps": "neutral",
    "interrupted": "neutral",
}

TAIL_MARK = "<!--report-tail-->"  # never produced by escaped text, which has no "<"
STALE_AFTER_S = 900  # a running page not updated for this long stops reloading: the run may have been killed
RELOAD_S = 3
_NOT_CHECKED = "not checked: the agent did not declare the task done"

PROMPT_FILE = "prompt_{index:03d}.txt"  # the exact model input of a step, as text (see ``prompt_log``)

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}
body{display:flex;flex-direction:column} h1{font-size:1.3em;order:-3} .end{order:-2} #timeline{order:-1}
.badge{font-weight:bold;padding:.1em .4em;border-radius:4px} .badge.good{background:#c8f0c8}
.badge.bad{background:#f5c6c6} .badge.neutral{background:#e2e2e2}
.step{display:flex;gap:1.2em;background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0}
.shot{position:relative;flex:none;width:240px;align-self:flex-start;cursor:zoom-in}
.shot.big{width:min(92vw,760px);cursor:zoom-out} .shot img{width:100%;display:block;border:1px solid #ccc}
.over{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}
#timeline{display:flex;gap:2px;margin:.5em 0} #timeline a{min-width:1.6em;text-align:center;font-size:.8em;
padding:.2em 0;border-radius:3px;text-decoration:none;color:#222;background:#c8f0c8}
#timeline a.bad{background:#f5c6c6} .gif{max-width:320px;border:1px solid #ccc}
details pre{max-height:40em;overflow:auto;font-size:.85em}
.mark{position:absolute;width:14px;height:14px;margin:-8px 0 0 -8px;border:2px solid #e00;border-radius:50%}
.mark.end{border-color:#06c} pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em;margin:.3em 0}
.err{color:#b00} table{border-collapse:collapse} td{padding:.1em .6em .1em 0;vertical-align:top}
"""


# Click a screenshot to enlarge it; the timeline is built from the steps' headings as they arrive.
SCRIPT = """<script>
document.addEventListener("click",function(e){var s=e.target.closest(".shot");if(s){s.classList.toggle("big")}});
document.addEventListener("DOMContentLoaded",function(){var nav=document.getElementById("timeline");
document.querySelectorAll(".step h3[data-ms]").forEach(function(h){var a=document.createElement("a");
a.href="#"+h.id;a.className=h.dataset.tone;a.style.flexGrow=Math.max(1,Number(h.dataset.ms));
a.title=h.textContent+": "+h.dataset.what+" ("+h.dataset.ms+" ms)";a.textContent=h.dataset.n;nav.appendChild(a)})});
</script>"""


def _marks(call: CallRecord, size: tuple[int, int]) -> str:
    if not call.executed:
        return ""
    out = []
    for key, cls in (("point", ""), ("start", ""), ("end", " end")):
        point = call.executed.get(key)
        if isinstance(point, list) and len(point) == 2:
            left, top = 100 * point[0] / max(size[0], 1), 100 * point[1] / max(size[1], 1)
            out.append(f'<div class="mark{cls}" style="left:{left:.2f}%;top:{top:.2f}%"></div>')
    return "".join(out)


def _call_html(call: CallRecord) -> str:
    rows = [f"<tr><td><b>{escape(call.name or '?')}</b></td><td>{escape(call.raw_arguments)}</td></tr>"]
    if call.executed is not None:
        shown = {k: v for k, v in call.executed.items() if k != "type"}
        rows.append(f"<tr><td>executed</td><td>{escape(json.dumps(shown, ensure_ascii=False))}</td></tr>")
    if call.result:
        cls = ' class="err"' if call.error else ""
        rows.append(f"<tr><td>result</td><td{cls}>{escape(call.result)}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _heading(step: Step) -> str:
    """The step's heading, carrying what the timeline shows of it."""
    failed = step.fault or step.parse_error or any(c.error for c in step.calls)
    what = ", ".join(c.name for c in step.calls) or ("answer" if step.final_answer is not None else "no call")
    ms = sum(v for k, v in step.timings.items() if k in ("model_total", "act", "observe")) * 1000
    tone = "bad" if failed else "good"
    return (
        f'<h3 id="step-{step.index}" data-n="{step.index}" data-ms="{ms:.0f}" data-tone="{tone}" '
        f'data-what="{escape(what)}">Step {step.index}</h3>'
    )


def _speed(step: Step) -> str:
    decode = step.timings.get("model_decode", 0.0)
    if decode > 0 and step.output_tokens > 1:
        return f"; {(step.output_tokens - 1) / decode:.1f} tokens/s"
    return ""


def _prompt_html(prompt: str | None) -> str:
    if prompt is None:
        return ""
    return f"<details><summary>prompt ({len(prompt)} characters)</summary><pre>{escape(prompt)}</pre></details>"


def step_html(step: Step, prompt: str | None = None) -> str:
    """One step's fragment; ``prompt`` is the model's input at that step as text, shown behind a toggle."""
    size = step.geometry.screenshot_size
    marks = "".join(_marks(c, size) for c in step.calls)
    drawn = overlay.svg(overlay.marks(step.calls), size)
    g = step.geometry
    timing = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in step.timings.items())
    body = [
        _heading(step),
        f"<pre>{escape(step.raw_text)}</pre>",
        *(_call_html(c) for c in step.calls),
    ]
    if step.stop_reason == "length":
        body.append('<p class="err">The reply was cut off at the token limit.</p>')
    if step.parse_error:
        body.append(f'<p class="err">{escape(step.parse_error)}</p>')
    if step.fault:
        body.append(f'<p class="err"><b>Fault:</b> {escape(step.fault)}</p>')
    if step.final_answer is not None:
        body.append(f"<p><b>Final answer:</b> {escape(step.final_answer)}</p>")
    body += [f"<p>{escape(n)}</p>" for n in step.notes]
    body.append(
        f"<p><small>screen {g.screen_size[0]}x{g.screen_size[1]}, screenshot {size[0]}x{size[1]}, model saw "
        f"{g.model_image_size[0]}x{g.model_image_size[1]} ({escape(g.convention)}); tokens in {step.prompt_tokens}"
        f" (image {step.image_tokens}, cached {step.cached_tokens}), out {step.output_tokens}; {escape(timing)}"
        f"{_speed(step)}{'; ' + escape(step.foreground) if step.foreground else ''}</small></p>"
    )
    body.append(_prompt_html(prompt))
    shot = f'<div class="shot"><img src="{escape(step.screenshot)}" alt="step {step.index}">{drawn}{marks}</div>'
    return f'<div class="step">{shot}<div>{"".join(body)}</div></div>'


def badge(tone: Tone, text: str) -> str:
    return f'<span class="badge {tone}">{escape(text)}</span>'


def score_tone(score: float) -> Tone:
    """Full marks green, none red, partial credit grey."""
    return "good" if score >= 1 else "bad" if score <= 0 else "neutral"


def _score_html(score: CheckerScore) -> str:
    note = score.note or ("" if score.checked else _NOT_CHECKED)
    return f"<p>{badge(score_tone(score.score), f'checker: {score.score:g} / 1')} {escape(note)}</p>"


def _finished_html(result: EpisodeResult, score: CheckerScore | None, media: tuple[str, ...] = ()) -> str:
    out = (
        f"<p>{badge(STATUS_TONE[result.status], result.status)} {escape(result.reason)} &middot; "
        f"{result.steps} steps &middot; {result.duration_s:.1f} s</p>"
    )
    if score is not None:
        out += _score_html(score)
    if result.answer:
        out += f"<p><b>Answer:</b> {escape(result.answer)}</p>"
    if GIF in media:
        video = f'<p><a class="mp4" href="{MP4}">{MP4}</a> (the same, as a video)</p>' if MP4 in media else ""
        out += (
            f'<details><summary>the episode, animated</summary><img class="gif" src="{GIF}" alt="episode">'
            f"{video}</details>"
        )
    return out


def _media(out_dir: Path) -> tuple[str, ...]:
    """The episode's animations that exist (``episode.gif``, ``episode.mp4``), for the page to show."""
    return tuple(name for name in (GIF, MP4) if (out_dir / name).exists())


def _running_html(steps: int, updated: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(updated))
    script = (
        f"<script>(function(){{var updated={updated:.0f};var stale={STALE_AFTER_S};"
        "var age=Date.now()/1000-updated;"
        f"if(age<stale){{setTimeout(function(){{location.reload()}},{RELOAD_S * 1000})}}"
        'else{document.getElementById("quiet").textContent=" \\u00b7 no update for "+Math.round(age/60)+'
        '" min: the run may have been killed (or is stalled); this page has stopped reloading, reload it by hand"'
        "}})()</script>"
    )
    return (
        f"<p>{badge('neutral', 'running')} {steps} steps so far &middot; last updated {when}"
        f'<span id="quiet" class="err"></span></p>{script}'
    )


def _tail(
    result: EpisodeResult | None, score: CheckerScore | None, steps: int, updated: float, media: tuple[str, ...] = ()
) -> str:
    body = _finished_html(result, score, media) if result else _running_html(steps, updated)
    return f'{TAIL_MARK}<div class="end">{body}</div></body></html>'


def _head(meta: dict[str, Any]) -> str:
    task = escape(str(meta.get("task", "")))
    details = {k: v for k, v in meta.items() if k not in ("task", "started_at")}
    info = f"<pre>{escape(json.dumps(details, ensure_ascii=False, indent=1, default=str))}</pre>" if details else ""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{task}</title>'
        f'<style>{STYLE}</style>{SCRIPT}</head><body><h1>{task}</h1><nav id="timeline"></nav>{info}'
    )


def render_report(
    meta: dict[str, Any], steps: list[Step], result: EpisodeResult | None, score: CheckerScore | None = None,
    updated: float | None = None, prompts: dict[int, str] | None = None, media: tuple[str, ...] = (),
) -> str:  # fmt: skip
    """The whole page; ``updated`` (default now) is when a running episode last wrote something; ``prompts``
    the model input of each step, by index; ``media``: the episode's animations to show (``episode.gif``,
    and ``episode.mp4`` linked beside it), once they are written."""
    prompts = prompts or {}
    fragments = "".join(step_html(s, prompts.get(s.index)) for s in steps)
    when = time.time() if updated is None else updated
    return _head(meta) + fragments + _tail(result, score, len(steps), when, media)


def write_report(out_dir: str | Path) -> Path:
    """(Re)write ``report.html`` from the files of an episode directory, all at once."""
    out_dir = Path(out_dir)
    meta_path = out_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    steps, result = read_steps(out_dir), read_result(out_dir)
    prompts = {s.index: p for s in steps if (p := read_prompt(out_dir, s.index)) is not None}
    media = _media(out_dir) if result is not None else ()
    html = render_report(meta, steps, result, read_score(out_dir), _last_written(out_dir), prompts, media)
    path = out_dir / "report.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path


def append_step(out_dir: str | Path, step: Step) -> None:
    """Add ``step`` (already in ``steps.jsonl``) to a running episode's page, in place."""
    tail = _tail(None, None, step.index + 1, time.time())
    if not _replace_tail(Path(out_dir), step_html(step, read_prompt(out_dir, step.index)) + tail):
        write_report(out_dir)


def read_prompt(out_dir: str | Path, index: int) -> str | None:
    """The recorded model input of step ``index``, or None when there is none."""
    try:
        return (Path(out_dir) / PROMPT_FILE.format(index=index)).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def finish_report(
    out_dir: str | Path, *, animate: bool = True, frames: Mapping[str, Any] | None = None, video: bool = True
) -> None:
    """Write the final status (``result.json``, and ``score.json`` when there is one) into the page, with the
    episode's animation (``animate``: (re)draw it first, with the ``frames`` already drawn; else link the one
    there is); ``video``: an MP4 beside the GIF, when imageio-ffmpeg is installed."""
    out_dir = Path(out_dir)
    result = read_result(out_dir)
    if result is not None and animate:
        try:
            write_gif(out_dir, frames, video=video)
        except Exception:  # the animation is a nicety: the verdict is written whatever happens to it
            log.warning("could not write the episode's animation in %s", out_dir, exc_info=True)
    media = _media(out_dir)
    if result is None or not _replace_tail(out_dir, _tail(result, read_score(out_dir), result.steps, 0.0, media)):
        write_report(out_dir)


def record_score(out_dir: str | Path, score: float, *, checked: bool = True, note: str = "") -> None:
    """Record a benchmark checker's ``score`` (0..1) for an episode, and show it on its page if it has one.

    ``checked=False``: the checker did not run (the agent never declared the task done; the score is 0).
    """
    out_dir = Path(out_dir)
    path = out_dir / SCORE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(CheckerScore(score=score, checked=checked, note=note).model_dump_json(), encoding="utf-8")
    os.replace(tmp, path)
    if (out_dir / "report.html").exists():
        finish_report(out_dir, animate=False)


def _replace_tail(out_dir: Path, text: str) -> bool:
    """Overwrite ``report.html`` from its tail mark on with ``text``; False when the page has no mark."""
    path = out_dir / "report.html"
    try:
        with open(path, "r+b") as f:
            at = _find_tail(f)
            if at is None:
                return False
            f.seek(at)
            f.write(text.encode("utf-8"))
            f.truncate()
            return True
    except FileNotFoundError:
        return False


def _find_tail(f: Any) -> int | None:
    """The offset of the last tail mark, reading back from the end (the tail is small; a final answer may
    make it longer, hence the growing window)."""
    mark = TAIL_MARK.encode()
    end = f.seek(0, os.SEEK_END)
    window = 8192
    while True:
        start = max(0, end - window)
        f.seek(start)
        found = f.read(end - start).rfind(mark)
        if found >= 0:
            return start + found
        if start == 0:
            return None
        window *= 4


def _last_written(out_dir: Path) -> float:
    times = [p.stat().st_mtime for p in (out_dir / "steps.jsonl", out_dir / "meta.json") if p.exists()]
    return max(times, default=time.time())
