"""The benchmark's phones: a dead adb server is restarted once and every phone moves to it; a phone that
fails while starting is started again; stopping the fleet leaves no process behind."""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from qwen2vl_agent.agent.bench.fleet import Fleet, FleetError
from qwen2vl_agent.envs.sim import SimPhone

pytestmark = pytest.mark.timeout(120)

SMALL = ((540, 1200), 210)


def _answers(phone: SimPhone) -> bool:
    return phone.adb_device().shell("echo ok").strip() == "ok"


def test_a_dead_adb_server_is_restarted_once_and_every_phone_moves_to_it():
    with Fleet(2, *SMALL) as fleet:
        first = [fleet.phone(0), fleet.phone(1)]
        assert all(_answers(p) for p in first)
        server = fleet.server
        assert server is not None and server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        replaced = fleet.replace(0)
        assert fleet.generation == 1 and fleet.server is not server
        again = fleet.phone(1)  # registered with the dead server: replaced before use, no second restart
        assert fleet.generation == 1 and again is not first[1]
        assert _answers(replaced) and _answers(again)
        pid = fleet.server.pid
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert fleet.phones == []


def test_a_phone_that_fails_while_starting_is_started_again(monkeypatch):
    start, failures = SimPhone.start, []

    def flaky_start(self: SimPhone) -> SimPhone:
        if not failures:
            failures.append(self)
            self.stop()
            raise AttributeError("'NoneType' object has no attribute 'connect'")  # killed while it registered
        return start(self)

    with Fleet(1, *SMALL) as fleet:
        monkeypatch.setattr(SimPhone, "start", flaky_start)
        phone = fleet.replace(0)
        assert failures and _answers(phone)


def test_a_stopped_fleet_gives_no_phone():
    fleet = Fleet(1, *SMALL).start()
    fleet.stop()
    with pytest.raises(FleetError):
        fleet.replace(0)
    assert fleet.phones == []


def test_a_discarded_phone_is_stopped_now_and_replaced_on_next_use():
    with Fleet(1, *SMALL) as fleet:
        old = fleet.phone(0)
        server = fleet.server
        assert server is not None and server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        fleet.discard(0)  # never fails: the fault that made the phone unusable may have killed the server too
        assert fleet.phones == [] and old.adb_port is None
        new = fleet.phone(0)  # the dead server is noticed and restarted, though this slot holds no phone
        assert new is not old and fleet.generation == 1 and _answers(new)
