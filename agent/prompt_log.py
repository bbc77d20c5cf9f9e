"""The exact model input of every step, as text, next to the trajectory: ``prompt_NNN.txt``.

``PromptLog`` is a loop hook that holds the policy: the prompt of step 0 is the policy's messages once the
episode has begun, and the prompt of step N+1 is its messages once step N is recorded (the loop asks for
nothing in between), so each file is written before its step starts and the report can show it behind a
toggle (``report.read_prompt``). Images are shown as placeholders with their size.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qwen2vl_agent.envs import Observation
from qwen2vl_agent.model import ImagePart, Message

from .records import EpisodeResult, Step
from .report import PROMPT_FILE

if TYPE_CHECKING:
    from .policy import QwenPolicy


def render_messages(messages: Sequence[Message]) -> str:
    """``messages`` as text: a header per message, its text, and ``<image WxH>`` where an image goes."""
    out = []
    for message in messages:
        parts = [
            f"<image {p.image.size[0]}x{p.image.size[1]}>" if isinstance(p, ImagePart) else p.text
            for p in message.content
        ]
        out.append(f"=== {message.role} ===\n" + "".join(parts))
    return "\n\n".join(out) + "\n"


class PromptLog:
    """A loop hook writing ``prompt_NNN.txt`` into ``out_dir`` for every step of ``policy``'s episode."""

    def __init__(self, policy: QwenPolicy, out_dir: str | Path) -> None:
        self.policy = policy
        self.out_dir = Path(out_dir)

    def _write(self, index: int) -> None:
        path = self.out_dir / PROMPT_FILE.format(index=index)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(render_messages(self.policy.messages()), encoding="utf-8")
        os.replace(tmp, path)

    def on_start(self, task: str, observation: Observation) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._write(0)

    def on_step(self, step: Step, observation: Observation) -> None:
        if step.fault is None and step.final_answer is None:
            self._write(step.index + 1)

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        # the prompt of a step that never ran (the episode ended first) names nothing: drop it
        (self.out_dir / PROMPT_FILE.format(index=result.steps)).unlink(missing_ok=True)
