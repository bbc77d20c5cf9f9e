"""``AndroidWorldEnv``: an AndroidWorld environment (``android_world.env.interface.AsyncEnv``) as our ``Env``.

Observations come from AndroidWorld's state (``pixels``, an RGB array of the screen), actions go out as
``JSONAction`` through ``execute_action`` (see ``mapping`` for how each of ours maps). AndroidWorld itself
is imported only when a ``JSONAction`` is first built; tests inject ``make_action`` and a fake env.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qwen2vl_agent.envs import EnvBase, EnvError, Observation, Outcome, ResetOptions, reset_options
from qwen2vl_agent.tools import Action

from .mapping import ACTIONS, to_json_action


def _json_action(**fields: Any) -> Any:
    from android_world.env import json_action  # only when running inside AndroidWorld

    return json_action.JSONAction(**fields)


def observation_from_state(state: Any, screen_size: tuple[int, int] | None = None) -> Observation:
    """Our ``Observation`` of an AndroidWorld ``State`` (its ``pixels`` array is the screenshot)."""
    from PIL import Image

    image = Image.fromarray(state.pixels).convert("RGB")
    return Observation(screenshot=image, screen_size=screen_size or image.size)


class AndroidWorldEnv(EnvBase):
    """Wraps ``aw_env``; ``make_action(**fields)`` builds a ``JSONAction`` (AndroidWorld's, by default)."""

    action_space = ACTIONS

    def __init__(self, aw_env: Any, *, make_action: Callable[..., Any] = _json_action) -> None:
        self.aw_env = aw_env
        self.make_action = make_action
        self._closed = False

    def screen_size(self) -> tuple[int, int] | None:
        size = getattr(self.aw_env, "logical_screen_size", None)
        return tuple(size) if size else None  # type: ignore[return-value]

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """The current screen; the episode's reset (go home, clear state, seeding) is AndroidWorld's own
        business, so ``seed`` is ignored and no options are taken."""
        reset_options(options, {}, "AndroidWorld env")
        return self.observe()

    def observe(self) -> Observation:
        self._check_open()
        return observation_from_state(self.aw_env.get_state(wait_to_stabilize=False), self.screen_size())

    def execute(self, action: Action) -> Outcome:
        self._check_open()
        self.aw_env.execute_action(self.make_action(**to_json_action(action)))
        return Outcome()

    def answer(self, text: str) -> None:
        """Hand the agent's answer to AndroidWorld (its information tasks read ``interaction_cache``)."""
        self._check_open()
        self.aw_env.execute_action(self.make_action(action_type="answer", text=text))

    def close(self) -> None:
        self._closed = True  # the AndroidWorld env belongs to its runner, which closes it

    def _check_open(self) -> None:
        if self._closed:
            raise EnvError("the AndroidWorld environment adapter is closed")
