"""Noticing when an episode goes nowhere: consecutive failures, and the same action on an unchanged screen.

``ProgressTracker.update`` is called once per reply. It returns notes for the model (appended to the
reply's result) and, through ``verdict()``, decides when the episode should end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from qwen2vl_agent.envs import Observation, screen

if TYPE_CHECKING:
    from .acting import Acted
    from .records import Status


class ProgressLimits(Protocol):
    """The limits the tracker reads (``LoopConfig`` has them); progress never imports the loop."""

    @property
    def max_consecutive_errors(self) -> int: ...

    @property
    def repeat_warn(self) -> int: ...

    @property
    def repeat_stop(self) -> int: ...


class ProgressTracker:
    def __init__(self, config: ProgressLimits) -> None:
        self.config = config
        self.failures = 0
        self.repeats = 0
        self._last: tuple[str, tuple[str, ...]] | None = None
        self._verdict: tuple[Status, str] | None = None

    def update(self, before: Observation, after: Observation | None, acted: Acted) -> list[str]:
        notes: list[str] = []
        self.failures = self.failures + 1 if acted.failed else 0
        if self.failures >= self.config.max_consecutive_errors:
            self._verdict = ("model_errors", f"{self.failures} unusable replies or failed actions in a row")
        shown = self._fingerprint(before)
        if acted.executed_keys and after is not None and self._fingerprint(after) == shown:
            key = (shown, tuple(acted.executed_keys))
            self.repeats = self.repeats + 1 if key == self._last else 1
            self._last = key
        else:
            self.repeats, self._last = 0, None
        if self.repeats >= self.config.repeat_warn:
            notes.append(
                f"Note: the screen has not changed after the same action {self.repeats} times in a row; "
                "it has no effect here, so try something different."
            )
        if self.repeats >= self.config.repeat_stop:
            self._verdict = ("stuck", f"the same action had no effect {self.repeats} times in a row")
        return notes

    def _fingerprint(self, obs: Observation) -> str:
        """``screen.of(obs)``: computed once per screenshot and kept on the observation (the screen after
        one step is the one before the next: the same object)."""
        return screen.of(obs)

    def verdict(self) -> tuple[Status, str] | None:
        return self._verdict
