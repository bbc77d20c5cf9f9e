"""toybox commands, /proc, /dev and /system/bin as clients see them; apps have real pids."""

from __future__ import annotations

import base64
import hashlib

import pytest
from clients import adb_shell_device, ppadb_device

pytestmark = pytest.mark.timeout(60)

CASES = [
    ("echo hello | sed s/l/L/g", "heLLo\n"),
    ("echo hello | sed -e 's/\\(h\\)e/\\1E/' -e 's/o$/0/'", "hEll0\n"),
    ("printf 'a\\nb\\nc\\n' | sed -n '2p'", "b\n"),
    ("printf 'a\\nb\\nc\\n' | sed '/b/d'", "a\nc\n"),
    ("echo 'a b c' | awk '{print $2}'", "b\n"),
    ("echo 'a:b:c' | awk -F: '{print $NF, $1}'", "c a\n"),
    ("printf 'x 1\\ny 2\\n' | awk '$2 > 1 {print $1}'", "y\n"),
    ("printf 'x\\ny\\n' | awk 'END {print NR}'", "2\n"),
    ("echo a:b:c | cut -d: -f2", "b\n"),
    ("echo a:b:c | cut -d: -f2-", "b:c\n"),
    ("echo abcdef | cut -c2-4", "bcd\n"),
    ("printf 'b\\na\\nc\\n' | sort", "a\nb\nc\n"),
    ("printf '10\\n9\\n100\\n' | sort -n", "9\n10\n100\n"),
    ("printf 'b\\na\\nb\\n' | sort -ru", "b\na\n"),
    ("printf 'a\\na\\nb\\n' | uniq -c", "      2 a\n      1 b\n"),
    ("find /sdcard -maxdepth 1 -name Down*", "/sdcard/Download\n"),
    ("find /data/local -type d", "/data/local\n/data/local/tmp\n"),
    ("echo /sdcard /data | xargs -n 1 echo dir", "dir /sdcard\ndir /data\n"),
    ("echo a b | xargs -I {} echo [{}]", "[a b]\n"),
    ("echo -n x | md5sum", "9dd4e461268c8034f5c8564e155c67a6  -\n"),
    ("echo -n hi | base64", "aGk=\n"),
    ("echo aGk= | base64 -d", "hi"),
    ("uname -m", "aarch64\n"),
    ("uname -s -r", "Linux 5.10.157-android13-4-00001-g5c2b2d5a1b6c\n"),
    ("echo t | tee /data/local/tmp/t.txt; cat /data/local/tmp/t.txt", "t\nt\n"),
    ("which ls sh", "/system/bin/ls\n/system/bin/sh\n"),
    ("which screenrecord; echo $?", "1\n"),
    ("env X=1 printenv X", "1\n"),
    ("stat -c '%s %n %A' /dev/null", "0 /dev/null crw-rw-rw-\n"),
    ("head -c 5 /dev/zero | wc -c", "5\n"),
    ("echo gone > /dev/null; cat /dev/null; echo $?", "0\n"),
    ("ln -s /system/build.prop /data/local/tmp/bp && grep -c ro.product.model= /data/local/tmp/bp", "1\n"),
]


@pytest.mark.parametrize(("cmd", "expected"), CASES)
def test_command_output(device, cmd, expected):
    result = device.shell(cmd)
    assert result.text == expected, result.text
    assert result.status == 0


def test_ps_lists_processes_in_toybox_format(device):
    device.shell("am start -n com.android.settings/.Settings")
    lines = device.shell("ps -A").text.splitlines()
    assert lines[0].split() == ["USER", "PID", "PPID", "VSZ", "RSS", "WCHAN", "ADDR", "S", "NAME"]
    rows = {ln.split()[-1]: ln.split() for ln in lines[1:]}
    assert rows["init"][1] == "1" and rows["system_server"][0] == "system"
    settings = rows["com.android.settings"]
    assert settings[0].startswith("u0_a") and int(settings[1]) > 1000 and settings[2] == rows["zygote64"][1]
    assert [ln.split()[-1] for ln in device.shell("ps").text.splitlines()[1:]] == ["sh", "ps"]


