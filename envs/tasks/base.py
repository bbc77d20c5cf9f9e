"""The task contract: a seeded goal, a start state put on the phone, and a success check read from it.

A task template is a ``Task`` subclass; an instance holds parameters drawn from a seed. Its life::

    task = SetAlarm.from_seed(1234)      # params(seed) -> SetAlarm(values)
    task.setup(device)                   # the phone in the task's start state (over adb)
    ...the agent works on task.goal...
    task.is_successful(device, answer)   # 0.0 .. 1.0, read from device state (and the agent's answer)
    task.teardown(device)

Calls out of this order raise ``TaskStateError``: checking a task that was never set up, setting it up
twice, or checking it after teardown are bugs in the harness, never a score. ``solution()`` (the oracle's
plan) is available between setup and teardown, since some plans depend on what setup found.

Subclasses set the class attributes and override ``generate`` (draw parameters), ``prepare`` (the start
state), ``check`` (the success check) and ``plan`` (the scripted solution).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from .device import TaskDevice
from .steps import Step

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
State = Literal["new", "ready", "done"]


class TaskStateError(RuntimeError):
    """A task method was called out of order (e.g. ``is_successful`` before ``setup``)."""


class Task:
    """One task template; an instance is one parameterised episode. See the module docstring."""

    name: ClassVar[str] = ""
    template: ClassVar[str] = ""  # goal text: str.format over the instance's values
    complexity: ClassVar[float] = 1.0  # step budget = ceil(10 x complexity)
    difficulty: ClassVar[Difficulty] = "easy"
    apps: ClassVar[tuple[str, ...]] = ()  # launcher names of the apps involved
    packages: ClassVar[tuple[str, ...]] = ()  # their packages (force-stopped at setup)
    start_package: ClassVar[str | None] = None  # the app in front when the agent starts (default: home screen)

    def __init__(self, values: Mapping[str, Any]) -> None:
        if "seed" not in values:
            raise ValueError(f"{self.name}: parameters must include the seed they were drawn from")
        self.values: dict[str, Any] = dict(values)
        self.state: State = "new"
        self.goal = self.template.format(**self.values)

    # ---------------------------------------------------------------- parameters

    @classmethod
    def params(cls, seed: int) -> dict[str, Any]:
        """Parameters drawn deterministically from ``seed`` (which is stored under ``seed``)."""
        values = cls.generate(random.Random(f"{cls.name}:{seed}"))
        return {**values, "seed": seed}

    @classmethod
    def from_seed(cls, seed: int) -> Task:
        return cls(cls.params(seed))

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        """Draw this template's parameters (override)."""
        return {}

    @classmethod
    def max_steps(cls, factor: float = 1.0) -> int:
        """The step budget: 10 x complexity (times ``factor``), at least 1."""
        return max(1, math.ceil(10 * cls.complexity * factor - 1e-9))

    @property
    def seed(self) -> int:
        return int(self.values["seed"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed}, state={self.state!r})"

    # ---------------------------------------------------------------- lifecycle

    def setup(self, device: TaskDevice) -> None:
        """Put the phone in the task's start state: apps stopped, home screen, ``prepare``, start app."""
        self._require("new", "setup", "a task instance is set up once; make a new instance for another run")
        for package in self.packages:
            device.force_stop(package)
        device.home()
        self.prepare(device)
        if self.start_package:
            device.launch(self.start_package)
        self.state = "ready"

    def is_successful(self, device: TaskDevice, answer: str | None = None) -> float:
        """How far the goal is met, 0.0 to 1.0, from device state (and ``answer`` for questions)."""
        self._require("ready", "is_successful", "call setup() first; a torn-down task cannot be checked")
        score = float(self.check(device, answer))
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"{self.name}: check() returned {score}, outside 0..1")
        return score

    def solution(self) -> list[Step]:
        """The scripted solution for this instance (after setup, which may have read state it needs)."""
        self._require("ready", "solution", "call setup() first")
        return list(self.plan())

    def teardown(self, device: TaskDevice) -> None:
        self._require("ready", "teardown", "call setup() first, and tear down only once")
        try:
            self.cleanup(device)
            device.home()
        finally:
            self.state = "done"

    def _require(self, state: State, method: str, hint: str) -> None:
        if self.state != state:
            raise TaskStateError(f"{self.name}.{method}() called in state {self.state!r} (needs {state!r}): {hint}")

    # ---------------------------------------------------------------- to override

    def prepare(self, device: TaskDevice) -> None:
        """Write the start state (settings, databases, files)."""

    def check(self, device: TaskDevice, answer: str | None) -> float | bool:
        raise NotImplementedError

    def plan(self) -> list[Step]:
        raise NotImplementedError

    def cleanup(self, device: TaskDevice) -> None:
        """Undo what ``prepare`` left behind that a reset would not (nothing, by default)."""
