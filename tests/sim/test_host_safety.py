"""Nothing the simulated phone does reaches the host: the device's file system is the only one it sees.

Each hostile command runs against a host directory holding a planted secret (a text file and a real SQLite
database); the secret must not come back and no host file may appear or change.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from qwen2vl_agent.envs.sim import db as simdb

SECRET = "s3cr3t-host-only"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A host directory with a secret text file and a secret SQLite database in it."""
    (tmp_path / "secret.txt").write_text(SECRET)
    with sqlite3.connect(tmp_path / "secret.db") as conn:
        conn.execute("CREATE TABLE s (v TEXT)")
        conn.execute("INSERT INTO s VALUES (?)", (SECRET,))
    conn.close()
    return tmp_path


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


def test_the_attach_payload_over_adb_creates_no_host_file(adb, host):
    target = host / "anything.db"
    sql = f"ATTACH DATABASE '{target}' AS h; CREATE TABLE h.t(a)"
    res = adb("shell", f'sqlite3 /data/local/tmp/x.db "{sql}"')
    assert "not authorized" in res.stdout + res.stderr
    assert not target.exists()


HOSTILE_SQL = [
    "ATTACH DATABASE '{host}/anything.db' AS h; CREATE TABLE h.t(a)",
    "ATTACH 'file:{host}/uri.db?mode=rwc' AS h",
    "ATTACH '{host}/secret.db' AS h; SELECT v FROM h.s",
    "CREATE TABLE t(a); VACUUM INTO '{host}/copy.db'",
    "SELECT load_extension('{host}/evil.so')",
    "SELECT fts3_tokenizer('simple')",
    "PRAGMA temp_store_directory = '{host}'",
    "PRAGMA temp_store = FILE",
    "DETACH DATABASE main",
    ".open {host}/secret.db\nSELECT v FROM s;",
    ".output {host}/out.txt\nSELECT 1;",
    ".once {host}/once.txt\nSELECT 1;",
    ".read {host}/secret.txt",
    ".import {host}/secret.txt t",
    ".backup {host}/backup.db",
    ".save {host}/save.db",
    ".restore {host}/secret.db",
    ".shell touch {host}/shell.txt",
    ".system touch {host}/system.txt",
    ".load {host}/evil.so",
]


@pytest.mark.parametrize("sql", HOSTILE_SQL)
def test_hostile_sqlite_is_refused_and_leaves_the_host_alone(device, host, sql):
    before = _snapshot(host)
    device.fs.write("/data/local/tmp/q.sql", sql.format(host=host), parents=True)
    res = device.shell("sqlite3 /data/local/tmp/x.db < /data/local/tmp/q.sql")
    assert res.status != 0, res.text
    assert SECRET not in res.text
    assert _snapshot(host) == before


HOSTILE_SHELL = [
    "cat {host}/secret.txt",
    "cat ../../../../../../..{host}/secret.txt",
    "cd /data/local/tmp && cat ../../../../..{host}/secret.txt",
    "grep -r s3cr3t {host}",
    "head {host}/secret.txt",
    "cat < {host}/secret.txt",
    "echo pwned > {host}/new.txt",
    "echo pwned >> {host}/secret.txt",
    "cp {host}/secret.txt /sdcard/leak.txt; cat /sdcard/leak.txt",
    "cp /system/build.prop {host}/copied.txt",
    "mv /sdcard/Notes {host}/moved",
    "rm -rf {host}/secret.txt",
    "mkdir -p {host}/made",
    "touch {host}/touched",
    "screencap -p {host}/shot.png",
    "uiautomator dump {host}/dump.xml",
    "sqlite3 {host}/secret.db 'SELECT v FROM s'",
    "sqlite3 {host}/created.db 'CREATE TABLE t(a)'",
    "sh -c 'cat {host}/secret.txt; echo x > {host}/sh.txt'",
    "ls -R {host}",
    "screenrecord {host}/rec.mp4",
    "run-as com.android.settings cat {host}/secret.txt",
    "ln -s {host}/secret.txt /sdcard/link; cat /sdcard/link",
]


@pytest.mark.parametrize("cmd", HOSTILE_SHELL)
def test_hostile_shell_commands_see_only_the_device(device, host, cmd):
    before = _snapshot(host)
    res = device.shell(cmd.format(host=host))
    assert SECRET not in res.text
    assert _snapshot(host) == before
    assert sorted(p.name for p in host.iterdir()) == ["secret.db", "secret.txt"]


def test_push_and_pull_stay_on_the_device(dev, host):
    before = _snapshot(host)
    with pytest.raises(Exception, match="No such file"):
        dev.sync.read_bytes(str(host / "secret.txt"))
    dev.sync.push(b"device bytes", str(host / "pushed.txt"))
    assert dev.sync.read_bytes(str(host / "pushed.txt")) == b"device bytes"  # the device's own copy
    assert _snapshot(host) == before and not (host / "pushed.txt").exists()


def test_normal_sqlite_use_still_works(device):
    script = (
        "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'); "
        "CREATE INDEX ti ON t(b); PRAGMA user_version = 3;"
    )
    assert device.shell(f'sqlite3 /data/local/tmp/n.db "{script}"').status == 0
    res = device.shell("sqlite3 -header /data/local/tmp/n.db 'SELECT a, b FROM t ORDER BY a'")
    assert res.text == "a|b\n1|x\n2|y\n"
    assert device.shell("sqlite3 /data/local/tmp/n.db 'PRAGMA user_version'").text == "3\n"
    assert "a" in device.shell("sqlite3 /data/local/tmp/n.db 'PRAGMA table_info(t)'").text
    assert device.shell("sqlite3 /data/local/tmp/n.db 'DELETE FROM t; VACUUM'").status == 0
    assert device.shell("sqlite3 /data/local/tmp/n.db '.tables'").text == "t\n"
    with simdb.open_db(device.fs, "/data/local/tmp/n.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)


def test_a_runaway_query_is_stopped(device, monkeypatch):
    monkeypatch.setattr(simdb, "QUERY_DEADLINE_S", 0.5)
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
    start = time.monotonic()
    res = device.shell(f"sqlite3 /data/local/tmp/r.db '{sql}'")
    assert res.status != 0 and "interrupted" in res.text
    assert time.monotonic() - start < 30  # generous: the deadline is half a second


def test_an_oversized_value_is_refused(device):
    res = device.shell("sqlite3 /data/local/tmp/big.db 'SELECT length(zeroblob(100000000))'")
    assert res.status != 0 and "too big" in res.text


def test_ls_R_lists_every_directory_below(device):
    device.shell("mkdir -p /data/local/tmp/r/a/b && touch /data/local/tmp/r/top /data/local/tmp/r/a/b/deep")
    res = device.shell("cd /data/local/tmp && ls -R r")
    assert res.text == "r:\na\ntop\n\nr/a:\nb\n\nr/a/b:\ndeep\n"
    assert device.shell("ls -R /data/local/tmp/r/a").text == "/data/local/tmp/r/a:\nb\n\n/data/local/tmp/r/a/b:\ndeep\n"


def test_the_secret_fixture_is_readable_on_the_host(host):
    """The hostile tables above would pass vacuously if the secret could not be read at all."""
    assert (host / "secret.txt").read_text() == SECRET
    assert os.access(host / "secret.db", os.R_OK)