def test_apps_get_pids_in_proc_and_die_on_kill(device):
    assert device.shell("pidof com.android.settings").status == 1
    device.shell("am start -n com.android.settings/.Settings")
    pid = device.shell("pidof com.android.settings").text.strip()
    assert pid.isdigit()
    assert device.shell(f"cat /proc/{pid}/cmdline").stdout == b"com.android.settings\0"
    assert device.shell(f"cat /proc/{pid}/stat").text.split()[:3] == [pid, "(com.android.set)", "S"]  # comm: 15
    assert pid in device.shell("ls /proc").text.split()
    assert device.shell(f"kill {pid}").status == 0
    assert device.shell("pidof com.android.settings").status == 1
    assert device.wm.top.package != "com.android.settings"
    device.shell("am start -n com.android.settings/.Settings")
    assert int(device.shell("pidof com.android.settings").text) > int(pid)  # a fresh process, a new pid
    assert "No such process" in device.shell("kill 99999").text


def test_proc_files(device):
    assert device.shell("cat /proc/meminfo").text.startswith("MemTotal:")
    assert device.shell("grep -c ^processor /proc/cpuinfo").text == "8\n"
    assert device.shell("cat /proc/version").text.startswith("Linux version 5.10")
    assert device.shell("ls /proc/1").text.split() == ["cmdline", "comm", "stat", "status", "task"]
    assert "No such file" in device.shell("cat /proc/99999/cmdline").text


def test_system_bin_lists_the_commands(device):
    names = device.shell("ls /system/bin").text.split()
    assert {"sh", "ls", "ps", "logcat", "sed", "awk", "input", "am", "pm"} <= set(names)
    assert "screenrecord" not in names
    assert device.shell("ls -l /system/bin/ls").text.startswith("-rwxr-xr-x")


def test_screenrecord_is_absent_like_on_a_phone_without_it(device):
    result = device.shell("screenrecord /sdcard/a.mp4")
    assert result.status == 127
    assert result.stderr == b"/system/bin/sh: screenrecord: inaccessible or not found\n"


def test_network_interface_has_an_address(device):
    assert "inet 10.0.2.16/24" in device.shell("ip addr show wlan0").text
    assert "inet addr:10.0.2.16" in device.shell("ifconfig wlan0").text
    device.shell("settings put global wifi_on 0")
    assert 'Device "wlan0" does not exist.' in device.shell("ip addr show wlan0").text


def test_getevent_lists_devices(device):
    plain = device.shell("getevent -p").text
    assert 'add device 3: /dev/input/event2\n  name:     "sim_touchscreen"' in plain
    assert "0035  : value 0, min 0, max 1079" in plain
    assert "ABS_MT_POSITION_Y" in device.shell("getevent -pl").text


def test_df_and_stat(device):
    lines = device.shell("df /data").text.splitlines()
    assert lines[0].split()[:2] == ["Filesystem", "1K-blocks"] and lines[1].split()[-1] == "/data"
    assert device.shell("stat -c %s /system/build.prop").text.strip().isdigit()
    assert "Size:" in device.shell("stat /sdcard").text


def test_commands_through_client_libraries(phone, dev):
    data = bytes(range(256))
    dev.sync.push(data, "/data/local/tmp/bin")
    want = hashlib.md5(data).hexdigest()
    assert dev.shell("md5sum /data/local/tmp/bin").split()[0] == want
    assert ppadb_device(phone).shell("base64 /data/local/tmp/bin").replace("\n", "") == base64.b64encode(data).decode()
    dev.shell("am start -n com.android.settings/.Settings")
    assert ppadb_device(phone).get_pid("com.android.settings") == dev.shell("pidof com.android.settings")
    direct = adb_shell_device(phone)
    try:
        assert direct.shell("ps -A | grep -c com.android.settings") == "1\n"
        assert direct.shell("echo a,b | awk -F, '{print $2}'") == "b\n"
    finally:
        direct.close()
