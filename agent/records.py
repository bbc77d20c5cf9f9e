"""Typed records of an episode: what the model saw and said, what ran, and how it ended.

These are what the trajectory recorder writes (one ``Step`` per line of ``steps.jsonl``, the
``EpisodeResult`` in ``result.json``) and what the benchmark reads back.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticSerializationError

Status = Literal["success", "answered", "failure", "max_steps", "stuck", "model_errors", "error", "interrupted"]
"""How an episode ended.

``success``: the model called Terminate("success"). ``answered``: it replied without any call (a final
answer). ``failure``: Terminate("failure"). ``max_steps``: the step budget ran out. ``stuck``: the same
action on an unchanged screen too many times. ``model_errors``: too many consecutive unusable replies or
failed actions. ``error``: an infrastructure fault (device gone, model crashed); see ``reason``.
``interrupted``: stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) before it ended.
"""

DONE_STATUSES: frozenset[str] = frozenset({"success", "answered"})
"""Statuses where the agent itself declared the task done."""


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def safe_text(text: str, limit: int | None = None) -> str:
    """``text`` as it can be written anywhere: lone surrogates (from a server or a file) become U+FFFD, and
    past ``limit`` characters the rest is replaced by a note saying how much was left out."""
    text = _SURROGATES.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}... [{len(text) - limit} more characters not kept]"
    return text


def to_json(record: BaseModel) -> str:
    """One line of JSON for ``record``; text that cannot be encoded is repaired, never an exception."""
    try:
        return record.model_dump_json()
    except PydanticSerializationError:
        return json.dumps(_repaired(record.model_dump(mode="python")), ensure_ascii=False, default=str)


def _repaired(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(str(k)): _repaired(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_repaired(v) for v in value]
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Geometry(_Record):
    """Every size a point passes through (the most common bug in this field is mixing them up)."""

    screen_size: tuple[int, int]  # the device's input space
    screenshot_size: tuple[int, int]  # the image the env returned (action pixels)
    model_image_size: tuple[int, int]  # the image the model saw after resizing
    convention: str  # the coordinate convention in force


class CallRecord(_Record):
    """One call of a step: as written, as validated, as executed, and its result."""

    name: str
    raw_arguments: str
    arguments: dict[str, Any] | None = None  # validated, in the model's coordinates
    executed: dict[str, Any] | None = None  # the action sent to the env, in screenshot pixels
    result: str = ""  # text shown to the model as the result
    error: str | None = None  # a model-facing error (bad point, unknown app, ...)
    settle_s: float = 0.0
    settle: dict[str, Any] | None = None  # what the settle wait cost, as the env reports it (signal, captures...)
    execute_s: float = 0.0
    safety: dict[str, Any] | None = None  # the safety decision on this call (``envs.safety``), when guarded


class Step(_Record):
    """One model reply and everything it led to."""

    index: int
    started_at: float
    screenshot: str  # file name of the screenshot the model saw, inside the episode directory
    geometry: Geometry
    foreground: str | None = None
    raw_text: str  # the model's reply as generated (cut at the stop marker; capped, see ``safe_text``)
    thought: str = ""
    calls: list[CallRecord] = Field(default_factory=list)
    parse_error: str | None = None
    final_answer: str | None = None
    prompt_tokens: int = 0
    output_tokens: int = 0
    image_tokens: int = 0
    cached_tokens: int = 0
    timings: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)  # also appended to the last call's result, as the model saw
    stop_reason: str | None = None  # why generation stopped: "stop", "eos", or "length" (cut off at the limit)
    fault: str | None = None  # the fault that ended the episode during this step (its calls so far are above)


class EpisodeResult(_Record):
    """How an episode ended; ``reason`` is one line for humans."""

    task: str
    status: Status
    reason: str
    steps: int
    answer: str | None = None  # text of the last Answer call, or the final reply
    error_kind: Literal["infrastructure", "internal"] | None = None  # status error: a fault, or a bug of ours
    duration_s: float = 0.0
    out_dir: str | None = None

    @property
    def declared_done(self) -> bool:
        return self.status in DONE_STATUSES
