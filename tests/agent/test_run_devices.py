"""``run --devices all|S1,S2``: a run on a pool of real devices (two simulated phones presented as real
devices behind the real adb server) leases the first device no other run holds, for the whole run; when
every device is in use it exits at once with a setup error naming who holds them; a pool needs --env android."""

from __future__ import annotations

import contextlib
import json

import pytest

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.factory import AndroidEnvSpec, open_env_described
from qwen2vl_agent.envs.android.lease import NoFreeDevice, try_lease
from qwen2vl_agent.envs.sim import SimCluster

pytestmark = pytest.mark.timeout(180)

DONE = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'


@pytest.fixture(scope="module")
def pool():
    with SimCluster(2, size=(540, 1200), density=210) as cluster:
        yield cluster


def _run(tmp_path, pool, *extra: str) -> tuple[int, str]:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([DONE]), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", "t", "--env", "android", "--devices", "all", "--adb-port", str(pool.adb_port),
            "--model", f"scripted:{replies}", "--out", str(out), "--quiet", *extra]  # fmt: skip
    return main(argv), str(out)


def test_concurrent_runs_spread_over_the_pool_and_one_more_is_refused(pool):
    spec = AndroidEnvSpec(devices="all", adb_port=pool.adb_port)
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(open_env_described(spec))[1]["serial"]
        second = stack.enter_context(open_env_described(spec))[1]["serial"]
        assert sorted((first, second)) == sorted(p.serial for p in pool)
        with pytest.raises(NoFreeDevice, match="in use by another run") as refused:
            stack.enter_context(open_env_described(spec))
        assert first in str(refused.value) and "pid" in str(refused.value)
    with open_env_described(spec) as (_, used):  # closing a run gave its device back
        assert used["serial"] == min(first, second)


def test_run_takes_the_device_no_other_run_holds(pool, tmp_path):
    busy = min(p.serial for p in pool)
    with try_lease(busy, "127.0.0.1", pool.adb_port):
        code, out = _run(tmp_path, pool)
    assert code == 0
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["env"]["serial"] == max(p.serial for p in pool) != busy, out


def test_run_on_a_pool_all_in_use_is_a_setup_error(pool, tmp_path, capsys):
    leases = [try_lease(p.serial, "127.0.0.1", pool.adb_port) for p in pool]
    try:
        code, _ = _run(tmp_path, pool)
    finally:
        for lease in leases:
            lease.release()
    assert code == 2
    assert "every device of the pool 'all' is in use" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--env", "sim"], ["--env", "android", "--serial", "emulator-5554"]])
def test_a_pool_needs_env_android_and_no_serial(extra, tmp_path, capsys):
    assert main(["run", "t", "--devices", "all", *extra, "--model", "tiny", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--env android" in err if extra[1] == "sim" else "not both" in err
