"""The agent loop: observe -> prompt -> generate -> parse -> execute -> show the result -> repeat.

It ends on Terminate, on a final answer (a reply without a call), at ``max_steps``, when the model fails
too often in a row, when it repeats the same action on an unchanged screen, or on an infrastructure
fault (``EnvError``, ``ModelUnavailable``, ``ModelFailed``, or a bug of ours: the run stops as ``error``
with the message), or on an interrupt (``interrupted``). Every step, the one in flight when the episode
ended included, is handed to the hooks. Recording, console output and the like are hooks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.envs import Env, EnvError, Observation
from qwen2vl_agent.model import ModelFailed, ModelUnavailable

from .acting import Acted
from .progress import ProgressTracker
from .records import EpisodeResult, Status, Step
from .step import conclude, new_step, take_turn

if TYPE_CHECKING:
    from .policy import QwenPolicy

log = logging.getLogger(__name__)


class LoopConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_steps: int = Field(20, ge=1, description="step budget of the episode")
    max_consecutive_errors: int = Field(3, ge=1, description="unusable replies or failed actions in a row")
    repeat_warn: int = Field(3, ge=2, description="same action on an unchanged screen: tell the model")
    repeat_stop: int = Field(5, ge=2, description="same action on an unchanged screen: end the episode")


class Hook(Protocol):
    """Observes an episode; every method is optional in spirit (implement all, do nothing where unused)."""

    def on_start(self, task: str, observation: Observation) -> None: ...

    def on_step(self, step: Step, observation: Observation) -> None: ...

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None: ...


@dataclass
class _Run:
    """Where an episode stands; what ``on_end`` reports however the episode ends."""

    task: str
    started: float = field(default_factory=time.time)
    steps: int = 0
    answer: str | None = None  # the last Answer call's text
    final: str | None = None  # a final reply's text (the answer only when no Answer was given)
    obs: Observation | None = None
    begun: bool = False  # every hook's on_start has run
    error_kind: Literal["infrastructure", "internal"] | None = None


def run_episode(
    env: Env, policy: QwenPolicy, task: str, config: LoopConfig | None = None, hooks: Sequence[Hook] = (),
    *, first: Observation | None = None,
) -> EpisodeResult:  # fmt: skip
    """Run one episode of ``task`` on ``env`` and return how it ended.

    ``first``: the first observation of an env the caller has just reset (the benchmark resets with a seed
    and the task's setup: ``env.reset(seed=..., options={"task": t})``); None: the loop resets the env.

    Every step, the one in flight when a fault or an interrupt ends the episode included, reaches the hooks'
    ``on_step``, and ``on_end`` always runs. A fault (``FAULTS``, or an exception in our own code) ends the
    episode as ``error``; ``KeyboardInterrupt`` ends it as ``interrupted`` and is raised again afterwards.
    """
    config = config or LoopConfig()
    run = _Run(task)
    end: tuple[Status, str] | None = None
    try:
        run.obs = first if first is not None else env.reset()
        policy.begin(task, run.obs.screenshot)
        for hook in hooks:
            hook.on_start(task, run.obs)
        run.begun = True
        tracker = ProgressTracker(config)
        while end is None and run.steps < config.max_steps:
            acted, next_obs = _step_recorded(env, policy, run, tracker, hooks)
            run.obs, end = next_obs or run.obs, acted.end or tracker.verdict()
        end = end or ("max_steps", f"no result within {config.max_steps} steps")
    except KeyboardInterrupt as e:  # Ctrl-C, or a signal handler naming its signal (the CLI's)
        signal = e.args[0] if e.args and isinstance(e.args[0], str) else "SIGINT (Ctrl-C)"
        _finish(run, ("interrupted", f"stopped by {signal}"), hooks)
        raise
    except FAULTS as e:
        log.error("episode stopped: %s", e)
        end, run.error_kind = ("error", f"{type(e).__name__}: {e}"), "infrastructure"
    except Exception as e:  # a bug of ours: the run still ends with a verdict on disk
        if not run.begun:  # a hook refused to start (an occupied directory, say): nothing ran, nothing to end
            raise
        log.exception("episode stopped by an internal error")
        end, run.error_kind = ("error", f"internal error: {type(e).__name__}: {e}"), "internal"
    return _finish(run, end, hooks)


FAULTS = (EnvError, ModelUnavailable, ModelFailed)
"""Infrastructure faults: the device, the display or the model failed, not the agent."""


def _finish(run: _Run, end: tuple[Status, str], hooks: Sequence[Hook]) -> EpisodeResult:
    result = EpisodeResult(
        task=run.task, status=end[0], reason=end[1], steps=run.steps, answer=run.answer or run.final,
        error_kind=run.error_kind, duration_s=time.time() - run.started,
    )  # fmt: skip
    for hook in hooks:
        try:
            hook.on_end(result, run.obs)
        except Exception:  # one failing hook must not keep the others from writing the verdict
            log.exception("a hook failed at the end of the episode")
    return result


def _step_recorded(
    env: Env, policy: QwenPolicy, run: _Run, tracker: ProgressTracker, hooks: Sequence[Hook]
) -> tuple[Acted, Observation | None]:
    """One step (``step.take_turn``, observe, ``step.conclude``), handed to the hooks however it ends: a fault
    mid-step records what happened so far (the reply, the calls made, the fault) and is raised again."""
    obs = run.obs
    assert obs is not None
    frame = policy.frame(obs.screenshot)
    record = new_step(run.steps, obs, frame)
    try:
        acted = take_turn(env, policy, frame, record)
        next_obs = None
        if acted.end is None:
            started = time.perf_counter()
            next_obs = env.observe()
            record.timings["observe"] = time.perf_counter() - started
        conclude(policy, tracker, record, acted, obs, next_obs)
    except BaseException as e:
        record.fault = f"{type(e).__name__}: {e}"
        run.steps += 1
        for hook in hooks:
            hook.on_step(record, obs)
        raise
    run.steps += 1
    run.answer, run.final = acted.answer or run.answer, record.final_answer or run.final
    for hook in hooks:
        hook.on_step(record, obs)
    return acted, next_obs
