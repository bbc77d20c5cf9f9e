"""Building environments and models from typed settings (the CLI and the benchmark use these).

Every environment kind, the fakes included, is selectable here, so the whole CLI runs anywhere. Heavy
modules are imported only in the branch that needs them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.envs import Env, FakeEnv
from qwen2vl_agent.model.factory import load_model

EnvKind = Literal["sim", "fake", "android", "desktop"]
ENV_KINDS: tuple[EnvKind, ...] = ("sim", "fake", "android", "desktop")
DEFAULT_ADB_HOST = "127.0.0.1"
DEFAULT_ADB_PORT = 5037

__all__ = ["ENV_KINDS", "EnvKind", "EnvSettings", "load_model", "open_env", "open_env_described"]
# load_model is the model package's (the one parser of ``--model`` specs), offered here beside open_env.


class EnvSettings(BaseModel):
    """Where the agent acts. Options that do not apply to ``kind`` are ignored."""

    model_config = ConfigDict(extra="forbid")

    kind: EnvKind = "sim"
    serial: str | None = None  # android: which device (default: the only one connected)
    adb_host: str = DEFAULT_ADB_HOST
    adb_port: int = Field(DEFAULT_ADB_PORT, ge=1, le=65535)
    seed: int = 0  # sim: the seed of the phone's initial state
    display: str | None = None  # desktop: X display (default: $DISPLAY)
    monitor: int = 1  # desktop: mss monitor index (0 = all monitors)

    @classmethod
    def resolve(
        cls, kind: EnvKind, *, serial: str | None = None, adb_host: str | None = None, adb_port: int | None = None,
        environ: Mapping[str, str] | None = None, **options: Any,
    ) -> EnvSettings:  # fmt: skip
        """Settings as adb resolves them: a given option wins, then ``ANDROID_SERIAL`` and
        ``ANDROID_ADB_SERVER_PORT`` (as adb reads them) and ``ANDROID_ADB_SERVER_HOST`` (as adbutils does);
        android only, since the simulated phone runs its own adb server; then the defaults. ``ValueError``
        names a variable that is not usable, ``pydantic.ValidationError`` an option out of range."""
        environ = os.environ if environ is None else environ
        if kind == "android":
            serial = serial or environ.get("ANDROID_SERIAL") or None
            adb_host = adb_host or environ.get("ANDROID_ADB_SERVER_HOST") or None
            if adb_port is None and environ.get("ANDROID_ADB_SERVER_PORT"):
                adb_port = _port_from_env("ANDROID_ADB_SERVER_PORT", environ["ANDROID_ADB_SERVER_PORT"])
        given = {"serial": serial, "adb_host": adb_host, "adb_port": adb_port}
        return cls(kind=kind, **{k: v for k, v in given.items() if v is not None}, **options)


def _port_from_env(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(f"{name}={value!r} is not a port number (1-65535)")
    return port


@contextlib.contextmanager
def open_env(settings: EnvSettings) -> Iterator[Env]:
    """Yield a ready environment for ``settings``; everything started is stopped on exit."""
    with open_env_described(settings) as (env, _):
        yield env


@contextlib.contextmanager
def open_env_described(settings: EnvSettings) -> Iterator[tuple[Env, dict[str, Any]]]:
    """Like ``open_env``, with a description of what is really used (for ``meta.json``): the simulated
    phone's own adb server and serial, the device an android run picked, the display a desktop run opened;
    no adb fields where no adb is involved."""
    with contextlib.ExitStack() as stack:
        match settings.kind:
            case "fake":
                env: Env = stack.enter_context(FakeEnv())
                used: dict[str, Any] = {"kind": "fake"}
            case "sim":
                from qwen2vl_agent.envs.android import AndroidEnv
                from qwen2vl_agent.envs.sim import SimPhone

                phone = stack.enter_context(SimPhone(seed=settings.seed))
                env = stack.enter_context(AndroidEnv(serial=phone.serial, host=phone.adb_host, port=phone.adb_port))
                used = {"kind": "sim", "seed": settings.seed, **_adb_used(env, phone.adb_host, phone.adb_port)}
            case "android":
                from qwen2vl_agent.envs.android import AndroidEnv

                env = stack.enter_context(
                    AndroidEnv(serial=settings.serial, host=settings.adb_host, port=settings.adb_port)
                )
                used = {"kind": "android", **_adb_used(env, settings.adb_host, settings.adb_port)}
            case "desktop":
                from qwen2vl_agent.envs.desktop import DesktopEnv

                env = stack.enter_context(DesktopEnv(display=settings.display, monitor=settings.monitor))
                used = {"kind": "desktop", "display": getattr(env, "display", None), "monitor": settings.monitor}
        yield env, used


def _adb_used(env: Env, host: str, port: int) -> dict[str, Any]:
    return {"serial": getattr(env, "serial", None), "adb_host": host, "adb_port": port}
