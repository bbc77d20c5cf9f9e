"""One agent step at a time, for harnesses that own the loop (AndroidWorld calls ``agent.step(goal)``).

``EpisodeStepper.step(goal, observation)`` does what one turn of ``loop.run_episode`` does - give the
model the new screen, parse its reply, carry the calls out - and says whether the agent is done. The
first step of an episode (or a new goal) starts the conversation; each later step attaches its screen as
the result of the previous reply's last call, exactly as the loop does, with the loop's own step functions
(``agent.step``: the same records, no-progress notes and stuck detection). An ``Answer`` is handed to the
environment's ``answer`` so the harness can check it; a final reply without a call is the answer only when
the episode has had no ``Answer`` (as in the loop), so a closing sentence never replaces the answer given.
"""

from __future__ import annotations

from typing import Any

from qwen2vl_agent.envs import Observation

from ..acting import Acted
from ..loop import LoopConfig
from ..policy import QwenPolicy
from ..progress import ProgressTracker
from ..records import Step
from ..step import conclude, new_step, take_turn
from .env import AndroidWorldEnv


class EpisodeStepper:
    """Steps ``policy`` on ``env`` with the loop's own step (``agent.step``); ``reset()`` before each episode."""

    def __init__(self, env: AndroidWorldEnv, policy: QwenPolicy, config: LoopConfig | None = None) -> None:
        self.env = env
        self.policy = policy
        self.config = config or LoopConfig()
        self.goal: str | None = None
        self.pending: tuple[Step, Acted, Observation] | None = None
        self.tracker = ProgressTracker(self.config)
        self.steps = 0
        self.answer: str | None = None  # the answer handed to the env this episode

    def reset(self) -> None:
        self.goal, self.pending, self.steps, self.answer = None, None, 0, None
        self.tracker = ProgressTracker(self.config)

    def step(self, goal: str, observation: Observation) -> tuple[bool, dict[str, Any]]:
        """Advance one reply on ``observation``; (done, data for the harness's logs)."""
        if goal != self.goal:
            self.reset()
            self.goal = goal
            self.policy.begin(goal, observation.screenshot)
        elif self.pending is not None:  # the screen after the last step: conclude it as the loop does
            record, acted, before = self.pending
            conclude(self.policy, self.tracker, record, acted, before, observation)
            verdict = self.tracker.verdict()
            if verdict is not None:
                return True, {"step": self.steps, "status": verdict[0], "reason": verdict[1]}
        frame = self.policy.frame(observation.screenshot)
        record = new_step(self.steps, observation, frame)
        acted = take_turn(self.env, self.policy, frame, record)
        self.steps += 1
        self.pending = (record, acted, observation)
        return self._report(record, acted)

    def _report(self, record: Step, acted: Acted) -> tuple[bool, dict[str, Any]]:
        data: dict[str, Any] = {"step": self.steps, "raw_response": record.raw_text}
        if record.parse_error is not None:
            data["parse_error"] = record.parse_error
            return False, data
        if record.final_answer is not None:  # a reply without a call ends the episode; its text answers
            if self.answer is None:  # only if no Answer came before
                self._hand_over(record.final_answer)
            return True, {**data, "answer": self.answer}
        data["calls"] = [c.model_dump(mode="json") for c in record.calls]
        if acted.answer is not None:
            self._hand_over(acted.answer)
            data["answer"] = acted.answer
        if acted.end is not None:
            data["status"] = acted.end[0]
            return True, data
        return False, data

    def _hand_over(self, answer: str) -> None:
        self.env.answer(answer)
        self.answer = answer
