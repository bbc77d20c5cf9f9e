"""What a benchmark run is: its typed settings (``BenchConfig``), its selection, and its instances.

Kept apart from the runner so that running one instance (``instance``) and running them all (``runner``)
both import it and not each other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from qwen2vl_agent.model.spec import ModelSpec, spec_fields, spec_label

from ..policy import PolicyConfig

if TYPE_CHECKING:
    from qwen2vl_agent.envs.android import Timeouts
    from qwen2vl_agent.envs.tasks import Task

PolicyKind = Literal["oracle", "random", "model"]


def _spec(value: Any) -> Any:
    return spec_fields(value) if isinstance(value, str) else value


class BenchConfig(BaseModel):
    """One benchmark run. ``out`` is the run directory (results, trajectories, summary)."""

    model_config = ConfigDict(extra="forbid")

    out: Path
    suite: str = Field("default", description="task suite: default, smoke, easy, medium, hard")
    tasks: tuple[str, ...] = Field((), description="comma-separated task names or globs narrowing the suite")
    combinations: int = Field(1, ge=1, le=10_000, description="instances per task")
    seed: int = Field(0, description="run seed; instance seeds derive from it")
    parallel: int = Field(1, ge=1, le=64, description="phones running at once")
    policy: PolicyKind = "oracle"
    # The model when policy is "model"; a --model string is parsed into its typed spec.
    model: Annotated[ModelSpec | None, BeforeValidator(_spec)] = None
    max_steps_factor: float = Field(1.0, gt=0, le=20, description="step budget = 10 x complexity x this")
    screen_size: tuple[int, int] = Field((1080, 2400), description="phone screen WxH")
    density: int = Field(420, ge=80, description="phone density in dpi")
    html: bool = Field(True, description="rewrite each episode's report.html after every step")
    # Off by default: ffmpeg costs about half a second per episode, which a benchmark pays on every one.
    video: bool = Field(False, description="write each episode's episode.mp4 beside its GIF (needs the video extra)")
    # More tries after an infrastructure fault, each on a fresh phone.
    retries: int = Field(2, ge=0, le=10, description="tries more after an infrastructure fault")
    # The longest one adb call may take (a hung phone).
    device_timeout_s: float = Field(20.0, gt=0, le=600, description="seconds one adb call may take")
    agent: PolicyConfig = Field(default_factory=PolicyConfig)
    # Where episodes run (not part of the identity: a run may be resumed on another executor).
    executor: Literal["local", "ray"] = Field("local", description="where episodes run: local threads or a Ray cluster")
    ray_address: str | None = Field(None, description="Ray cluster address (default: RAY_ADDRESS, else a local one)")
    ray_resource: str | None = Field(
        None, description="the node resource one episode holds (default: sim_phone, or android for real devices)"
    )
    env: Literal["sim", "android"] = Field("sim", description="simulated phones, or real devices on adb")
    devices: str = Field(
        "all", description="with env android: all online devices, or comma-separated serials (on Ray: per node)"
    )
    # On a Ray node, the node's own $ANDROID_ADB_SERVER_HOST / _PORT win (``devices.node_adb``).
    adb_host: str = Field("127.0.0.1", description="with env android: the adb server's host")
    adb_port: int = Field(5037, description="with env android: the adb server's port")

    def identity(self) -> dict[str, Any]:
        """What must not change between a run and its resumption (the rest may)."""
        return {
            "seed": self.seed, "policy": self.policy, "model": self.model and spec_label(self.model),
            "max_steps_factor": self.max_steps_factor,
            "screen_size": list(self.screen_size), "density": self.density, "agent": self.agent.model_dump(),
            "selection": selection(self.suite, self.tasks, self.combinations),
        }  # fmt: skip

    @property
    def resource(self) -> str:
        """The Ray resource one episode holds: one simulated phone, or one real device of the node."""
        return self.ray_resource or ("android" if self.env == "android" else "sim_phone")

    def timeouts(self) -> Timeouts:
        """The env's adb timeouts, none above ``device_timeout_s``."""
        import dataclasses

        from qwen2vl_agent.envs.android import Timeouts

        return Timeouts(**{f.name: min(f.default, self.device_timeout_s) for f in dataclasses.fields(Timeouts)})


def selection(suite: str, tasks: tuple[str, ...], combinations: int) -> dict[str, Any]:
    """The instances a run covers: the sorted template names ``--tasks`` leaves of the suite, times k."""
    from qwen2vl_agent.envs.tasks import select

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
