"""``TaskEnv``: an episode of a benchmark task starts in ``reset``: ``reset(seed=N, options={"task": t})``
resets the wrapped env (a seeded simulated phone, see ``envs.sim.SimEnv``) and sets task ``t`` up on the
phone before the first observation, so the benchmark prepares the phone only through the env."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import Env, Observation, ResetOptions
from ..wrappers import Wrapper
from .device import TaskDevice

if TYPE_CHECKING:
    from .base import Task


class TaskEnv(Wrapper):
    """Wraps an Android env (anything with an ``AndroidDevice`` as ``device``); ``device``: the task's view of
    the phone (default: one on the env's own device)."""

    def __init__(self, env: Env, device: TaskDevice | None = None) -> None:
        super().__init__(env)
        self.device = device or TaskDevice(env.device)  # type: ignore[attr-defined]
        self.task: Task | None = None

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """Reset the wrapped env with ``seed`` and the other options; then, given ``task``, set it up.

        Raises:
            TaskDeviceError: the setup failed on the phone (an infrastructure fault, never scored).
            TaskStateError: the task was set up before (an instance runs once).
        """
        rest = dict(options or {})
        task: Task | None = rest.pop("task", None)
        first = self.env.reset(seed=seed, options=rest)
        if task is None:
            return first
        self.task = task
        task.setup(self.device)
        return self.env.observe()
