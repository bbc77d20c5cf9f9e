"""``QwenAgent``: our policy as an AndroidWorld agent (imports ``android_world``; use it inside AndroidWorld).

    from android_world import episode_runner
    from qwen2vl_agent.agent.androidworld import QwenAgent
    from qwen2vl_agent.agent.factory import load_model

    agent = QwenAgent(env, load_model("Qwen/Qwen2-VL-7B-Instruct"))
    episode_runner.run_episode(task.goal, agent, max_n_steps=int(10 * task.complexity))

Each ``step(goal)`` reads the screen after the previous action settled (``get_post_transition_state``),
asks the model once, executes its calls (settling between them as AndroidWorld does before a step), and
reports ``done`` when the model terminated or gave its final answer. The prompt, parser and coordinate
conventions are the ones ``qwen2vl-agent run`` uses, so the numbers are comparable with our own benchmark;
the tool section says where AndroidWorld's actions differ (``mapping.TOOL_NOTES``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from android_world.agents import base_agent

from qwen2vl_agent.model import Model

from ..policy import PolicyConfig, QwenPolicy
from .env import AndroidWorldEnv
from .mapping import TOOL_NOTES
from .stepper import EpisodeStepper


class AndroidWorldPolicy(QwenPolicy):
    """``QwenPolicy`` whose tool section describes what AndroidWorld really does."""

    tool_notes = TOOL_NOTES


class QwenAgent(base_agent.EnvironmentInteractingAgent):
    """A Qwen2-VL policy (any ``Model``) acting in an AndroidWorld environment (``env``, replaceable)."""

    def __init__(
        self,
        env: Any,
        model: Model,
        *,
        name: str = "qwen2vl-agent",
        config: PolicyConfig | None = None,
        transition_pause: float | None = 1.0,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        super().__init__(env, name, transition_pause)
        self.sleep = sleep
        self.adapter = AndroidWorldEnv(env, settle=self._settle, sleep=sleep)
        self.stepper = EpisodeStepper(self.adapter, AndroidWorldPolicy(model, self.adapter.action_space, config))

    @property
    def env(self) -> Any:
        return self._env

    @env.setter
    def env(self, env: Any) -> None:  # the base class's setter, keeping the adapter on the same env
        self._env = env
        self.adapter.aw_env = env

    def reset(self, go_home: bool = False) -> None:
        super().reset(go_home)
        self.stepper.reset()

    def step(self, goal: str) -> base_agent.AgentInteractionResult:
        observation = self.adapter.observation_of(self.get_post_transition_state())
        done, data = self.stepper.step(goal, observation)
        return base_agent.AgentInteractionResult(done, data)

    def _settle(self) -> None:
        """Between two calls of one reply, what AndroidWorld does before a step: its transition pause, or
        (``transition_pause=None``) its wait for a stable screen."""
        if self.transition_pause is None:
            self.env.get_state(wait_to_stabilize=True)
        else:
            self.sleep(self.transition_pause)
