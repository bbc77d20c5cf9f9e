"""One benchmark instance on one phone: reset, set up, run the agent loop, score, tear down.

The record says how it ended, and who is to blame:

- the episode ended on the agent's terms (success, answered, failure, max_steps, stuck, model_errors): it is
  ``scored``; ``success`` is the checker's verdict if the agent declared the task done, else 0;
- an infrastructure fault (the loop's ``error`` status, or setup / check / connection raising ``EnvError``
  such as ``TaskDeviceError``, an adb error, a socket error, the model server down): ``error``,
  ``error_kind="infrastructure"`` - the runner retries it on a fresh phone;
- any other exception is a bug of ours: ``error``, ``error_kind="internal"``, with the exception and the
  line that raised it. Never a failed episode.

A teardown failure leaves the score standing but is noted (``teardown_error``), so the runner replaces
the phone before using it again.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.envs import EnvError
from qwen2vl_agent.envs.sim import AdbServerError
from qwen2vl_agent.envs.tasks import Task, TaskDevice
from qwen2vl_agent.model import ModelFailed, ModelUnavailable

from ..loop import LoopConfig, run_episode
from ..policy import QwenPolicy
from ..recorder import TrajectoryRecorder
from ..report import record_score
from .results import EpisodeRecord, ErrorKind

if TYPE_CHECKING:
    from .config import BenchConfig, Instance
    from .policies import PolicySource

log = logging.getLogger(__name__)


def run_instance(phone: Any, inst: Instance, source: PolicySource, config: BenchConfig) -> EpisodeRecord:
    """Run one instance on ``phone`` (a started ``SimPhone`` or a ``RealDevice``); never raises, faults become
    error records."""
    cls = inst.task
    max_steps = cls.max_steps(config.max_steps_factor)
    fields: dict[str, Any] = dict(
        task=cls.name, instance=inst.index, seed=inst.seed, goal="", difficulty=cls.difficulty,
        complexity=cls.complexity, max_steps=max_steps, trajectory=f"trajectories/{inst.dirname}",
        policy=source.label, started_at=time.time(),
    )  # fmt: skip
    task: Task | None = None
    device: TaskDevice | None = None
    try:
        task = cls(cls.params(inst.seed))
        fields["goal"] = task.goal
        device = TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port, timeout_s=config.device_timeout_s)
        _episode(phone, task, device, inst, source, config, fields)
    except Exception as e:
        kind = classify(e)
        log.error("%s: %s error: %s", inst.dirname, kind, e, exc_info=kind == "internal")
        fields |= {"outcome": "error", "error_kind": kind, "success": None, "exception": describe(e, kind)}
    if task is not None and device is not None and task.state == "ready":
        fields["teardown_error"] = _teardown(task, device)
    return EpisodeRecord(**fields)


def _episode(
    phone: Any, task: Task, device: TaskDevice, inst: Instance, source: PolicySource, config: BenchConfig,
    fields: dict[str, Any],
) -> None:  # fmt: skip
    """Reset the phone through the env (seeded, with the task set up), run the agent, score it: into the
    record's ``fields`` (kept if the check raises)."""
    from qwen2vl_agent.envs.tasks import TaskEnv

    with TaskEnv(_device_env(phone, config), device) as env:
        first = env.reset(seed=inst.seed, options={"task": task})
        policy = QwenPolicy(source.for_episode(task, device, inst.seed), env.action_space, config.agent)
        meta = {"task": type(task).name, "instance": inst.index, "seed": inst.seed, "difficulty": task.difficulty,
                "policy": source.label, "params": task.values, "screen_size": list(config.screen_size),
                "density": config.density}  # fmt: skip
        # An instance run again (a retry, a resumed run) starts its trajectory afresh.
        recorder = TrajectoryRecorder(
            config.out / fields["trajectory"], {"bench": meta}, html=config.html, replace=True, video=config.video
        )
        loop = LoopConfig(max_steps=fields["max_steps"])
        result = run_episode(env, policy, task.goal, loop, [recorder], first=first)
    fields |= {
        "status": result.status, "reason": result.reason, "answer": result.answer, "steps": result.steps,
        "duration_s": round(result.duration_s, 3), "declared_done": result.declared_done,
        "seconds_per_step": round(result.duration_s / result.steps, 3) if result.steps else 0.0,
    }  # fmt: skip
    if result.status in ("error", "interrupted"):  # a fault, a bug of ours, or a signal: nothing to score
        kind = "internal" if result.error_kind == "internal" else "infrastructure"
        fields |= {"outcome": "error", "error_kind": kind, "exception": result.reason}
        return
    fields["success"] = task.is_successful(device, result.answer) if result.declared_done else 0.0
    record_score(config.out / fields["trajectory"], fields["success"], checked=result.declared_done)


def _device_env(phone: Any, config: BenchConfig) -> Any:
    """The Android env on ``phone``: a real device (``devices.RealDevice``) waits for its screen to settle;
    the simulated phone applies every input before ``input`` returns, so no settle wait is needed."""
    from qwen2vl_agent.envs.android import open_android
    from qwen2vl_agent.envs.sim import SimEnv

    from .devices import RealDevice

    if isinstance(phone, RealDevice):
        return open_android(phone.serial, host=phone.adb_host, port=phone.adb_port, timeouts=config.timeouts())
    return SimEnv(phone, settle=None, timeouts=config.timeouts())


def classify(error: BaseException) -> ErrorKind:
    """``infrastructure`` for faults of devices, adb and model servers; ``internal`` for our own bugs."""
    import adbutils

    faults = (EnvError, AdbServerError, ModelUnavailable, ModelFailed, OSError, adbutils.AdbError)
    return "infrastructure" if isinstance(error, faults) else "internal"


def describe(error: BaseException, kind: ErrorKind) -> str:
    """One line: the exception, and for a bug of ours the file, line and function that raised it."""
    text = traceback.format_exception_only(error)[-1].strip()[:500]
    if kind == "internal" and error.__traceback__ is not None:
        where = traceback.extract_tb(error.__traceback__)[-1]
        text += f" (at {where.filename}:{where.lineno} in {where.name})"
    return text


def _teardown(task: Task, device: TaskDevice) -> str | None:
    try:
        task.teardown(device)
    except Exception as e:  # the score stands; the phone is replaced before the next instance
        log.warning("%s: teardown failed: %s", task.name, e)
        return f"{type(e).__name__}: {e}"[:500]
    return None
