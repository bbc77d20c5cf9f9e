"""A pool of real devices: two simulated phones presented as real devices (through the real adb server, driven
by the Android env, never rebuilt from a seed) run a benchmark one episode per device at a time."""

from __future__ import annotations

import json

import pytest

from qwen2vl_agent.agent import cli
from qwen2vl_agent.agent.bench.devices import DevicePool, resolve
from qwen2vl_agent.agent.bench.fleet import FleetError
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
    assert pool.phone(0).serial == "emulator-9999"  # not checked until a fault
    pool.discard(0)
    with pytest.raises(FleetError, match="online"):
        pool.phone(0)
