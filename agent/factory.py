"""Building environments and models from typed settings (the CLI and the benchmark use these).

Every environment kind, the fakes included, is selectable here, so the whole CLI runs anywhere. Heavy
modules are imported only in the branch that needs them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from typing_extensions import assert_never

from qwen2vl_agent.envs import Env, FakeEnv
from qwen2vl_agent.envs.android import AndroidConfig
from qwen2vl_agent.model.factory import load_model

EnvKind = Literal["sim", "fake", "android", "desktop"]
ENV_KINDS: tuple[EnvKind, ...] = ("sim", "fake", "android", "desktop")
DEFAULT_ADB_HOST = "127.0.0.1"
DEFAULT_ADB_PORT = 5037

__all__ = [
    "ENV_KINDS", "AndroidEnvSpec", "DesktopEnvSpec", "EnvKind", "EnvSpec", "FakeEnvSpec", "SimEnvSpec", "load_model",
    "open_env", "open_env_described", "resolve_env",
]  # fmt: skip
# load_model is the model package's (the one parser of ``--model`` specs), offered here beside open_env.


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FakeEnvSpec(_Spec):
    """The scripted in-memory screen (``envs.FakeEnv``): no device at all."""

    kind: Literal["fake"] = "fake"


class SimEnvSpec(_Spec):
    """The built-in simulated phone, behind its own adb server, driven like a real phone."""

    kind: Literal["sim"] = "sim"
    seed: int = Field(0, description="sim: seed of the phone's initial state")
    android: AndroidConfig = Field(default_factory=AndroidConfig)


class AndroidEnvSpec(_Spec):
    """A phone or emulator over adb."""

    kind: Literal["android"] = "android"
    serial: str | None = Field(
        None, description="android: device serial (default: $ANDROID_SERIAL, else the only device)"
    )
    # A pool instead of one serial: the run leases its first free device (``envs.android.lease``) and holds
    # it to the end, so concurrent runs on one pool spread over its devices; none free is an error at once.
    devices: str | None = Field(
        None, description="android: a pool, all or SERIAL,SERIAL: the first device no other run holds (none: exit 2)"
    )
    adb_host: str = Field(
        DEFAULT_ADB_HOST, description="android: adb server host (default: $ANDROID_ADB_SERVER_HOST or 127.0.0.1)"
    )
    adb_port: int = Field(
        DEFAULT_ADB_PORT,
        ge=1,
        le=65535,
        description="android: adb server port (default: $ANDROID_ADB_SERVER_PORT or 5037)",
    )
    android: AndroidConfig = Field(default_factory=AndroidConfig)

    @model_validator(mode="after")
    def _one_way_to_the_device(self) -> AndroidEnvSpec:
        if self.serial is not None and self.devices is not None:
            raise ValueError("give --serial or --devices, not both")
        return self


class DesktopEnvSpec(_Spec):
    """This machine's X display, driven by pyautogui and captured by mss."""

    kind: Literal["desktop"] = "desktop"
    display: str | None = Field(None, description="desktop: X display (default: $DISPLAY)")
    monitor: int = Field(1, description="desktop: monitor index (0: all monitors)")


EnvSpec = Annotated[Union[SimEnvSpec, FakeEnvSpec, AndroidEnvSpec, DesktopEnvSpec], Field(discriminator="kind")]
ENV_SPECS: tuple[type[BaseModel], ...] = (SimEnvSpec, FakeEnvSpec, AndroidEnvSpec, DesktopEnvSpec)


