"""``qwen2vl-agent sim start [--devices N] | stop | status | serve``: simulated phones behind a private
real adb server, for agents, demos and benchmarks without a phone.

``start`` launches ``sim serve`` in the background and returns once the phones are online; ``serve``
runs in the foreground until SIGINT/SIGTERM; ``stop`` ends the background one; ``status`` shows it.
A small JSON state file (``--state``; default ``$XDG_RUNTIME_DIR/qwen2vl-agent/sim.json`` or
``~/.cache/qwen2vl-agent/sim.json``) records the server's pid with its start time and command line, the adb
server port and the serials. ``stop`` signals that pid only while the process holding it is still the one
recorded (same start time and command line): a stale file whose pid now belongs to another process is
removed and nothing is signalled. The adb server listens on localhost unless ``--bind all`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qwen2vl_agent.envs.poll import wait_for

from .config import ConfigError, add_flags, flag, to_toml
from .layered import build_config
from .options import add_config_options

START_TIMEOUT_S = 60.0
BIND_HELP = ("where the adb server listens: localhost, or all (every network interface, adb's -a: "
             "anyone who can reach the port controls the phones and this host's adb server)")  # fmt: skip
BIND_WARNING = ("WARNING: the adb server will listen on all network interfaces (--bind all): anyone who can "
                "reach its port can drive the simulated phones and use the adb server on this host")  # fmt: skip


def default_state() -> Path:
    env = os.environ.get("QWEN2VL_AGENT_SIM_STATE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qwen2vl-agent" / "sim.json"


def parse_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` as an argparse type (``bench --screen`` uses it too)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from e
    return w, h


class SimConfig(BaseModel):
    """What ``sim start`` and ``sim serve`` can be told: their flags, or the keys of a ``--config`` file."""

    model_config = ConfigDict(extra="forbid")

    devices: int = Field(1, description="how many phones")
    seed: int = Field(0, description="seed of the first phone; phone i gets seed+i")
    size: tuple[int, int] = Field((1080, 2400), description='screen size WxH (in a file: [W, H] or "WxH")')
    density: int = Field(420, description="screen density in dpi")
    bind: Literal["localhost", "all"] = Field("localhost", description=BIND_HELP)

    @field_validator("size", mode="before")
    @classmethod
    def _size_text(cls, value: Any) -> Any:
        return parse_size(value) if isinstance(value, str) else value


SIM_FLAGS = (
    flag(SimConfig, "devices", names=("--devices", "-n")),
    flag(SimConfig, "seed"),
    flag(SimConfig, "size", type=parse_size, metavar="WxH", default="1080x2400"),
    flag(SimConfig, "density"),
    flag(SimConfig, "bind"),
)


def load_sim_config(args: argparse.Namespace) -> SimConfig:
    """The effective ``SimConfig``: defaults < ``--config FILE`` < the flags given (``ConfigError`` if unusable)."""
    return build_config(SimConfig, args, SIM_FLAGS)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sim", help="start, stop and inspect simulated phones (real adb protocol)", description=__doc__)
    p.add_argument("--state", type=Path, default=None, help="state file (default: see above)")
    actions = p.add_subparsers(dest="sim_action", metavar="ACTION")
    for name, help_ in (("start", "start phones in the background"), ("serve", "run phones in the foreground")):
        a = actions.add_parser(name, help=help_)
        add_flags(a, SIM_FLAGS)
        add_config_options(a)
        a.set_defaults(func=_configured(start if name == "start" else serve))
    actions.add_parser("stop", help="stop the background phones").set_defaults(func=stop)
    actions.add_parser("status", help="show the background phones").set_defaults(func=status)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _configured(command: Callable[[argparse.Namespace, SimConfig], int]) -> Callable[[argparse.Namespace], int]:
    """``command`` given the effective config (``--print-config`` prints it instead; a bad one is exit 2)."""

    def run(args: argparse.Namespace) -> int:
        try:
            config = load_sim_config(args)
        except ConfigError as e:
            print(f"qwen2vl-agent sim: {e}", file=sys.stderr)
            return 2
        if args.print_config:
            print(to_toml(config.model_dump(mode="json")), end="")
            return 0
        return command(args, config)

    return run


def _state_path(args: argparse.Namespace) -> Path:
    return args.state or default_state()


def _read_state(path: Path) -> dict | None:
    """The state file's record, or None when it is missing, unreadable or not ours (treated as stale)."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("pid"), int):
        return None
    return state


