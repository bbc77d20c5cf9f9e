"""One agent step, the same for our loop and for harnesses that own theirs (AndroidWorld's ``agent.step``).

A step is one model reply, in two halves around the observation that follows it:

``take_turn``   ask the model on the current screen, parse its reply and carry its calls out, filling the
                step's record as it goes (so a fault midway leaves what happened on record);
``conclude``    with the screen after the step (``None`` when the step ended the episode): add the no-progress
                notes to the record and hand the record to the policy, which renders the next prompt from it.

The loop calls both with ``env.observe()`` between them; a harness calls ``conclude`` when it hands over the
next screen. Timings, notes and stuck detection are therefore the same everywhere.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from qwen2vl_agent.envs import Env, Observation
from qwen2vl_agent.tools import Frame

from .acting import Acted, act, rejected
from .parser import MAX_THOUGHT_CHARS
from .progress import ProgressTracker
from .records import Geometry, Step, safe_text

if TYPE_CHECKING:
    from .policy import Decision, QwenPolicy


def new_step(index: int, obs: Observation, frame: Frame) -> Step:
    """The record of step ``index`` on ``obs``, before the model has said anything."""
    return Step(
        index=index,
        started_at=time.time(),
        screenshot=f"step_{index:03d}.png",
        geometry=Geometry(
            screen_size=obs.screen_size,
            screenshot_size=obs.screenshot.size,
            model_image_size=frame.model_image,
            convention=frame.convention,
        ),
        foreground=obs.foreground,
        raw_text="",
    )


def take_turn(env: Env, policy: QwenPolicy, frame: Frame, step: Step) -> Acted:
    """Decide and act: the model's reply, parsed, its calls executed on ``env`` (model faults propagate)."""
    decision = policy.decide()
    _record_generation(step, decision)
    if decision.error is not None:
        acted = rejected(decision.error)
        step.calls, step.parse_error = acted.records, str(decision.error)
        return acted
    assert decision.reply is not None
    if decision.reply.is_final:
        step.final_answer = decision.reply.thought
        return Acted(decision.reply.thought, end=("answered", "the agent gave its final answer"))
    acted = Acted(decision.reply.thought)
    step.calls = acted.records  # filled call by call: a fault mid-reply keeps the calls so far
    started = time.perf_counter()
    act(env, decision.reply.calls, frame, acted)
    step.timings["act"] = time.perf_counter() - started
    return acted


def conclude(
    policy: QwenPolicy, tracker: ProgressTracker, step: Step, acted: Acted, before: Observation,
    after: Observation | None,
) -> None:  # fmt: skip
    """Finish ``step`` with the screen after it: notes into the last call's result (what the model hears is
    what the record says), then the policy remembers the step with ``after`` as its result image."""
    notes = tracker.update(before, after, acted)
    if notes and step.calls:
        step.calls[-1].result = " ".join([step.calls[-1].result, *notes]).strip()
    step.notes += notes
    policy.record(step, after.screenshot if after is not None else None)


def _record_generation(step: Step, decision: Decision) -> None:
    gen = decision.generation
    step.raw_text = decision.text
    thought = decision.reply.thought if decision.reply else decision.error.thought if decision.error else ""
    step.thought = safe_text(thought, MAX_THOUGHT_CHARS)
    step.stop_reason = gen.stop_reason
    step.prompt_tokens, step.output_tokens = gen.prompt_tokens, gen.output_tokens
    step.image_tokens, step.cached_tokens = gen.image_tokens, gen.cached_tokens
    step.timings.update({f"model_{k}": v for k, v in gen.timings.items()})
