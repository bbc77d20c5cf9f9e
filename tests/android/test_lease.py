"""Device leases: exclusive across processes and across threads of one process, dropped by the kernel when
the holder dies however it dies, and named by adb server and serial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from qwen2vl_agent.envs.android.lease import holder, lease_dir, lease_first, try_lease


@pytest.fixture(autouse=True)
def private_leases(tmp_path, monkeypatch):
    monkeypatch.setenv("QWEN2VL_AGENT_LEASE_DIR", str(tmp_path / "leases"))


HOLD = """
import sys, time
from qwen2vl_agent.envs.android.lease import try_lease
lease = try_lease(sys.argv[1], "127.0.0.1", 5037)
print("held" if lease else "busy", flush=True)
time.sleep(60)
"""


def _holder_process(serial: str) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, serial], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_lease_held_by_another_process_is_refused_until_it_is_killed():
    child = _holder_process("S1")
    try:
        assert try_lease("S1", "127.0.0.1", 5037) is None
        assert holder("S1", "localhost", 5037) == child.pid  # the loopback names are one server
        assert try_lease("S1", "127.0.0.1", 5038) is not None  # another server's S1 is another device
        other = lease_first(["S1", "S2"], "127.0.0.1", 5037)
        assert other is not None and other.serial == "S2"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    deadline = time.monotonic() + 5
    while (lease := try_lease("S1", "127.0.0.1", 5037)) is None:  # the kernel dropped the dead holder's lock
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert holder("S1", "127.0.0.1", 5037) == os.getpid()
    lease.release()


def test_two_leases_in_one_process_exclude_each_other_and_release_frees():
    first = try_lease("emulator-5554", "127.0.0.1", 5037)
    assert first is not None and first.held
    assert try_lease("emulator-5554", "127.0.0.1", 5037) is None
    assert lease_first(["emulator-5554"], "localhost", 5037) is None
    first.release()
    first.release()  # idempotent
    with try_lease("emulator-5554", "127.0.0.1", 5037) as again:
        assert again is not None and again.held
    assert not again.held


def test_serials_with_odd_characters_stay_in_the_lease_dir():
    with try_lease("../10.0.0.5:5555", "10.0.0.2", 5037) as lease:
        assert lease is not None
    assert [p.parent for p in lease_dir().iterdir()] == [lease_dir()]
