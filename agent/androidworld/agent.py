"""``QwenAgent``: our policy as an AndroidWorld agent (imports ``android_world``; use it inside AndroidWorld).

    from android_world import episode_runner
    from qwen2vl_agent.agent.androidworld import QwenAgent
    from qwen2vl_agent.agent.factory import load_model

    agent = QwenAgent(env, load_model("Qwen/Qwen2-VL-7B-Instruct"))
    episode_runner.run_episode(task.goal, agent, max_n_steps=int(10 * task.complexity))

Each ``step(goal)`` reads the screen after the previous action settled (``get_post_transition_state``),
asks the model once, executes its calls as ``JSONAction``s, and reports ``done`` when the model
terminated or gave its final answer. The prompt, parser and coordinate conventions are the ones
``qwen2vl-agent run`` uses, so the numbers are comparable with our own benchmark.
"""

from __future__ import annotations

from typing import Any

from android_world.agents import base_agent

from qwen2vl_agent.model import Model

from ..policy import PolicyConfig, QwenPolicy
from .env import AndroidWorldEnv, observation_from_state
from .stepper import EpisodeStepper


class QwenAgent(base_agent.EnvironmentInteractingAgent):
    """A Qwen2-VL policy (any ``Model``) acting in an AndroidWorld environment."""

    def __init__(
        self,
        env: Any,
        model: Model,
        *,
        name: str = "qwen2vl-agent",
        config: PolicyConfig | None = None,
        transition_pause: float | None = 1.0,
    ) -> None:
        super().__init__(env, name, transition_pause)
        self.adapter = AndroidWorldEnv(env)
        self.stepper = EpisodeStepper(self.adapter, QwenPolicy(model, self.adapter.action_space, config))

    def reset(self, go_home: bool = False) -> None:
        super().reset(go_home)
        self.stepper.reset()

    def step(self, goal: str) -> base_agent.AgentInteractionResult:
        state = self.get_post_transition_state()
        done, data = self.stepper.step(goal, observation_from_state(state, self.adapter.screen_size()))
        return base_agent.AgentInteractionResult(done, data)
