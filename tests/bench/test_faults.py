"""Infrastructure faults during a benchmark are never scored: the adb server killed, a phone frozen, a
phone's transport dropped, a phone stopped - at seeded-random moments, from another thread, while the
oracle runs. Each instance hit is retried on a fresh phone (a dead adb server is restarted first) or
recorded as an ``error``; the success rate counts scored instances only, and resuming re-runs the errors,
so the oracle's 100% comes back with every instance exactly once. Nothing is left running afterwards."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from qwen2vl_agent.agent.bench import BenchRunner
from qwen2vl_agent.envs.sim import SimPhone

pytestmark = pytest.mark.timeout(180)

TASKS = ("System*", "LauncherOpenApp")
EXPECTED = 11  # 10 System* templates + LauncherOpenApp, one instance each
FAULTS = ("kill_adb_server", "freeze_phone", "drop_transport", "stop_phone")


@pytest.fixture
def started_phones(monkeypatch) -> list[SimPhone]:
    """Every phone started during the test, as the fault injector's handle on them."""
    phones: list[SimPhone] = []
    start = SimPhone.start

    def recording_start(self: SimPhone) -> SimPhone:
        phones.append(self)
        return start(self)

    monkeypatch.setattr(SimPhone, "start", recording_start)
    return phones


def _adb_servers() -> set[int]:
    """Pids of live adb servers among this process's descendants."""
    alive = set()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.name() == "adb" and child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
    return alive


def _listening_ports() -> set[int]:
    """TCP ports this process and its descendants listen on."""
    ports = set()
    for proc in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            ports |= {c.laddr.port for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    return ports


def _inject(kind: str, phones: list[SimPhone], rng: random.Random, spare: set[int]) -> bool:
    """One fault, if there is something to hit; ``spare``: adb servers that are not the run's."""
    if kind == "kill_adb_server":
        servers = _adb_servers() - spare
        for pid in servers:
            os.kill(pid, signal.SIGKILL)
        return bool(servers)
    live = [p for p in phones if p.adb_port is not None]
    if not live:
        return False
    phone = rng.choice(live)
    with contextlib.suppress(Exception):  # the runner may be replacing this very phone
        if kind == "freeze_phone":
            phone.freeze()
        elif kind == "drop_transport":
            server = phone.adb_server
            if server is not None:
                server.disconnect(phone.serial)
        else:
            phone.stop()
    return True


@contextlib.contextmanager
def _fault_injector(seed: int, phones: list[SimPhone], count: int, spare: set[int]) -> Iterator[list[str]]:
    """Inject ``count`` faults at seeded-random moments (0.1-0.5 s apart, from the first phone's start) while
    the block runs; the kinds injected are yielded."""
    rng = random.Random(seed)
    injected: list[str] = []
    stop = threading.Event()

    def run() -> None:
        while not phones and not stop.wait(0.01):  # the clock starts with the run's first phone
            pass
        while len(injected) < count and not stop.wait(rng.uniform(0.1, 0.5)):
            kind = rng.choice(FAULTS)
            if _inject(kind, phones, rng, spare):
                injected.append(kind)

    thread = threading.Thread(target=run, name="fault-injector", daemon=True)
    thread.start()
    try:
        yield injected
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.parametrize("seed", [1, 2])
def test_faults_are_never_scored_and_resume_restores_the_full_score(small_config, started_phones, seed):
    servers_before = _adb_servers()
    ports_before = _listening_ports()
    config = small_config(policy="oracle", tasks=TASKS, parallel=2, seed=seed, retries=1, device_timeout_s=2.0)

    with _fault_injector(seed, started_phones, 4, servers_before) as injected:
        first = BenchRunner(config).run()
    assert len(injected) >= 1
    assert any(r.attempts > 1 or r.outcome == "error" for r in first.records)  # the faults did hit episodes
    # a fault is an error or is retried away; it never becomes a failed score
    assert all(r.outcome == "error" or r.success == 1.0 for r in first.records), [
        (r.key, r.outcome, r.status, r.reason, r.exception) for r in first.records
    ]
    assert first.summary.overall.episodes + first.summary.overall.errors == EXPECTED
    if first.summary.overall.episodes:
        assert first.summary.overall.success_rate == 1.0

    second = BenchRunner(config).run()
    assert second.ran == first.summary.overall.errors
    assert second.summary.overall.success_rate == 1.0
    assert second.summary.overall.episodes == EXPECTED and second.summary.overall.errors == 0
    assert sorted(r.key for r in second.records) == sorted({r.key for r in second.records})
    assert len(second.records) == EXPECTED

    assert _adb_servers() - servers_before == set()  # every adb server the runs started is gone
    deadline = time.monotonic() + 10  # adbd listeners close as their phones stop
    while _listening_ports() - ports_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _listening_ports() - ports_before == set()
