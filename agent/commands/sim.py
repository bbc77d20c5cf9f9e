"""``qwen2vl-agent sim start [--devices N] | stop | status | serve``: simulated phones behind a private
real adb server, for agents, demos and benchmarks without a phone.

``start`` launches ``sim serve`` in the background and returns once the phones are online; ``serve``
runs in the foreground until SIGINT/SIGTERM; ``stop`` ends the background one; ``status`` shows it.
A small JSON state file (``--state``; default ``$XDG_RUNTIME_DIR/qwen2vl-agent/sim.json`` or
``~/.cache/qwen2vl-agent/sim.json``) records the server's pid, the adb server port and the serials.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

START_TIMEOUT_S = 60.0


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


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sim", help="start, stop and inspect simulated phones (real adb protocol)", description=__doc__)
    p.add_argument("--state", type=Path, default=None, help="state file (default: see above)")
    actions = p.add_subparsers(dest="sim_action", metavar="ACTION")
    for name, help_ in (("start", "start phones in the background"), ("serve", "run phones in the foreground")):
        a = actions.add_parser(name, help=help_)
        a.add_argument("--devices", "-n", type=int, default=1, help="how many phones")
        a.add_argument("--seed", type=int, default=0, help="seed of the first phone; phone i gets seed+i")
        a.add_argument("--size", type=parse_size, default="1080x2400", help="screen size WxH")
        a.add_argument("--density", type=int, default=420, help="screen density in dpi")
        a.set_defaults(func=start if name == "start" else serve)
    actions.add_parser("stop", help="stop the background phones").set_defaults(func=stop)
    actions.add_parser("status", help="show the background phones").set_defaults(func=status)
    p.set_defaults(func=lambda args: p.print_help() or 2)


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(args: argparse.Namespace) -> int:
    """Run the phones until SIGINT/SIGTERM, keeping the state file up to date."""
    from qwen2vl_agent.envs.sim import SimCluster

    path = _state_path(args)
    stopping = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with SimCluster(args.devices, seed=args.seed, size=args.size, density=args.density) as cluster:
        state = {
            "pid": os.getpid(),
            "adb_host": cluster.adb_host,
            "adb_port": cluster.adb_port,
            "serials": [p.serial for p in cluster],
            "seeds": [p.seed for p in cluster],
            "started": time.time(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(path)
        print(_describe(state), flush=True)
        try:
            while not stopping:
                time.sleep(0.2)
        finally:
            if (_read_state(path) or {}).get("pid") == os.getpid():
                path.unlink(missing_ok=True)
    return 0


def start(args: argparse.Namespace) -> int:
    path = _state_path(args)
    old = _read_state(path)
    if old and _alive(int(old["pid"])):
        print(f"simulated phones already running (pid {old['pid']}); `qwen2vl-agent sim stop` first", file=sys.stderr)
        return 1
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "qwen2vl_agent.agent.cli", "sim", "--state", str(path), "serve",
           "--devices", str(args.devices), "--seed", str(args.seed), "--size", "x".join(map(str, args.size)),
           "--density", str(args.density)]  # fmt: skip
    log = path.with_suffix(".log")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        state = _read_state(path)
        if state and state.get("pid") == proc.pid:
            print(_describe(state))
            return 0
        if proc.poll() is not None:
            print(f"the simulator exited early (status {proc.returncode}); log: {log}", file=sys.stderr)
            return 1
        time.sleep(0.1)
    proc.terminate()
    print(f"the simulator did not come up within {START_TIMEOUT_S:.0f} s; log: {log}", file=sys.stderr)
    return 1


def stop(args: argparse.Namespace) -> int:
    path = _state_path(args)
    state = _read_state(path)
    if not state or not _alive(int(state["pid"])):
        path.unlink(missing_ok=True)
        print("no simulated phones are running")
        return 0
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    print(f"stopped {len(state.get('serials', []))} simulated phone(s)")
    return 0


def _reap(pid: int) -> None:
    """Collect the server if it is our own child (``serve`` started in this process's session)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def status(args: argparse.Namespace) -> int:
    from qwen2vl_agent.envs.sim import AdbServer, AdbServerError

    state = _read_state(_state_path(args))
    if not state or not _alive(int(state["pid"])):
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
    lines = [f"adb server: {state['adb_host']}:{state['adb_port']}  (pid {state['pid']})"]
    for serial, seed in zip(state["serials"], state.get("seeds", [None] * len(state["serials"])), strict=False):
        where = f"  {online.get(serial, 'missing')}" if online is not None else ""
        lines.append(f"  {serial}  seed={seed}{where}")
    lines.append(f"use: qwen2vl-agent adb -P {state['adb_port']} -s {state['serials'][0]} shell   or   "
                 f"ANDROID_ADB_SERVER_PORT={state['adb_port']}")  # fmt: skip
    return "\n".join(lines)
