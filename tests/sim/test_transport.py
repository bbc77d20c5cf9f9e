"""The real adb client and adbutils drive the simulated phone through the real adb server."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from qwen2vl_agent.envs.sim.transport import services
from qwen2vl_agent.envs.sim.transport.stream import Stream, StreamClosed

pytestmark = pytest.mark.timeout(60)


def test_adb_devices_lists_the_phone(phone, adb):
    out = adb("devices", "-l").stdout
    line = next(ln for ln in out.splitlines() if ln.startswith(phone.serial))
    assert "\tdevice" in line or " device " in line
    assert "model:SimPhone" in line


def test_adb_shell_output_and_exit_status(adb):
    res = adb("shell", "echo hello; ls /nope; exit 3")
    assert res.stdout == "hello\n"
    assert "ls: /nope: No such file or directory" in res.stderr
    assert res.returncode == 3


def test_adb_exec_out_screencap_png(adb):
    res = adb("exec-out", "screencap -p", text=False)
    img = Image.open(io.BytesIO(res.stdout))
    assert img.size == (1080, 2400)


def test_adb_push_and_pull(tmp_path, phone, adb):
    src = tmp_path / "up.txt"
    src.write_text("über data\n")
    assert adb("push", str(src), "/sdcard/Download/new/up.txt").returncode == 0
    assert phone.device.fs.read("/sdcard/Download/new/up.txt") == "über data\n".encode()
    dst = tmp_path / "down.txt"
    assert adb("pull", "/sdcard/Download/new/up.txt", str(dst)).returncode == 0
    assert dst.read_text() == "über data\n"


def test_adbutils_shell_and_shell2(dev):
    assert dev.shell("echo hi && false || echo recovered") == "hi\nrecovered"
    assert dev.shell("echo a; echo b") == "a\nb"
    ret = dev.shell2("ls /nope")
    assert ret.returncode == 1


def test_adbutils_screenshot_strict(dev):
    img = dev.screenshot(error_ok=False)
    assert img.size == (1080, 2400)
    assert img.getextrema() != ((0, 0), (0, 0), (0, 0))


def test_raw_screencap_header(dev):
    conn = dev.open_shell("screencap")  # read the socket directly: adbutils' reader is slow for 10 MB
    chunks = []
    while chunk := conn.conn.recv(1 << 20):
        chunks.append(chunk)
    conn.close()
    raw = b"".join(chunks)
    w, h, fmt, _space = struct.unpack("<4I", raw[:16])
    assert (w, h, fmt) == (1080, 2400, 1)
    assert len(raw) == 16 + w * h * 4


def test_adbutils_input_and_app_control(phone, dev):
    assert tuple(dev.window_size()) == (1080, 2400)
    dev.app_start("com.android.settings")
    assert dev.app_current().package == "com.android.settings"
    assert phone.device.wm.top.package == "com.android.settings"
    dev.keyevent("HOME")
    assert dev.app_current().package == "com.google.android.apps.nexuslauncher"
    dev.app_start("com.android.settings", ".Settings$DisplaySettingsActivity")
    assert dev.app_current().activity == "com.android.settings.Settings$DisplaySettingsActivity"


def test_adbutils_sync(phone, dev):
    dev.sync.push(b"payload", "/sdcard/Documents/p.bin")
    assert dev.sync.read_bytes("/sdcard/Documents/p.bin") == b"payload"
    assert dev.sync.stat("/sdcard/Documents/p.bin").size == 7
    assert "p.bin" in [f.path for f in dev.sync.list("/sdcard/Documents")]
    assert dev.sync.exists("/sdcard/Documents/p.bin")
    assert not dev.sync.exists("/sdcard/Documents/none")


def test_ui_through_adbutils_reads_back_over_adb(dev):
    """Tap drawn labels found in the dumped UI, type, and check the stores - all through the adb server."""
    from sim_helpers import center, nodes

    def tap(text: str = "", rid: str = "") -> None:
        xml = dev.shell("uiautomator dump /dev/tty").split("UI hierchary dumped")[0]
        node = next(n for n in nodes(xml) if (text and n["text"] == text) or (rid and n["resource-id"].endswith(rid)))
        dev.click(*center(node))

    tap("Settings")
    assert dev.app_current().package == "com.android.settings"
    tap("Network & internet")
    tap(rid="wifi_toggle")
    assert dev.shell("settings get global wifi_on") == "0"
    dev.keyevent("HOME")
    tap("Notes")
    tap(rid="new_note")
    tap(rid="note_title")
    dev.send_keys("groceries")
    assert "groceries" in dev.shell("uiautomator dump /dev/tty")
    dev.keyevent("BACK")  # hide the keyboard
    dev.keyevent("BACK")  # leave the editor: it saves
    assert dev.sync.read_text("/sdcard/Notes/groceries.txt") == ""


def test_a_service_whose_connection_is_gone_ends_quietly(device):
    """The host dropped the connection mid-reply: the service thread ends without raising (closing included)."""
    sent = []

    def lost(command: int, arg0: int, arg1: int, data: bytes) -> None:
        sent.append(command)
        raise StreamClosed("connection lost: broken pipe")

    stream = Stream(lost, local_id=1, remote_id=7, max_payload=4096)
    services.serve(device, stream, "shell:echo hi")
    assert stream.closed and len(sent) == 2  # the WRTE, then the CLSE attempt
