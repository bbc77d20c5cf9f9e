"""A self-contained HTML report of an episode directory: every step, its screenshot, what the model said
and what ran. Executed points are drawn on the screenshot (as positioned markers), so a wrong coordinate
mapping is visible at a glance. While the episode runs the page reloads itself every few seconds.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from typing import Any

from .records import CallRecord, EpisodeResult, Step
from .trajectory import read_result, read_steps

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;background:#fafafa;color:#222}
h1{font-size:1.3em} .status{font-weight:bold;padding:.1em .4em;border-radius:4px;background:#ddd}
.success,.answered{background:#c8f0c8} .failure,.error,.stuck,.model_errors,.max_steps{background:#f5c6c6}
.step{display:flex;gap:1.2em;background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0}
.shot{position:relative;flex:none;width:240px} .shot img{width:240px;border:1px solid #ccc}
.mark{position:absolute;width:14px;height:14px;margin:-8px 0 0 -8px;border:2px solid #e00;border-radius:50%}
.mark.end{border-color:#06c} pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em;margin:.3em 0}
.err{color:#b00} table{border-collapse:collapse} td{padding:.1em .6em .1em 0;vertical-align:top}
"""


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


def _step_html(step: Step) -> str:
    size = step.geometry.screenshot_size
    marks = "".join(_marks(c, size) for c in step.calls)
    g = step.geometry
    timing = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in step.timings.items())
    body = [
        f"<h3>Step {step.index}</h3>",
        f"<pre>{escape(step.raw_text)}</pre>",
        *(_call_html(c) for c in step.calls),
    ]
    if step.parse_error:
        body.append(f'<p class="err">{escape(step.parse_error)}</p>')
    if step.final_answer is not None:
        body.append(f"<p><b>Final answer:</b> {escape(step.final_answer)}</p>")
    body += [f"<p>{escape(n)}</p>" for n in step.notes]
    body.append(
        f"<p><small>screen {g.screen_size[0]}x{g.screen_size[1]}, screenshot {size[0]}x{size[1]}, model saw "
        f"{g.model_image_size[0]}x{g.model_image_size[1]} ({escape(g.convention)}); tokens in {step.prompt_tokens}"
        f" (image {step.image_tokens}, cached {step.cached_tokens}), out {step.output_tokens}; {escape(timing)}"
        f"{'; ' + escape(step.foreground) if step.foreground else ''}</small></p>"
    )
    shot = f'<div class="shot"><img src="{escape(step.screenshot)}" alt="step {step.index}">{marks}</div>'
    return f'<div class="step">{shot}<div>{"".join(body)}</div></div>'


def render_report(meta: dict[str, Any], steps: list[Step], result: EpisodeResult | None) -> str:
    task = escape(str(meta.get("task", "")))
    refresh = "" if result else '<meta http-equiv="refresh" content="3">'
    if result:
        head = (
            f'<p><span class="status {escape(result.status)}">{escape(result.status)}</span> '
            f"{escape(result.reason)} &middot; {result.steps} steps &middot; {result.duration_s:.1f} s</p>"
        )
        if result.answer:
            head += f"<p><b>Answer:</b> {escape(result.answer)}</p>"
    else:
        head = '<p><span class="status">running</span></p>'
    details = {k: v for k, v in meta.items() if k not in ("task", "started_at")}
    info = f"<pre>{escape(json.dumps(details, ensure_ascii=False, indent=1, default=str))}</pre>" if details else ""
    return (
        f'<!doctype html><html><head><meta charset="utf-8">{refresh}<title>{task}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{task}</h1>{head}{info}"
        f"{''.join(_step_html(s) for s in steps)}</body></html>"
    )


def write_report(out_dir: str | Path) -> Path:
    """(Re)write ``report.html`` from the files of an episode directory."""
    out_dir = Path(out_dir)
    meta_path = out_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    html = render_report(meta, read_steps(out_dir), read_result(out_dir))
    path = out_dir / "report.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
