"""``android_world.agents.base_agent`` as in d9c569f: the result record and the agent base class."""

from __future__ import annotations

import abc
import dataclasses
import time
from typing import Any


@dataclasses.dataclass()
class AgentInteractionResult:
    done: bool
    data: dict[str, Any]


class EnvironmentInteractingAgent(abc.ABC):
    def __init__(self, env: Any, name: str = "", transition_pause: float | None = 1.0) -> None:
        self._env = env
        self._name = name
        if transition_pause is not None and transition_pause < 0:
            raise ValueError(f"transition_pause must be non-negative, got {transition_pause}")
        self._transition_pause = transition_pause
        self._max_steps = None

    @property
    def transition_pause(self) -> float | None:
        return self._transition_pause

    @transition_pause.setter
    def transition_pause(self, transition_pause: float | None) -> None:
        self._transition_pause = transition_pause

    @property
    def env(self) -> Any:
        return self._env

    @env.setter
    def env(self, env: Any) -> None:
        self._env = env

    def set_max_steps(self, max_steps: int) -> None:
        self._max_steps = max_steps

    def reset(self, go_home: bool = False) -> None:
        self.env.reset(go_home=go_home)

    def get_post_transition_state(self) -> Any:
        if self._transition_pause is None:
            return self.env.get_state(wait_to_stabilize=True)
        time.sleep(self._transition_pause)
        return self.env.get_state(wait_to_stabilize=False)

    @abc.abstractmethod
    def step(self, goal: str) -> AgentInteractionResult:
        """One step of the agent on the environment."""

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        self._name = name
