"""``qwen2vl-agent doctor`` and ``--version``, through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from qwen2vl_agent.envs.sim import SimPhone


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qwen2vl_agent.agent.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("qwen2vl-agent ")


def test_doctor_sees_the_adb_server_and_its_device() -> None:
    with SimPhone(seed=0) as phone:
        host, port, serial = phone.adb_host, phone.adb_port, phone.serial
        proc = cli("doctor", "--adb-host", host, "--adb-port", str(port))
    assert f"ok   adb server: {host}:{port}, 1 device(s)" in proc.stdout, proc.stdout + proc.stderr
    assert f"ok   ADBKeyBoard on {serial}: installed" in proc.stdout
    assert "free disk:" in proc.stdout and "torch/CUDA:" in proc.stdout


def test_doctor_says_what_to_fix() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = cli("doctor", "--adb-port", "1", env=env)
    assert "warn adb server: nothing listens on 127.0.0.1:1\n     fix: start it with `adb start-server`" in proc.stdout
    assert "warn DISPLAY: not set" in proc.stdout


def test_a_bad_adb_port_variable_is_a_finding_not_a_crash() -> None:
    proc = cli("doctor", env={**os.environ, "ANDROID_ADB_SERVER_PORT": "fifty"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "FAIL adb server: ANDROID_ADB_SERVER_PORT is 'fifty', not a port" in proc.stdout
    assert "free disk:" in proc.stdout  # the other checks still ran


def test_doctor_says_whether_episodes_get_an_mp4(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from qwen2vl_agent.agent import animation
    from qwen2vl_agent.agent.commands import doctor

    installed = importlib.util.find_spec("imageio_ffmpeg") is not None and importlib.util.find_spec("imageio")
    line = "ok   video: imageio-ffmpeg" if installed else "warn video: "
    assert line in cli("doctor", "--adb-port", "1").stdout
    monkeypatch.setattr(animation, "mp4_missing", lambda: "imageio-ffmpeg")
    (check,) = doctor._video()
    assert check.level == "warn" and "no episode.mp4" in check.detail and "[video]" in check.fix
