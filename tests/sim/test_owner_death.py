"""The private adb server dies with the process that started it, however that process ends (even SIGKILL).

Each case starts a real owner (``sim serve``, ``run --env sim`` with a scripted model that keeps going,
``bench``) as a subprocess, waits until its adb server listens, signals the owner, and then expects every
process below the owner to be gone and the adb port closed, within a generous deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qwen2vl_agent.envs.sim import AdbServer

pytestmark = pytest.mark.timeout(180)

DEADLINE_S = 60.0


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live, non-zombie process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (int(fields[1]), int(fields[19]))


def _descendants(root: int) -> dict[int, int]:
    """pid -> start time of every live process below ``root``."""
    parents = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p)))}
    found: dict[int, int] = {}
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        for child, (ppid, start) in parents.items():
            if ppid == pid and child not in found:
                found[child] = start
                frontier.append(child)
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode() for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _adb_server_of(owner: subprocess.Popen) -> tuple[dict[int, int], int]:
    """Wait until the owner's adb server answers; its processes and port."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert owner.poll() is None, f"the owner exited early: {owner.returncode}"
        procs = _descendants(owner.pid)
        for pid in procs:
            argv = _cmdline(pid)
            if "nodaemon" in argv and "-P" in argv:
                port = int(argv[argv.index("-P") + 1])
                if _listening(port):
                    return procs, port
        time.sleep(0.1)
    raise AssertionError("the owner's adb server did not come up")


def _assert_all_gone(procs: dict[int, int], port: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        alive = {pid for pid, start in procs.items() if (s := _stat(pid)) and s[1] == start}
        if not alive and not _listening(port):
            return
        time.sleep(0.1)
    raise AssertionError(f"left behind: {[(p, _cmdline(p)) for p in alive]}; port {port} open: {_listening(port)}")


def _owner_argv(kind: str, tmp_path: Path) -> list[str]:
    cli = [sys.executable, "-m", "qwen2vl_agent.agent.cli"]
    if kind == "serve":
        return [*cli, "sim", "--state", str(tmp_path / "sim.json"), "serve"]
    if kind == "run":
        replies = tmp_path / "replies.json"
        replies.write_text(json.dumps(['✿FUNCTION✿: Wait\n✿ARGS✿: {"seconds": 0.2}'] * 5000), encoding="utf-8")
        return [*cli, "run", "wait forever", "--env", "sim", "--model", f"scripted:{replies}", "--max-steps",
                "5000", "--quiet", "--out", str(tmp_path / "run")]  # fmt: skip
    return [*cli, "bench", "--suite", "smoke", "--policy", "random", "-k", "50", "--quiet", "--no-html",
            "--out", str(tmp_path / "bench")]  # fmt: skip


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=["KILL", "TERM", "HUP"])
@pytest.mark.parametrize("kind", ["serve", "run", "bench"])
def test_the_adb_server_dies_with_its_owner(tmp_path, kind, sig):
    owner = subprocess.Popen(_owner_argv(kind, tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    procs: dict[int, int] = {}
    try:
        procs, port = _adb_server_of(owner)
        owner.send_signal(sig)
        owner.wait(DEADLINE_S)
        _assert_all_gone(procs, port)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        _kill_left(procs)


def _kill_left(procs: dict[int, int]) -> None:
    """Whatever a failing case left behind (the very processes seen, not a reused pid)."""
    for pid, start in procs.items():
        if (s := _stat(pid)) and s[1] == start:
            os.kill(pid, signal.SIGKILL)


def test_a_server_started_from_a_thread_that_ends_keeps_running():
    """The parent-death signal follows the thread that forked: the server must not die with that thread."""
    box: list[AdbServer] = []
    t = threading.Thread(target=lambda: box.append(AdbServer().start()))
    t.start()
    t.join()
    server = box[0]
    try:
        time.sleep(0.5)  # a server tied to the ended thread would be killed about now
        assert server.request("host:version")
        assert server._proc is not None and server._proc.poll() is None
    finally:
        server.stop()
    assert not _listening(server.port)
