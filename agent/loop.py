"""The agent loop: observe -> prompt -> generate -> parse -> execute -> show the result -> repeat.

It ends on Terminate, on a final answer (a reply without a call), at ``max_steps``, when the model fails
too often in a row, when it repeats the same action on an unchanged screen, or on an infrastructure
fault (``EnvError``, ``ModelUnavailable``, ``ModelFailed``: the run stops with the message, and every
finished step has already been handed to the hooks). Recording, console output and the like are hooks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.envs import Env, EnvError, Observation
from qwen2vl_agent.model import ModelFailed, ModelUnavailable
from qwen2vl_agent.tools import Frame

from .acting import Acted, act, attach_screenshot, rejected
from .progress import ProgressTracker
from .prompt import Exchange
from .records import EpisodeResult, Geometry, Status, Step

if TYPE_CHECKING:
    from .policy import Decision, QwenPolicy

log = logging.getLogger(__name__)


class LoopConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_steps: int = Field(20, ge=1)
    max_consecutive_errors: int = Field(3, ge=1, description="unusable replies or failed actions in a row")
    repeat_warn: int = Field(3, ge=2, description="same action on an unchanged screen: tell the model")
    repeat_stop: int = Field(5, ge=2, description="same action on an unchanged screen: end the episode")


class Hook(Protocol):
    """Observes an episode; every method is optional in spirit (implement all, do nothing where unused)."""

    def on_start(self, task: str, observation: Observation) -> None: ...

    def on_step(self, step: Step, observation: Observation) -> None: ...

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None: ...


def run_episode(
    env: Env, policy: QwenPolicy, task: str, config: LoopConfig | None = None, hooks: Sequence[Hook] = ()
) -> EpisodeResult:
    """Run one episode of ``task`` on ``env`` and return how it ended."""
    config = config or LoopConfig()
    started, steps, answer = time.time(), 0, None
    obs: Observation | None = None
    try:
        obs = env.reset()
        policy.begin(task, obs.screenshot)
        for hook in hooks:
            hook.on_start(task, obs)
        tracker = ProgressTracker(config)
        end: tuple[Status, str] | None = None
        while end is None and steps < config.max_steps:
            step, acted, next_obs = _step(env, policy, obs, steps, tracker)
            steps += 1
            answer = acted.answer or step.final_answer or answer
            for hook in hooks:
                hook.on_step(step, obs)
            obs, end = next_obs or obs, acted.end or tracker.verdict()
        end = end or ("max_steps", f"no result within {config.max_steps} steps")
    except (EnvError, ModelUnavailable, ModelFailed) as e:
        log.error("episode stopped: %s", e)
        end = ("error", f"{type(e).__name__}: {e}")
    result = EpisodeResult(
        task=task, status=end[0], reason=end[1], steps=steps, answer=answer, duration_s=time.time() - started
    )
    for hook in hooks:
        hook.on_end(result, obs)
    return result


def _step(
    env: Env, policy: QwenPolicy, obs: Observation, index: int, tracker: ProgressTracker
) -> tuple[Step, Acted, Observation | None]:
    """One reply: decide, act, observe. Returns the record, what was done, and the new observation."""
    frame = policy.frame(obs.screenshot)
    started = time.time()
    decision = policy.decide()
    step = _new_step(index, started, obs, frame, decision)
    next_obs = None
    if decision.error is not None:
        acted = rejected(decision.error)
        step.parse_error = str(decision.error)
    elif decision.reply is not None and decision.reply.is_final:
        acted = Acted(Exchange(thought=decision.reply.thought), end=("answered", "the agent gave its final answer"))
        step.final_answer = decision.reply.thought
        return step, acted, None
    else:
        assert decision.reply is not None
        t0 = time.perf_counter()
        acted = act(env, decision.reply.calls, decision.reply.thought, frame)
        step.timings["act"] = time.perf_counter() - t0
    if acted.end is None:
        t0 = time.perf_counter()
        next_obs = env.observe()
        step.timings["observe"] = time.perf_counter() - t0
        attach_screenshot(acted, next_obs.screenshot)
    step.notes += tracker.update(obs, next_obs, acted)
    if step.notes and acted.exchange.calls:
        acted.exchange.calls[-1].result_text = " ".join([acted.exchange.calls[-1].result_text, *step.notes]).strip()
    step.calls = acted.records
    policy.record(acted.exchange)
    return step, acted, next_obs


def _new_step(index: int, started: float, obs: Observation, frame: Frame, decision: Decision) -> Step:
    gen = decision.generation
    return Step(
        index=index,
        started_at=started,
        screenshot=f"step_{index:03d}.png",
        geometry=Geometry(
            screen_size=obs.screen_size,
            screenshot_size=obs.screenshot.size,
            model_image_size=frame.model_image,
            convention=frame.convention,
        ),
        foreground=obs.foreground,
        raw_text=gen.text,
        thought=(decision.reply.thought if decision.reply else decision.error.thought if decision.error else ""),
        prompt_tokens=gen.prompt_tokens,
        output_tokens=gen.output_tokens,
        image_tokens=gen.image_tokens,
        cached_tokens=gen.cached_tokens,
        timings={f"model_{k}": v for k, v in gen.timings.items()},
    )