def resolve_env(spec: EnvSpec, environ: Mapping[str, str] | None = None) -> EnvSpec:
    """``spec`` as adb resolves it: a field set (by a flag or a config file) wins, then ``ANDROID_SERIAL`` and
    ``ANDROID_ADB_SERVER_PORT`` (as adb reads them) and ``ANDROID_ADB_SERVER_HOST`` (as adbutils does);
    android only, since the simulated phone runs its own adb server; then the defaults. ``ValueError``
    names a variable that is not usable."""
    if not isinstance(spec, AndroidEnvSpec):
        return spec
    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    if environ.get("ANDROID_SERIAL") and spec.devices is None:  # a pool names its own devices
        found["serial"] = environ["ANDROID_SERIAL"]
    if environ.get("ANDROID_ADB_SERVER_HOST"):
        found["adb_host"] = environ["ANDROID_ADB_SERVER_HOST"]
    if environ.get("ANDROID_ADB_SERVER_PORT"):
        found["adb_port"] = _port_from_env("ANDROID_ADB_SERVER_PORT", environ["ANDROID_ADB_SERVER_PORT"])
    unset = {k: v for k, v in found.items() if k not in spec.model_fields_set}
    return spec.model_copy(update=unset) if unset else spec


def _port_from_env(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(f"{name}={value!r} is not a port number (1-65535)")
    return port


def replay_env_spec(kind: str, *, serial: str | None = None, seed: int = 0) -> EnvSpec:
    """The env spec of ``kind`` for re-running a recording: the simulated phone rebuilt from ``seed``, an
    android device by ``serial`` (then as adb resolves it); ``ValueError`` for an unknown kind."""
    fields: dict[str, Any] = {"seed": seed} if kind == "sim" else {"serial": serial} if kind == "android" else {}
    try:
        return resolve_env(TypeAdapter(EnvSpec).validate_python({"kind": kind, **fields}))
    except ValidationError as e:
        raise ValueError(f"cannot replay on env {kind!r}: {e.errors()[0]['msg']}") from None


@contextlib.contextmanager
def open_env(settings: EnvSpec) -> Iterator[Env]:
    """Yield a ready environment for ``settings``; everything started is stopped on exit."""
    with open_env_described(settings) as (env, _):
        yield env


@contextlib.contextmanager
def open_env_described(settings: EnvSpec) -> Iterator[tuple[Env, dict[str, Any]]]:
    """Like ``open_env``, with a description of what is really used (for ``meta.json``): the simulated
    phone's own adb server and serial, the device an android run picked, the display a desktop run opened;
    no adb fields where no adb is involved."""
    with contextlib.ExitStack() as stack:
        match settings:
            case FakeEnvSpec():
                env: Env = stack.enter_context(FakeEnv())
                used: dict[str, Any] = {"kind": "fake"}
            case SimEnvSpec():
                from qwen2vl_agent.envs.android import open_android
                from qwen2vl_agent.envs.sim import SimPhone

                phone = stack.enter_context(SimPhone(seed=settings.seed))
                env = stack.enter_context(
                    open_android(phone.serial, host=phone.adb_host, port=phone.adb_port, config=settings.android)
                )
                used = {"kind": "sim", "seed": settings.seed, **_adb_used(env, phone.adb_host, phone.adb_port)}
            case AndroidEnvSpec():
                env = _android_env(settings, stack)
                used = {"kind": "android", **_adb_used(env, settings.adb_host, settings.adb_port)}
            case DesktopEnvSpec():
                from qwen2vl_agent.envs.desktop import DesktopEnv

                env = stack.enter_context(DesktopEnv(display=settings.display, monitor=settings.monitor))
                used = {"kind": "desktop", "display": getattr(env, "display", None), "monitor": settings.monitor}
            case _:
                assert_never(settings)
        yield env, used


def _android_env(settings: AndroidEnvSpec, stack: contextlib.ExitStack) -> Env:
    """The device of ``settings`` (from a pool: leased, the lease held until ``stack`` closes)."""
    from qwen2vl_agent.envs.android import open_android
    from qwen2vl_agent.envs.android.lease import lease_free

    serial, host, port = settings.serial, settings.adb_host, settings.adb_port
    if settings.devices is not None:
        serial = stack.enter_context(lease_free(settings.devices, host, port)).serial
    return stack.enter_context(open_android(serial, host=host, port=port, config=settings.android))


def _adb_used(env: Env, host: str, port: int) -> dict[str, Any]:
    return {"serial": getattr(env, "serial", None), "adb_host": host, "adb_port": port}
