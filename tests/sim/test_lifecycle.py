"""Starting, using and stopping phones leaves no process or port behind; the CLI manages background phones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from qwen2vl_agent.envs.sim import AdbServer, AdbServerError, SimCluster, SimPhone

pytestmark = pytest.mark.timeout(90)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _children() -> set[int]:
    """Our own child processes (from /proc), to see that none is left."""
    me = str(os.getpid())
    out = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z":
                out.add(int(pid))
    return out


def test_three_phones_at_once_leave_nothing_behind():
    before = _children()
    with SimCluster(3, seed=10) as cluster:
        server_pid = cluster.server.pid
        ports = [cluster.adb_port, *(p.port for p in cluster)]
        assert len(set(ports)) == 4 and 5037 not in ports
        devices = cluster.server.devices()
        assert all(devices[p.serial] == "device" for p in cluster)
        for i, phone in enumerate(cluster):
            d = phone.adb_device()
            d.shell(f"settings put global device_name phone{i}")
            assert phone.device.settings.get("global", "device_name") == f"phone{i}"
            assert d.shell("getprop ro.serialno") == phone.serial
        assert cluster[0].device.seed == 10 and cluster[2].device.seed == 12
    assert not any(_listening(p) for p in ports)
    assert _children() == before
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)


def test_phone_with_its_own_server_and_shared_server():
    with SimPhone(seed=1) as a, SimPhone(seed=2, adb_server_port=a.adb_port) as b:
        assert a.adb_port == b.adb_port
        assert set(a.adb_server.devices()) >= {a.serial, b.serial}
        a.device.shell("settings put global wifi_on 0")
        a.reset()
        assert a.adb_device().shell("settings get global wifi_on") == "1"
        ports = (a.port, b.port, a.adb_port)
    assert not any(_listening(p) for p in ports)


def test_cli_start_status_stop(tmp_path):
    env = {**os.environ, "QWEN2VL_AGENT_SIM_STATE": str(tmp_path / "sim.json")}

    def cli(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "qwen2vl_agent.agent.cli", "sim", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)

    assert cli("start", "--devices", "2").returncode == 0
    try:
        res = cli("status")
        assert res.returncode == 0 and res.stdout.count("  device") == 2
        assert cli("start").returncode == 1  # already running
    finally:
        assert cli("stop").returncode == 0
    assert cli("status").returncode == 3
    assert not (tmp_path / "sim.json").exists()


def test_a_server_that_fails_to_start_reports_its_log(tmp_path, monkeypatch):
    fake = tmp_path / "adb"
    fake.write_text("#!/bin/sh\necho 'cannot bind listener: Address already in use' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("QWEN2VL_AGENT_SIM_ADB", str(fake))
    before = _children()
    with pytest.raises(AdbServerError, match="cannot bind listener"):
        AdbServer().start(timeout=5)
    assert _children() == before


def test_a_phone_that_fails_to_start_closes_its_port():
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(ValueError, match="unrealistic display"):
        SimPhone(size=(100, 100), adb=False).start()
    assert set(os.listdir("/proc/self/fd")) == before  # adbd's listening socket is closed, not left to the GC


def test_a_malformed_state_file_counts_as_no_phones(tmp_path):
    state = tmp_path / "sim.json"
    env = {**os.environ, "QWEN2VL_AGENT_SIM_STATE": str(state)}
    for junk in ('{"adb_port": 1}', "[1, 2]", '{"pid": "12"}', "not json"):
        state.write_text(junk)
        for command in ("status", "stop"):
            res = subprocess.run(
                [sys.executable, "-m", "qwen2vl_agent.agent.cli", "sim", command],
                capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            assert "no simulated phones are running" in res.stdout, res.stderr
