"""logcat, stdin and adbd's smaller services, through the real adb client and three client libraries."""

from __future__ import annotations

import io
import socket
import struct
import subprocess
import time

import pytest
from clients import adb_in, adb_shell_device, ppadb_device
from PIL import Image

pytestmark = pytest.mark.timeout(60)


# ---------------------------------------------------------------- logcat


def test_log_then_logcat_dump_in_threadtime(phone, adb):
    assert adb("shell", "log -p w -t SimTag 'hello world'").returncode == 0
    out = adb("logcat", "-d").stdout
    line = next(ln for ln in out.splitlines() if "SimTag" in ln)
    # threadtime: "MM-DD HH:MM:SS.mmm  PID  TID P TAG     : message"
    date, clock, pid, tid, prio, rest = line.split(None, 5)
    assert len(date) == 5 and clock.count(":") == 2 and "." in clock
    assert pid.isdigit() and tid.isdigit() and prio == "W"
    assert rest == "SimTag  : hello world"
    assert out.startswith("--------- beginning of ")


def test_logcat_clear(adb):
    adb("shell", "log -t Old gone")
    assert adb("logcat", "-c").returncode == 0
    assert "gone" not in adb("logcat", "-d").stdout


def test_logcat_filter_specs_and_silent(adb):
    adb("shell", "log -p i -t Keep kept; log -p d -t Keep debug-only; log -p e -t Other other")
    out = adb("logcat", "-d", "Keep:I", "*:S").stdout
    assert "kept" in out and "debug-only" not in out and "other" not in out
    out = adb("logcat", "-d", "-s", "Other").stdout
    assert "other" in out and "kept" not in out
    assert "other" in adb("logcat", "-d", "*:E").stdout


@pytest.mark.parametrize(("fmt", "expected"), [
    ("brief", "I/Fmt     ( 4321): msg"), ("tag", "I/Fmt     : msg"), ("process", "I( 4321) msg  (Fmt)"),
    ("raw", "msg"),
])  # fmt: skip
def test_logcat_formats(adb, fmt, expected):
    adb("shell", "log -t Fmt msg")
    lines = adb("logcat", "-d", "-v", fmt, "-s", "Fmt").stdout.splitlines()
    assert expected in lines


def test_app_launch_is_logged_by_the_activity_manager(phone, adb):
    adb("shell", "am start -n com.android.settings/.Settings")
    out = adb("logcat", "-d", "-b", "system").stdout
    assert "I ActivityTaskManager: START u0 {" in out and "cmp=com.android.settings/.Settings" in out
    pid = phone.device.procs.by_name("com.android.settings")[0].pid
    assert f"Start proc {pid}:com.android.settings/u0a" in out


