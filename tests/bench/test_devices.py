"""A pool of real devices: two simulated phones presented as real devices (through the real adb server, driven
by the Android env, never rebuilt from a seed) run a benchmark one episode per device at a time."""

from __future__ import annotations

import json
import threading
import time

import pytest

from qwen2vl_agent.agent import cli
from qwen2vl_agent.agent.bench import BenchRunner
from qwen2vl_agent.agent.bench.devices import DevicePool, resolve
from qwen2vl_agent.agent.bench.fleet import FleetError
from qwen2vl_agent.envs.android.lease import try_lease
from qwen2vl_agent.envs.sim import SimCluster, SimPhone

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def two_phones():
    with SimCluster(2, size=(540, 1200), density=210) as cluster:
        yield cluster


def test_bench_runs_on_all_devices_of_the_adb_server(two_phones, tmp_path, monkeypatch):
    def never(self, seed=None):
        raise AssertionError("a real device is never rebuilt from a seed")

    monkeypatch.setattr(SimPhone, "reset", never)
    out = tmp_path / "run"
    code = cli.main([
        "bench", "--env", "android", "--devices", "all", "--adb-port", str(two_phones.adb_port), "--tasks",
        "SystemWifi,SystemBluetooth,LauncherOpenApp", "-k", "2", "--out", str(out), "--no-html", "--quiet",
    ])  # fmt: skip
    assert code == 0
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 6 and all(line["success"] == 1.0 for line in lines)
    assert len({(line["task"], line["instance"]) for line in lines}) == 6


def test_devices_are_named_or_all(two_phones):
    serials = tuple(sorted(p.serial for p in two_phones))
    port = two_phones.adb_port
    assert resolve("all", port=port) == serials
    assert resolve(f"{serials[1]}, {serials[1]}", port=port) == (serials[1],)
    with pytest.raises(ValueError, match="emulator-9999"):
        resolve(f"{serials[0]},emulator-9999", port=port)


def test_a_device_that_stays_offline_takes_its_slot_out_of_service(two_phones):
    pool = DevicePool(("emulator-9999",), port=two_phones.adb_port, wait_s=0.5)
    with pytest.raises(FleetError, match="emulator-9999 was online"):
        pool.phone(0)


def test_a_pool_leases_only_free_devices_and_waits_while_all_are_busy(two_phones):
    first, second = sorted(p.serial for p in two_phones)
    port = two_phones.adb_port
    elsewhere = try_lease(first, "127.0.0.1", port)  # another process's run on the first phone
    assert elsewhere is not None
    pool = DevicePool(None, port=port, wait_s=0.5)
    try:
        assert pool.phone(0).serial == second
        got: list[str] = []
        waiter = threading.Thread(target=lambda: got.append(pool.phone(1).serial))
        waiter.start()
        time.sleep(1.0)  # longer than wait_s: a busy device is waited for, not given up on
        assert got == [] and waiter.is_alive()
        elsewhere.release()
        waiter.join(timeout=10)
        assert got == [first]
        pool.release(0)
        with try_lease(second, "127.0.0.1", port) as again:  # given back after its episode
            assert again is not None
    finally:
        pool.stop()
        elsewhere.release()
    with try_lease(first, "127.0.0.1", port) as again:  # stop gave every lease back
        assert again is not None


def test_stop_ends_a_slot_waiting_for_a_busy_device(two_phones):
    held = [try_lease(p.serial, "127.0.0.1", two_phones.adb_port) for p in two_phones]
    assert None not in held
    pool = DevicePool(None, port=two_phones.adb_port, wait_s=0.5)
    errors: list[BaseException] = []

    def wait() -> None:
        try:
            pool.phone(0)
        except FleetError as e:
            errors.append(e)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.5)
    pool.stop()
    waiter.join(timeout=5)
    assert not waiter.is_alive() and "stopped" in str(errors[0])
    for lease in held:
        lease.release()


def test_a_device_that_disconnects_mid_episode_is_retried_on_the_other(small_config, monkeypatch):
    from qwen2vl_agent.agent.bench import executor, instance

    real_instance, real_episode = executor.run_instance, instance.run_episode
    killed: list[str] = []
    here = threading.local()  # the device of the episode this slot's thread runs

    with SimCluster(2, size=(540, 1200), density=210) as cluster:
        doomed = cluster.phones[0]

        def run_instance(phone, inst, source, config):
            here.serial, here.inst = phone.serial, inst.dirname
            return real_instance(phone, inst, source, config)

        def run_episode(*args, **kwargs):
            if here.serial == doomed.serial and not killed:  # pull the plug once the episode is under way
                killed.append(here.inst)
                doomed.stop()
            return real_episode(*args, **kwargs)

        monkeypatch.setattr(executor, "run_instance", run_instance)
        monkeypatch.setattr(instance, "run_episode", run_episode)
        config = small_config(env="android", adb_port=cluster.adb_port, tasks=("SystemWifi", "LauncherOpenApp"),
                              combinations=3)  # fmt: skip
        report = BenchRunner(config).run()
    assert killed
    lines = [json.loads(line) for line in (config.out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 6 and all(line["outcome"] == "scored" and line["success"] == 1.0 for line in lines)
    assert len({(line["task"], line["instance"]) for line in lines}) == 6
    retried = {f"{r.task}-{r.instance}": r.attempts for r in report.records if r.attempts > 1}
    assert retried == {killed[0]: 2}
