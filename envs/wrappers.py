"""``Wrapper``: behaviour around an env's calls, Gymnasium style, instead of flags on the env.

A wrapper is itself an ``Env``: it forwards ``reset``/``observe``/``execute``/``close`` to the env it wraps
and overrides only what it changes; any other attribute (``device``, ``serial``, ``closed``) is read from
the wrapped env, and ``unwrapped`` is the innermost one. Wrappers in this package:

- ``envs.sim.SimEnv``: ``reset(seed=N)`` rebuilds the simulated phone from seed N (the sim's own state).
- ``envs.tasks.TaskEnv``: ``reset(options={"task": t})`` sets task ``t`` up on the phone before the first
  observation (the benchmark's episode start).
- ``DryRun`` (below): executes nothing (``run --dry-run``).
- ``envs.safety.Guarded``: asks a safety policy before each action (allow / confirm / deny).
"""

from __future__ import annotations

from typing import Any

from qwen2vl_agent.tools import Action

from .base import Env, Observation, Outcome, ResetOptions


class Wrapper:
    """Forwards everything to ``env``; subclasses override the calls they change."""

    def __init__(self, env: Env) -> None:
        self.env = env

    @property
    def action_space(self) -> tuple[type, ...]:
        return self.env.action_space

    @property
    def unwrapped(self) -> Env:
        """The innermost env."""
        env = self.env
        return env.unwrapped if isinstance(env, Wrapper) else env

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        return self.env.reset(seed=seed, options=options)

    def observe(self) -> Observation:
        return self.env.observe()

    def execute(self, action: Action) -> Outcome:
        return self.env.execute(action)

    def close(self) -> None:
        self.env.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "env":  # private state stays private (and no recursion in copy/pickle)
            raise AttributeError(name)
        return getattr(self.env, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.env!r})"


DRY_RUN = "Dry run: not executed."


class DryRun(Wrapper):
    """Executes nothing: every action is kept in ``actions`` and answered with ``DRY_RUN`` (``run --dry-run``).
    Observing still reads the device, so the model sees the real, unchanged screen."""

    def __init__(self, env: Env) -> None:
        super().__init__(env)
        self.actions: list[Action] = []

    def execute(self, action: Action) -> Outcome:
        self.actions.append(action)
        return Outcome(message=DRY_RUN, extra={"dry_run": True})
