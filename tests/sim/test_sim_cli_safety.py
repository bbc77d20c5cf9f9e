"""``sim stop`` signals only the simulator it started; ``sim serve`` listens on loopback unless told otherwise."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.commands import sim as sim_cmd
from qwen2vl_agent.envs.sim import AdbServer

pytestmark = pytest.mark.timeout(120)

CLI = [sys.executable, "-m", "qwen2vl_agent.agent.cli", "sim"]


def _cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--state", str(state), *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture
def bystander():
    """An unrelated live process whose pid a stale state file names."""
    proc = subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL)
    yield proc
    proc.kill()
    proc.wait()


def _start_time(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def _no_identity(pid: int) -> dict:
    return {"pid": pid}  # an older state file


def _reused_pid(pid: int) -> dict:
    return {"pid": pid, "pid_start": _start_time(pid) + 1, "cmdline": ["sleep", "60"]}


def _other_command(pid: int) -> dict:
    return {"pid": pid, "pid_start": _start_time(pid), "cmdline": [*CLI, "serve"]}


STALE_STATES = {"no identity": _no_identity, "another start time": _reused_pid, "another command": _other_command}


@pytest.mark.parametrize("make", STALE_STATES.values(), ids=STALE_STATES.keys())
def test_stop_with_a_stale_state_file_spares_an_unrelated_process(tmp_path, bystander, make):
    state = tmp_path / "sim.json"
    record = {"adb_host": "127.0.0.1", "adb_port": 1, "serials": ["127.0.0.1:2"], **make(bystander.pid)}
    state.write_text(json.dumps(record))
    res = _cli(state, "stop")
    assert res.returncode == 0 and "no simulated phones are running" in res.stdout, res.stdout + res.stderr
    assert _cli(state, "status").returncode == 3
    time.sleep(0.2)  # a SIGTERM sent would have landed by now
    assert bystander.poll() is None
    assert not state.exists()


def _listen_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6, hex as the kernel
    writes them)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(addr)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def test_serve_listens_on_loopback_only_and_cleans_up_on_sighup(tmp_path):
    state = tmp_path / "sim.json"
    proc = subprocess.Popen([*CLI, "--state", str(state), "serve", "--devices", "2"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not state.exists() and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.1)
        record = json.loads(state.read_text())
        assert record["pid"] == proc.pid and record["pid_start"] == _start_time(proc.pid)
        ports = [record["adb_port"], *(int(s.rsplit(":", 1)[1]) for s in record["serials"])]
        for port in ports:
            addresses = _listen_addresses(port)
            assert addresses and addresses <= LOOPBACK, (port, addresses)
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(30) == 0
        assert not state.exists()  # a clean stop, not a stale file
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_listening_on_all_interfaces_is_an_explicit_flag_with_a_warning(monkeypatch, capsys):
    assert "-a" not in AdbServer(port=5999).command()
    assert "-a" in AdbServer(port=5999, all_interfaces=True).command()
    seen: list[bool] = []

    class Refused(Exception):
        pass

    def fake_cluster(*args, all_interfaces=False, **kwargs):
        seen.append(all_interfaces)
        raise Refused

    monkeypatch.setattr("qwen2vl_agent.envs.sim.SimCluster", fake_cluster)
    with pytest.raises(Refused):
        main(["sim", "serve"])
    assert seen == [False] and "WARNING" not in capsys.readouterr().err
    with pytest.raises(Refused):
        main(["sim", "serve", "--bind", "all"])
    assert seen == [False, True]
    assert "WARNING" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sim", "serve", "--bind", "0.0.0.0"])  # only the two places adb itself can listen


def test_help_documents_the_bind_flag(capsys):
    with pytest.raises(SystemExit):
        main(["sim", "serve", "--help"])
    out = capsys.readouterr().out
    assert "--bind" in out and "localhost" in out and "all" in out


def test_identity_of_this_process_matches_itself():
    me = sim_cmd.identity(os.getpid())
    assert me is not None and sim_cmd.same_process({"pid": os.getpid(), **me})
    assert not sim_cmd.same_process({"pid": os.getpid(), **me, "pid_start": me["pid_start"] + 1})
