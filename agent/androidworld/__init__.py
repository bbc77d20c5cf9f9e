"""Running our policy inside real AndroidWorld (github google-research/android_world) on an emulator.

``QwenAgent`` (an ``EnvironmentInteractingAgent``) needs the ``android_world`` package, which is imported
only when ``QwenAgent`` is first used; the action mapping (``to_command``), the ``Env`` adapter and the step
logic import AndroidWorld only to carry an action out, and are tested on a stand-in of its types
(``tests/bench/standin``); ``benchmarks/androidworld_check.py`` runs them against the real package.
``suite.run_suite`` (``qwen2vl-agent androidworld run``) runs one of AndroidWorld's suites with ``QwenAgent``.

One reply is one AndroidWorld step however many calls it holds: the step budget (10 x complexity) counts
replies, not actions.
"""

from __future__ import annotations

from typing import Any

from .env import AndroidWorldEnv, observation_from_state
from .mapping import ACTIONS, TOOL_NOTES, AdbSwipe, Command, Json, Pause, to_command
from .stepper import EpisodeStepper

__all__ = [
    "ACTIONS", "TOOL_NOTES", "AdbSwipe", "AndroidWorldEnv", "Command", "EpisodeStepper", "Json", "Pause", "QwenAgent",
    "observation_from_state", "to_command",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "QwenAgent":
        try:
            from .agent import QwenAgent
        except ModuleNotFoundError as e:
            if e.name is None or not e.name.startswith("android_world"):
                raise
            raise ImportError(
                "QwenAgent runs inside AndroidWorld: install it from github.com/google-research/android_world "
                f"(missing module {e.name})"
            ) from e
        return QwenAgent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