def test_logcat_follows_until_the_client_hangs_up(phone):
    from qwen2vl_agent.envs.sim.transport.adbserver import adb_binary

    cmd = [adb_binary(), "-P", str(phone.adb_port), "-s", phone.serial, "logcat", "-s", "Live"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        phone.device.logs.write("I", "Live", "streamed")
        deadline = time.monotonic() + 10
        line = b""
        while b"streamed" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert b"Live    : streamed" in line
    finally:
        proc.kill()
        proc.wait()


def test_logcat_through_client_libraries(phone, dev):
    dev.shell("log -t Libs from-adbutils")
    assert "from-adbutils" in dev.shell("logcat -d -s Libs")
    assert "from-adbutils" in ppadb_device(phone).shell("logcat -d -s Libs")
    direct = adb_shell_device(phone)
    try:
        assert "from-adbutils" in direct.shell("logcat -d -v brief Libs:V *:S")
    finally:
        direct.close()


def test_logcat_bad_option_fails_like_logcat(adb):
    res = adb("logcat", "-d", "-v", "nonsense")
    assert res.returncode != 0 and "Invalid parameter" in res.stderr + res.stdout


# ---------------------------------------------------------------- stdin


def test_stdin_piped_to_a_command(phone):
    assert adb_in(phone, "shell", "cat", stdin=b"hi\n").stdout == b"hi\n"
    assert adb_in(phone, "shell", "wc -l", stdin=b"a\nb\nc\n").stdout.strip() == b"3"


def test_stdin_redirected_into_a_file(phone):
    data = bytes(range(256)) * 300  # binary, larger than one packet
    assert adb_in(phone, "shell", "cat > /data/local/tmp/blob", stdin=data).returncode == 0
    assert phone.device.fs.read("/data/local/tmp/blob") == data


def _eventually(read, want: bytes, timeout: float = 5.0) -> bytes | None:
    """exec-in returns once its data is sent; the device finishes writing a moment later (as a phone does)."""
    deadline = time.monotonic() + timeout
    while (got := read()) != want and time.monotonic() < deadline:
        time.sleep(0.02)
    return got


def test_exec_in_writes_the_file(phone):
    assert adb_in(phone, "exec-in", "cat > /data/local/tmp/exec.txt", stdin=b"exec payload").returncode == 0
    fs = phone.device.fs
    read = lambda: fs.read("/data/local/tmp/exec.txt") if fs.exists("/data/local/tmp/exec.txt") else None
    assert _eventually(read, b"exec payload") == b"exec payload"


def test_piped_shell_is_raw_without_prompts(phone):
    res = adb_in(phone, "shell", stdin=b"echo one\nX=2\necho $X\nexit 4\n")
    assert res.stdout == b"one\n2\n"
    assert res.returncode == 4


def test_a_command_that_reads_no_stdin_does_not_wait(dev):
    assert dev.shell("echo quick") == "quick"  # adbutils never closes stdin: nothing may wait for it


# ---------------------------------------------------------------- services


def test_host_close_is_answered_with_close_so_direct_sync_works(phone, tmp_path):
    direct = adb_shell_device(phone)
    try:
        src = tmp_path / "up.txt"
        src.write_bytes(b"direct sync")
        direct.push(str(src), "/data/local/tmp/direct.txt")
        _mode, size, _mtime = direct.stat("/data/local/tmp/direct.txt")
        assert size == len(b"direct sync")
        assert any(f.filename == b"direct.txt" for f in direct.list("/data/local/tmp"))
        dst = tmp_path / "down.txt"
        direct.pull("/data/local/tmp/direct.txt", str(dst))
        assert dst.read_bytes() == b"direct sync"
        assert direct.shell("echo still-alive") == "still-alive\n"
    finally:
        direct.close()


def test_framebuffer_service(dev):
    img = dev.framebuffer()
    assert img.size == (1080, 2400)
    assert img.getextrema() != ((0, 0), (0, 0), (0, 0), (0, 0))
    c = dev.open_transport()
    c.send_command("framebuffer:")
    c.check_okay()
    version, bpp, space, size, w, h = struct.unpack("<6I", c.read(24))
    assert (version, bpp, space, size, w, h) == (2, 32, 1, 1080 * 2400 * 4, 1080, 2400)
    c.close()


@pytest.mark.parametrize("remote", ["localabstract:sim-echo", "tcp:7"])
def test_forward_connects_to_a_device_socket(phone, adb, remote):
    port = int(adb("forward", "tcp:0", remote).stdout.strip())
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"ping")
            s.settimeout(5)
            assert s.recv(4) == b"ping"
    finally:
        adb("forward", "--remove-all")


def test_a_device_port_nobody_listens_on_is_refused_cleanly(phone, adb, dev):
    port = int(adb("forward", "tcp:0", "tcp:9008").stdout.strip())
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /ping HTTP/1.1\r\n\r\n")
            s.settimeout(5)
            assert s.recv(100) == b""  # closed at once, nothing echoed
    finally:
        adb("forward", "--remove-all")
    assert dev.shell("echo still-fine") == "still-fine"


def test_reverse_list_forward_remove(adb, dev):
    assert adb("reverse", "tcp:8081", "tcp:8082").returncode == 0
    assert "tcp:8081 tcp:8082" in adb("reverse", "--list").stdout
    assert [(r.remote, r.local) for r in dev.reverse_list()] == [("tcp:8081", "tcp:8082")]
    assert adb("reverse", "--remove", "tcp:8081").returncode == 0
    res = adb("reverse", "--remove", "tcp:8081")
    assert res.returncode != 0 and "not found" in res.stderr
    assert adb("reverse", "--list").stdout.strip() == ""


def test_reboot_restarts_apps_and_keeps_files(phone, adb):
    phone.device.fs.write("/sdcard/Download/kept.txt", b"x")
    adb("shell", "am start -n com.android.settings/.Settings")
    assert adb("reboot").returncode == 0
    assert adb("wait-for-device", timeout=30).returncode == 0
    assert phone.device.wm.top.package == "com.google.android.apps.nexuslauncher"
    assert "com.android.settings" not in [p.name for p in phone.device.procs.all()]
    assert phone.device.fs.read("/sdcard/Download/kept.txt") == b"x"


def test_ppadb_screencap_and_framebuffer_agree(phone, dev):
    png = Image.open(io.BytesIO(ppadb_device(phone).screencap()))
    assert png.size == dev.framebuffer().size