def identity(pid: int) -> dict | None:
    """What tells a process apart from a later one with the same pid: its start time (clock ticks since boot,
    field 22 of ``/proc/PID/stat``) and command line. None when it is gone, a zombie, or there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except (OSError, IndexError):
        return None
    if fields[0] in (b"Z", b"X"):
        return None
    return {"pid_start": int(fields[19]), "cmdline": cmdline}


def same_process(state: dict) -> bool:
    """True while the state's pid is still held by the process that wrote it. A record without an identity
    (an older state file) cannot be checked and counts as stale."""
    if not isinstance(state.get("pid_start"), int) or not isinstance(state.get("cmdline"), list):
        return False
    now = identity(int(state["pid"]))
    return now is not None and now == {"pid_start": state["pid_start"], "cmdline": state["cmdline"]}


def _install_handlers(on_signal: Callable[[int, Any], None]) -> dict[int, Any]:
    """SIGINT, SIGTERM and SIGHUP (a closed terminal) all end ``serve`` cleanly; returns the old handlers."""
    return {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}


def serve(args: argparse.Namespace, config: SimConfig) -> int:
    """Run the phones until SIGINT/SIGTERM/SIGHUP, keeping the state file up to date."""
    from qwen2vl_agent.envs import sim

    stopping = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    if config.bind == "all":
        print(BIND_WARNING, file=sys.stderr, flush=True)
    previous = _install_handlers(on_signal)
    try:
        cluster = sim.SimCluster(config.devices, seed=config.seed, size=config.size, density=config.density,
                                 all_interfaces=config.bind == "all")  # fmt: skip
        with cluster:
            _serve_until(cluster, _state_path(args), lambda: stopping, config.bind)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _serve_until(cluster: Any, path: Path, stopping: Callable[[], bool], bind: str) -> None:
    """Write the state file, wait for a signal, and remove the file again if it is still ours."""
    me = identity(os.getpid()) or {}
    state = {"pid": os.getpid(), **me, "adb_host": cluster.adb_host, "adb_port": cluster.adb_port, "bind": bind,
             "serials": [p.serial for p in cluster], "seeds": [p.seed for p in cluster],
             "started": time.time()}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)
    print(_describe(state), flush=True)
    try:
        while not stopping():
            time.sleep(0.2)
    finally:
        if (_read_state(path) or {}).get("pid") == os.getpid():
            path.unlink(missing_ok=True)


def start(args: argparse.Namespace, config: SimConfig) -> int:
    path = _state_path(args)
    old = _read_state(path)
    if old and same_process(old):
        print(f"simulated phones already running (pid {old['pid']}); `qwen2vl-agent sim stop` first", file=sys.stderr)
        return 1
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "qwen2vl_agent.agent.cli", "sim", "--state", str(path), "serve",
           "--devices", str(config.devices), "--seed", str(config.seed), "--size", "x".join(map(str, config.size)),
           "--density", str(config.density), "--bind", config.bind]  # fmt: skip
    log = path.with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip

    def probe() -> dict | bool | None:
        state = _read_state(path)
        if state and state.get("pid") == proc.pid:
            return state
        return False if proc.poll() is not None else None  # False: it exited before it was up

    state = wait_for(probe, START_TIMEOUT_S, 0.1)
    if state:
        print(_describe(state))
        return 0
    if state is False:
        print(f"the simulator exited early (status {proc.returncode}); log: {log}", file=sys.stderr)
        return 1
    proc.terminate()
    print(f"the simulator did not come up within {START_TIMEOUT_S:.0f} s; log: {log}", file=sys.stderr)
    return 1


def stop(args: argparse.Namespace) -> int:
    path = _state_path(args)
    state = _read_state(path)
    target = _Pinned.of(state) if state else None
    if target is None:  # nothing recorded, or the pid is gone or now someone else's: signal nobody
        path.unlink(missing_ok=True)
        print("no simulated phones are running")
        return 0
    with target:
        target.send(signal.SIGTERM)

        def gone() -> bool | None:
            _reap(target.pid)
            return not target.alive() or None

        wait_for(gone, 20, 0.05)
        if target.alive():
            target.send(signal.SIGKILL)
    path.unlink(missing_ok=True)
    print(f"stopped {len(state.get('serials', []))} simulated phone(s)")
    return 0


class _Pinned:
    """The recorded simulator process, pinned so that a signal cannot reach a later holder of its pid: a pidfd
    (Linux >= 5.3) opened before the identity check refers to that very process from then on."""

    def __init__(self, pid: int, fd: int | None) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def of(cls, state: dict) -> _Pinned | None:
        pid = int(state["pid"])
        fd = None
        with contextlib.suppress(AttributeError, OSError):  # no pidfd_open, or the pid is gone
            fd = os.pidfd_open(pid)
        pinned = cls(pid, fd)
        if not same_process(state):
            pinned.close()
            return None
        return pinned

    def send(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            if self.fd is not None:
                signal.pidfd_send_signal(self.fd, sig)
            else:
                os.kill(self.pid, sig)

    def alive(self) -> bool:
        if self.fd is not None:  # a pidfd turns readable when its process exits
            return not select.select([self.fd], [], [], 0)[0]
        return identity(self.pid) is not None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> _Pinned:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reap(pid: int) -> None:
    """Collect the server if it is our own child (``serve`` started in this process's session)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def status(args: argparse.Namespace) -> int:
    from qwen2vl_agent.envs.sim import AdbServer, AdbServerError

    state = _read_state(_state_path(args))
    if not state or not same_process(state):
        print("no simulated phones are running")
        return 3
    try:
        online = AdbServer.attach(int(state["adb_port"]), state["adb_host"]).devices()
    except (OSError, AdbServerError) as e:
        print(f"simulator pid {state['pid']} is running but its adb server does not answer: {e}")
        return 1
    print(_describe(state, online))
    return 0


def _describe(state: dict, online: dict[str, str] | None = None) -> str:
    wide = "  listening on all interfaces" if state.get("bind") == "all" else ""
    lines = [f"adb server: {state['adb_host']}:{state['adb_port']}  (pid {state['pid']}){wide}"]
    for serial, seed in zip(state["serials"], state.get("seeds", [None] * len(state["serials"])), strict=False):
        where = f"  {online.get(serial, 'missing')}" if online is not None else ""
        lines.append(f"  {serial}  seed={seed}{where}")
    lines.append(f"use: qwen2vl-agent adb -P {state['adb_port']} -s {state['serials'][0]} shell   or   "
                 f"ANDROID_ADB_SERVER_PORT={state['adb_port']}")  # fmt: skip
    return "\n".join(lines)
