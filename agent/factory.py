"""Building environments and models from typed settings (the CLI and the benchmark use these).

Every environment kind, the fakes included, is selectable here, so the whole CLI runs anywhere. Heavy
modules are imported only in the branch that needs them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from qwen2vl_agent.envs import Env, FakeEnv
from qwen2vl_agent.model import Model, ScriptedModel

EnvKind = Literal["sim", "fake", "android", "desktop"]
ENV_KINDS: tuple[EnvKind, ...] = ("sim", "fake", "android", "desktop")


class EnvSettings(BaseModel):
    """Where the agent acts. Options that do not apply to ``kind`` are ignored."""

    model_config = ConfigDict(extra="forbid")

    kind: EnvKind = "sim"
    serial: str | None = None  # android: which device (default: the only one connected)
    adb_host: str = "127.0.0.1"
    adb_port: int = 5037
    seed: int = 0  # sim: the seed of the phone's initial state
    display: str | None = None  # desktop: X display (default: $DISPLAY)
    monitor: int = 1  # desktop: mss monitor index (0 = all monitors)


@contextlib.contextmanager
def open_env(settings: EnvSettings) -> Iterator[Env]:
    """Yield a ready environment for ``settings``; everything started is stopped on exit."""
    with contextlib.ExitStack() as stack:
        match settings.kind:
            case "fake":
                env: Env = stack.enter_context(FakeEnv())
            case "sim":
                from qwen2vl_agent.envs.android import AndroidEnv
                from qwen2vl_agent.envs.sim import SimPhone

                phone = stack.enter_context(SimPhone(seed=settings.seed))
                env = stack.enter_context(AndroidEnv(serial=phone.serial, host=phone.adb_host, port=phone.adb_port))
            case "android":
                from qwen2vl_agent.envs.android import AndroidEnv

                env = stack.enter_context(
                    AndroidEnv(serial=settings.serial, host=settings.adb_host, port=settings.adb_port)
                )
            case "desktop":
                from qwen2vl_agent.envs.desktop import DesktopEnv

                env = stack.enter_context(DesktopEnv(display=settings.display, monitor=settings.monitor))
        yield env


def load_model(spec: str, **overrides: Any) -> Model:
    """A model from a spec: ``scripted:FILE``, ``tiny``, ``openai:URL[#MODEL]``, a directory or a hub id."""
    if spec.startswith("scripted:"):
        return ScriptedModel.from_file(spec.removeprefix("scripted:"))
    from qwen2vl_agent.model.factory import load_model as load

    return load(spec, **overrides)
