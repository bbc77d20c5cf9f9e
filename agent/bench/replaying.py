"""The device a benchmark episode ran on, rebuilt for ``replay``: a simulated phone wrapped as the benchmark
wraps it (``TaskEnv(SimEnv(phone))``), reset with the instance's seed and the task set up from that seed
(``TaskEnv.reset(seed=..., options={"task": ...})``, as ``instance._episode`` does). Another seed gives the
instance the benchmark would have run with it: the phone and the task's parameters both follow the seed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwen2vl_agent.envs import Env


@dataclass(frozen=True)
class BenchSetup:
    """How a benchmark episode's phone was set up, from its ``meta.json`` ``bench`` block."""

    task: str  # the template's name
    seed: int
    screen_size: tuple[int, int] = (1080, 2400)
    density: int = 420

    @classmethod
    def of(cls, bench: dict[str, Any], run_dir: Path) -> BenchSetup:
        """Trajectories written before the block named the task are named ``<task>-<instance>``."""
        name = bench.get("task") or run_dir.name.rsplit("-", 1)[0]
        size = tuple(bench.get("screen_size", (1080, 2400)))
        return cls(name, int(bench["seed"]), (int(size[0]), int(size[1])), int(bench.get("density", 420)))


@contextlib.contextmanager
def bench_env(setup: BenchSetup, seed: int | None = None) -> Iterator[tuple[Env, int, dict[str, Any]]]:
    """A fresh phone as ``setup`` had it: ``(env, seed, reset options)``; the caller resets ``env`` with them
    (the task is set up by that reset). ``ValueError`` for a task this version does not know."""
    from qwen2vl_agent.envs.sim import SimEnv, SimPhone
    from qwen2vl_agent.envs.tasks import TaskDevice, TaskEnv, UnknownTask, get_task

    try:
        cls = get_task(setup.task)
    except UnknownTask as e:
        raise ValueError(str(e)) from None
    seed = setup.seed if seed is None else seed
    with SimPhone(size=setup.screen_size, density=setup.density) as phone:
        device = TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port)
        with TaskEnv(SimEnv(phone, settle=None), device) as env:
            yield env, seed, {"task": cls(cls.params(seed))}
