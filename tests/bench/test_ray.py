"""Benchmark episodes as Ray tasks on a local multi-node cluster (``ray.cluster_utils.Cluster`` on loopback),
each node advertising simulated phones as its ``sim_phone`` resource: the oracle reaches 100% with every
result written exactly once and every trajectory shipped back to the driver; a node removed mid-run still
gives complete results; a driver killed mid-run is resumed by the same command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

from qwen2vl_agent.agent.bench import BenchRunner  # noqa: E402
from qwen2vl_agent.envs.android.lease import try_lease  # noqa: E402
from qwen2vl_agent.envs.sim import SimCluster  # noqa: E402

pytestmark = pytest.mark.timeout(300)

# 6 templates x 2 instances: 12 episodes
TASKS = ("SystemWifi", "SystemBluetooth", "SystemAirplaneMode", "SystemMobileData", "SystemDarkTheme",
         "LauncherOpenApp")  # fmt: skip
EXPECTED = 12
PHONES = {"sim_phone": 2}


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "resources": PHONES})
    cluster.add_node(num_cpus=1, resources=PHONES)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def _config(small_config, **kwargs):
    return small_config(policy="oracle", tasks=TASKS, combinations=2, executor="ray", **kwargs)


def _lines(out: Path) -> list[dict]:
    path = out / "results.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _assert_complete(out: Path, report) -> None:
    assert report.summary.overall.episodes == EXPECTED, [(r.key, r.outcome, r.exception) for r in report.records]
    assert report.summary.overall.success_rate == 1.0
    keys = Counter((line["task"], line["instance"]) for line in _lines(out) if line["outcome"] == "scored")
    assert len(keys) == EXPECTED and set(keys.values()) == {1}, keys  # every result exactly once
    for record in report.records:  # the trajectory came back from the node into the driver's directory
        assert (out / record.trajectory / "steps.jsonl").is_file(), record.trajectory


def test_oracle_episodes_on_two_nodes_all_succeed_once(cluster, small_config):
    config = _config(small_config)
    report = BenchRunner(config).run()
    _assert_complete(config.out, report)
    assert len(_lines(config.out)) == EXPECTED
    assert {r.attempts for r in report.records} == {1}


def test_a_node_removed_mid_run_still_gives_complete_results(cluster, small_config):
    doomed = cluster.add_node(num_cpus=1, resources=PHONES)
    cluster.wait_for_nodes()
    removed = []

    def remove_on_first_result(record, done, total) -> None:
        if not removed:
            removed.append(record.key)
            cluster.remove_node(doomed)

    config = _config(small_config, retries=3)
    report = BenchRunner(config, remove_on_first_result).run()
    assert removed
    _assert_complete(config.out, report)
    retried = [r for r in report.records if r.attempts > 1]
    assert retried, "no episode was running on the removed node"
    lost = [line for line in _lines(config.out) if line["outcome"] == "error"]
    assert lost == []  # a lost attempt is retried, never written


def test_a_killed_driver_is_resumed_by_the_same_command(cluster, small_config, tmp_path):
    config = _config(small_config)
    first = subprocess.Popen(
        _command(cluster, config.out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while not _lines(config.out):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate(timeout=30)
    after_kill = len(_lines(config.out))
    assert 1 <= after_kill < EXPECTED

    report = BenchRunner(config).run()
    assert report.skipped == after_kill and report.ran == EXPECTED - after_kill
    _assert_complete(config.out, report)
    assert len(_lines(config.out)) == EXPECTED


def _phones_free(total: float, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while ray.available_resources().get("sim_phone", 0) < total:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_ctrl_c_on_the_driver_stops_the_cluster_work_and_resume_finishes(cluster, small_config):
    config = _config(small_config)
    total = ray.cluster_resources()["sim_phone"]
    first = subprocess.Popen(_command(cluster, config.out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not _lines(config.out):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGINT)  # as Ctrl-C on its terminal
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130, err.decode()[-2000:]
    written = (config.out / "results.jsonl").read_text()
    keys = Counter((line["task"], line["instance"]) for line in _lines(config.out))
    assert 1 <= len(keys) < EXPECTED and set(keys.values()) == {1}  # every line whole, each result once
    assert _phones_free(total, 30), "a cancelled episode still holds its phone"
    time.sleep(2)
    assert (config.out / "results.jsonl").read_text() == written  # nothing still running writes

    report = BenchRunner(config).run()
    assert report.skipped == len(keys) and report.ran == EXPECTED - len(keys)
    _assert_complete(config.out, report)
    assert len(_lines(config.out)) == EXPECTED


def _command(cluster, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "qwen2vl_agent.agent.cli", "bench", "--tasks", ",".join(TASKS), "-k", "2",
        "--out", str(out), "--screen", "540x1200", "--density", "210", "--no-html", "--executor", "ray",
        "--ray-address", cluster.address, "--quiet",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def phone_nodes(cluster):
    """Two more nodes, each with two "real phones" on its own adb server (simulated phones presented as real
    devices, found through the node's ANDROID_ADB_SERVER_PORT) and the resource ``android: 2``."""
    with SimCluster(2, size=(540, 1200), density=210) as a, SimCluster(2, seed=2, size=(540, 1200), density=210) as b:
        for phones in (a, b):
            cluster.add_node(num_cpus=1, resources={"android": 2},
                             env_vars={"ANDROID_ADB_SERVER_PORT": str(phones.adb_port)})  # fmt: skip
        cluster.wait_for_nodes()
        yield a, b


def _android(small_config, **kwargs):
    # No adb server answers on the driver's port 1: each node uses its own (its ANDROID_ADB_SERVER_PORT).
    return _config(small_config, env="android", adb_port=1, **kwargs)


def test_real_phones_as_a_node_resource_run_every_episode_once(phone_nodes, small_config):
    config = _android(small_config)
    report = BenchRunner(config).run()
    _assert_complete(config.out, report)
    assert {r.attempts for r in report.records} == {1}


def test_a_phone_killed_mid_episode_on_the_cluster_is_retried(phone_nodes, small_config):
    doomed = phone_nodes[0].phones[0]
    killed = []

    def kill_on_first_result(record, done, total) -> None:
        if killed:
            return
        killed.append(doomed.serial)
        deadline = time.monotonic() + 60
        while (probe := try_lease(doomed.serial, "127.0.0.1", phone_nodes[0].adb_port)) is not None:
            probe.release()  # not leased yet: its node is between two episodes
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)  # an episode has begun on it (one lasts seconds)
        doomed.stop()

    config = _android(small_config, retries=3)
    report = BenchRunner(config, kill_on_first_result).run()
    assert killed
    _assert_complete(config.out, report)
    assert len(_lines(config.out)) == EXPECTED  # each result once, no lost attempt written
    assert [r for r in report.records if r.attempts > 1], "the killed phone was running no episode"
