"""Every facade call as a ``records.Step``, in the trajectory format agent runs use (report, replay, export).

One call is one step: ``raw_text`` is the call as written (``tap(text='Wi-Fi')``) or, for a vision step,
the model's reply; ``calls`` holds the action it ran, in screenshot pixels, and its result. Steps go to
any loop hooks (a ``TrajectoryRecorder`` when the script records) and are kept in ``steps``.
``agent()`` episodes inside a script add their own steps here, renumbered to follow the script's.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.envs import Observation
from qwen2vl_agent.tools import Action

from ..records import CallRecord, EpisodeResult, Geometry, Status, Step

if TYPE_CHECKING:
    from qwen2vl_agent.model import Generation

    from ..loop import Hook

log = logging.getLogger(__name__)


def call_text(name: str, args: dict[str, Any]) -> str:
    """``tap(text='Wi-Fi')``: a facade call as one would write it."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items() if v is not None)})"


class Journal:
    """The steps of one script, handed to ``hooks`` as they happen (``start`` once, ``end`` once)."""

    def __init__(self, name: str, hooks: Sequence[Hook] = ()) -> None:
        self.name = name
        self.hooks = list(hooks)
        self.steps: list[Step] = []
        self.started = time.time()
        self.begun = False

    def start(self, observation: Observation) -> None:
        self.begun = True
        for hook in self.hooks:
            hook.on_start(self.name, observation)

    def new(self, name: str, args: dict[str, Any], observation: Observation) -> Step:
        """A step for the call ``name(**args)`` on ``observation`` (filled in by the caller, then ``add``)."""
        index = len(self.steps)
        return Step(
            index=index, started_at=time.time(), screenshot=f"step_{index:03d}.png", raw_text=call_text(name, args),
            geometry=Geometry(screen_size=observation.screen_size, screenshot_size=observation.screenshot.size,
                              model_image_size=observation.screenshot.size, convention="abs_screen"),
            foreground=observation.foreground,
        )  # fmt: skip

    def add(self, step: Step, observation: Observation) -> None:
        self.steps.append(step)
        for hook in self.hooks:
            hook.on_step(step, observation)

    def end(self, status: Status, reason: str, observation: Observation | None) -> EpisodeResult:
        result = EpisodeResult(task=self.name, status=status, reason=reason, steps=len(self.steps),
                               duration_s=time.time() - self.started)  # fmt: skip
        for hook in self.hooks:
            try:
                hook.on_end(result, observation)
            except Exception:  # the script's own outcome must not be hidden by a failing recorder
                log.exception("a hook failed at the end of the script")
        return result

    def episode_hook(self) -> Hook:
        """A loop hook that copies an ``agent()`` episode's steps into this journal."""
        return _EpisodeSteps(self)


def action_call(action: Action, args: dict[str, Any]) -> CallRecord:
    """The record of one executed action (its result is filled in once it ran)."""
    return CallRecord(name=action.type, raw_arguments=json.dumps(args, ensure_ascii=False, default=str),
                      arguments=args, executed=action.model_dump(mode="json"))  # fmt: skip


def note_generation(step: Step, generation: Generation) -> None:
    """The model's side of a vision step: its reply and what it cost (a cached reply costs nothing)."""
    step.raw_text = generation.text
    step.stop_reason = generation.stop_reason
    step.prompt_tokens, step.output_tokens = generation.prompt_tokens, generation.output_tokens
    step.image_tokens, step.cached_tokens = generation.image_tokens, generation.cached_tokens
    step.timings.update({f"model_{k}": v for k, v in generation.timings.items()})


class _EpisodeSteps:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def on_start(self, task: str, observation: Observation) -> None:
        pass

    def on_step(self, step: Step, observation: Observation) -> None:
        index = len(self.journal.steps)
        self.journal.add(step.model_copy(update={"index": index, "screenshot": f"step_{index:03d}.png"}), observation)

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        pass
