"""What a benchmark run is: its typed settings (``BenchConfig``), its selection, and its instances.

Kept apart from the runner so that running one instance (``instance``) and running them all (``runner``)
both import it and not each other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.envs.tasks import Task, select
from qwen2vl_agent.model.openai_config import redact_spec

from ..policy import PolicyConfig
from .policies import PolicyKind

if TYPE_CHECKING:
    from qwen2vl_agent.envs.android import Timeouts


class BenchConfig(BaseModel):
    """One benchmark run. ``out`` is the run directory (results, trajectories, summary)."""

    model_config = ConfigDict(extra="forbid")

    out: Path
    suite: str = "default"
    tasks: tuple[str, ...] = ()  # names or globs narrowing the suite
    combinations: int = Field(1, ge=1, le=10_000)  # instances per template
    seed: int = 0
    parallel: int = Field(1, ge=1, le=64)  # phones running at once
    policy: PolicyKind = "oracle"
    model: str | None = None  # the model spec when policy is "model"
    max_steps_factor: float = Field(1.0, gt=0, le=20)
    screen_size: tuple[int, int] = (1080, 2400)
    density: int = Field(420, ge=80)
    html: bool = True  # rewrite each episode's report.html after every step
    retries: int = Field(2, ge=0, le=10)  # more tries after an infrastructure fault, each on a fresh phone
    device_timeout_s: float = Field(20.0, gt=0, le=600)  # the longest one adb call may take (a hung phone)
    agent: PolicyConfig = Field(default_factory=PolicyConfig)
    # Where episodes run (not part of the identity: a run may be resumed on another executor).
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None  # None: a Ray cluster already set up by RAY_ADDRESS, or a local one
    ray_resource: str = "sim_phone"  # the node resource one episode holds (a simulated phone)
    env: Literal["sim", "android"] = "sim"  # android: the real devices of ``devices`` (local executor)
    devices: str = "all"  # with env android: "all" online devices, or comma-separated serials
    adb_host: str = "127.0.0.1"
    adb_port: int = 5037
    model_overrides: dict[str, Any] = Field(default_factory=dict)

    def identity(self) -> dict[str, Any]:
        """What must not change between a run and its resumption (the rest may)."""
        return {
            "seed": self.seed, "policy": self.policy, "model": self.model and redact_spec(self.model),
            "max_steps_factor": self.max_steps_factor,
            "screen_size": list(self.screen_size), "density": self.density, "agent": self.agent.model_dump(),
            "selection": selection(self.suite, self.tasks, self.combinations),
        }  # fmt: skip

    def timeouts(self) -> Timeouts:
        """The env's adb timeouts, none above ``device_timeout_s``."""
        import dataclasses

        from qwen2vl_agent.envs.android import Timeouts

        return Timeouts(**{f.name: min(f.default, self.device_timeout_s) for f in dataclasses.fields(Timeouts)})


def selection(suite: str, tasks: tuple[str, ...], combinations: int) -> dict[str, Any]:
    """The instances a run covers: the sorted template names ``--tasks`` leaves of the suite, times k."""
    return {"tasks": sorted(cls.name for cls in select(suite, tasks)), "combinations": combinations}


def selection_tag(suite: str, tasks: tuple[str, ...], combinations: int) -> str:
    """A short stable name for a selection narrowed by ``tasks`` or widened by ``combinations`` ("" if not)."""
    if not tasks and combinations == 1:
        return ""
    data = json.dumps(selection(suite, tasks, combinations), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:8]


@dataclass(frozen=True)
class Instance:
    task: type[Task]
    index: int
    seed: int

    @property
    def key(self) -> tuple[str, int]:
        return self.task.name, self.index

    @property
    def dirname(self) -> str:
        return f"{self.task.name}-{self.index}"
