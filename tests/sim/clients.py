"""Independent clients of the simulated phone for tests: the real ``adb`` with stdin, pure-python-adb, adb-shell."""

from __future__ import annotations

import os
import subprocess

from qwen2vl_agent.envs.sim.transport.adbserver import adb_binary


def adb_in(phone, *args: str, stdin: bytes = b"", timeout: float = 20) -> subprocess.CompletedProcess:
    """The real ``adb`` client with ``stdin`` piped in (bytes out)."""
    cmd = [adb_binary(), "-P", str(phone.adb_port), "-s", phone.serial, *args]
    env = {k: v for k, v in os.environ.items() if k != "ANDROID_SERIAL"}
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, env=env)


def ppadb_device(phone):
    """A pure-python-adb device through the phone's real adb server."""
    from ppadb.client import Client

    return Client(host=phone.adb_host, port=phone.adb_port).device(phone.serial)


def adb_shell_device(phone):
    """An adb-shell device talking to the sim's adbd directly over TCP (no adb server); close it after use."""
    from adb_shell.adb_device import AdbDeviceTcp

    dev = AdbDeviceTcp(phone.host, phone.port, default_transport_timeout_s=5.0)
    dev.connect(rsa_keys=None, auth_timeout_s=0.2)
    return dev
