"""One agent step at a time, for harnesses that own the loop (AndroidWorld calls ``agent.step(goal)``).

``EpisodeStepper.step(goal, observation)`` does what one turn of ``loop.run_episode`` does - give the
model the new screen, parse its reply, carry the calls out - and says whether the agent is done. The
first step of an episode (or a new goal) starts the conversation; each later step attaches its screen as
the result of the previous reply's last call, exactly as the loop does. An ``Answer`` (or a final reply
without a call) is handed to the environment's ``answer`` so the harness can check it.
"""

from __future__ import annotations

from typing import Any

from qwen2vl_agent.envs import Observation

from ..acting import Acted, act, rejected
from ..policy import QwenPolicy
from ..prompt import exchange_of
from .env import AndroidWorldEnv


class EpisodeStepper:
    """Steps ``policy`` on ``env``; ``reset()`` before each episode."""

    def __init__(self, env: AndroidWorldEnv, policy: QwenPolicy) -> None:
        self.env = env
        self.policy = policy
        self.goal: str | None = None
        self.pending: Acted | None = None
        self.steps = 0

    def reset(self) -> None:
        self.goal, self.pending, self.steps = None, None, 0

    def step(self, goal: str, observation: Observation) -> tuple[bool, dict[str, Any]]:
        """Advance one reply on ``observation``; (done, data for the harness's logs)."""
        if goal != self.goal:
            self.reset()
            self.goal = goal
            self.policy.begin(goal, observation.screenshot)
        elif self.pending is not None:
            pending = self.pending
            self.policy.record_exchange(exchange_of(pending.thought, pending.records, observation.screenshot))
        frame = self.policy.frame(observation.screenshot)
        decision = self.policy.decide()
        self.steps += 1
        data: dict[str, Any] = {"step": self.steps, "raw_response": decision.generation.text}
        if decision.error is not None:
            self.pending = rejected(decision.error)
            data["parse_error"] = str(decision.error)
            return False, data
        assert decision.reply is not None
        if decision.reply.is_final:  # a reply without a call is the agent's final answer
            self.env.answer(decision.reply.thought)
            self.pending = Acted(decision.reply.thought)
            return True, {**data, "answer": decision.reply.thought}
        acted = act(self.env, decision.reply.calls, frame, Acted(decision.reply.thought))
        self.pending = acted
        data["calls"] = [r.model_dump(mode="json") for r in acted.records]
        if acted.answer is not None:
            self.env.answer(acted.answer)
            data["answer"] = acted.answer
        if acted.end is not None:
            data["status"] = acted.end[0]
            return True, data
        return False, data
