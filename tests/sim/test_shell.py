"""The device shell parses like Android's sh and answers in Android's formats (no transport)."""

from __future__ import annotations

import re
import threading

import pytest

from qwen2vl_agent.envs.sim import Device


@pytest.fixture(scope="module")
def dev() -> Device:
    return Device(seed=0)


@pytest.mark.parametrize(
    ("cmd", "out", "status"),
    [
        ("echo a; echo b", "a\nb\n", 0),
        ("false && echo no || echo yes", "yes\n", 0),
        ("false; echo $?", "1\n", 0),
        ("echo 'single $HOME' \"double $HOME\"", "single $HOME double /\n", 0),
        ("echo $(echo inner) `echo tick`", "inner tick\n", 0),
        ("x=5; echo ${x}!", "5!\n", 0),
        ("echo a\\ b", "a b\n", 0),
        ("printf '%s-%d\\n' a 3", "a-3\n", 0),
        ("echo hi | grep -c h", "1\n", 0),
        ("echo one > /data/local/tmp/f; echo two >> /data/local/tmp/f; cat /data/local/tmp/f", "one\ntwo\n", 0),
        ("ls /nope 2>/dev/null; echo $?", "1\n", 0),
        ("ls /nope 2>&1 | grep -c 'No such'", "1\n", 0),
        ("nosuchcmd", "/system/bin/sh: nosuchcmd: inaccessible or not found\n", 127),
        ("echo 'unterminated", "/system/bin/sh: no closing quote\n", 1),
        ("exit 7", "", 7),
        ("whoami", "root\n", 0),
        ("settings get global wifi_on", "1\n", 0),
        ("settings get secure nonexistent_key", "null\n", 0),
        ("wm size", "Physical size: 1080x2400\n", 0),
        ("wm density", "Physical density: 420\n", 0),
        ("getprop ro.build.version.sdk", "34\n", 0),
        ("date +%s", None, 0),
    ],
)
def test_shell_table(dev, cmd, out, status):
    res = dev.shell(cmd)
    if out is not None:
        assert res.text == out
    assert res.status == status


def test_stdout_and_stderr_are_kept_apart_and_in_order(dev):
    res = dev.shell("echo out; ls /missing; echo after")
    assert res.stdout == b"out\nafter\n"
    assert b"No such file" in res.stderr
    assert res.text.index("out") < res.text.index("ls:") < res.text.index("after")


def test_unquoted_typed_text_runs_as_a_command(dev):
    """A runtime that pastes text into ``input text`` unquoted executes the rest: that must be visible."""
    dev.shell("rm -f /sdcard/pwned")
    dev.shell("input text hello;touch /sdcard/pwned")
    assert dev.fs.exists("/sdcard/pwned")
    dev.shell("rm -f /sdcard/pwned")
    dev.shell("input text 'hello;touch /sdcard/pwned'")
    assert not dev.fs.exists("/sdcard/pwned")


def test_input_text_refuses_non_ascii():
    d = Device(seed=0)
    d.shell("am start -n com.android.contacts/.activities.ContactEditorActivity")
    d.tap(540, 400)  # the Name field
    res = d.shell("input text 'Zoë'")
    assert res.status != 0 and "Exception occurred while executing 'text'" in res.text
    assert d.wm.focused_value() == ""


@pytest.mark.parametrize(
    ("cmd", "first_line", "status"),
    [
        ("input tap 1", "Error: Invalid arguments for command: tap", 1),
        ("input keycombination 113", "Error: Invalid arguments for command: keycombination", 1),
        ("input tap a b", "Exception occurred while executing 'tap':", 255),
        ("input keyevent FOO", "Exception occurred while executing 'keyevent':", 255),
    ],
)
def test_input_usage_errors_and_exceptions(dev, cmd, first_line, status):
    res = dev.shell(cmd)
    assert (res.stdout, res.stderr.decode().splitlines()[0], res.status) == (b"", first_line, status)


def test_dumpsys_formats_parse_with_the_usual_regexes(dev):
    dev.shell("am start -n com.android.settings/.Settings")
    window = dev.shell("dumpsys window windows").text
    assert re.search(r"mCurrentFocus=Window\{.*\s+(?P<p>[^\s]+)/(?P<a>[^\s]+)\}", window).group("p") == (
        "com.android.settings"
    )
    assert "mCurrentRotation=ROTATION_0" in dev.shell("dumpsys window displays").text
    acts = dev.shell("dumpsys activity activities").text
    assert re.search(r"mResumedActivity: ActivityRecord\{.*? u0 com\.android\.settings/\.Settings t\d+\}", acts)
    assert re.search(r"orientation=0", dev.shell("dumpsys display").text)
    assert "mWakefulness=Awake" in dev.shell("dumpsys power").text


def test_screen_off_gives_black_capture_and_power_state():
    d = Device(seed=0)
    d.shell("input keyevent POWER")
    assert "mWakefulness=Asleep" in d.shell("dumpsys power").text
    assert d.screenshot().getextrema() == ((0, 0), (0, 0), (0, 0))
    d.shell("input keyevent WAKEUP && input swipe 540 2000 540 600")
    assert not d.locked and d.screenshot().getextrema() != ((0, 0), (0, 0), (0, 0))


def test_content_and_sqlite_read_app_stores(dev):
    rows = dev.shell("content query --uri content://sms/inbox --projection address:body").text
    assert rows.startswith("Row: 0 address=")
    count = dev.shell("content query --uri content://com.android.contacts/contacts | grep -c Row").text
    db = "/data/data/com.android.providers.contacts/databases/contacts2.db"
    assert dev.shell(f"sqlite3 {db} 'SELECT COUNT(*) FROM contacts'").text == count
    dev.shell("content insert --uri content://sms/sent --bind address:s:+15550001 --bind body:s:'hi there'")
    sent = dev.shell("content query --uri content://sms/sent --where \"address='+15550001'\"").text
    assert "body=hi there" in sent and "type=2" in sent
    assert dev.shell("content query --uri content://sms/inbox --where 'address=\"none\"'").text == "No result found.\n"


def test_pm_am_monkey(dev):
    assert "package:com.android.settings" in dev.shell("pm list packages").text
    res = dev.shell("monkey -p com.nope -c android.intent.category.LAUNCHER 1")
    assert "No activities found" in res.text and res.status != 0
    res = dev.shell("am start -n com.android.settings/.Nope")
    assert "does not exist" in res.text
    dev.shell("monkey -p com.android.deskclock -c android.intent.category.LAUNCHER 1")
    assert dev.wm.top.package == "com.android.deskclock"
    dev.shell("am force-stop com.android.deskclock")
    assert dev.wm.top.package != "com.android.deskclock"


def test_uiautomator_dump_to_file_and_tty(dev):
    res = dev.shell("uiautomator dump")
    assert res.text == "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    assert dev.fs.read_text("/sdcard/window_dump.xml").startswith("<?xml")
    assert "<hierarchy rotation=" in dev.shell("uiautomator dump /dev/tty").text


def test_reset_restores_seeded_state():
    d = Device(seed=3)
    before = d.shell("content query --uri content://com.android.contacts/contacts").text
    d.shell(
        "settings put global wifi_on 0; rm -r /sdcard/Notes; content delete --uri content://com.android.contacts/contacts"
    )
    d.reset()
    assert d.shell("settings get global wifi_on").text == "1\n"
    assert d.shell("content query --uri content://com.android.contacts/contacts").text == before
    assert d.fs.isdir("/sdcard/Notes")
    assert Device(seed=4).shell("content query --uri content://com.android.contacts/contacts").text != before


def test_motionevent_down_then_up_swipes_and_reset_forgets_a_pending_down():
    d = Device(seed=0)
    d.shell("input motionevent DOWN 540 10; input motionevent UP 540 900")  # from the status bar down
    assert d.wm.shade
    d.shell("input motionevent DOWN 540 10")
    d.reset()
    d.shell("input motionevent UP 540 900")  # a touch that began before the reset is gone
    assert not d.wm.shade


def test_glob_expansion_reads_the_file_system_under_the_device_lock(monkeypatch):
    """Expansion runs before a command takes the lock; a glob must not list directories that another adb
    stream (holding the lock) is changing."""
    d = Device(seed=0)
    listed = threading.Event()
    real_listdir = d.fs.listdir

    def listdir(path: str) -> list[str]:
        listed.set()
        return real_listdir(path)

    monkeypatch.setattr(d.fs, "listdir", listdir)
    out: list[str] = []
    with d.lock:  # another stream is mid-change
        worker = threading.Thread(target=lambda: out.append(d.shell("echo /sdcard/Do*").text))
        worker.start()
        assert not listed.wait(0.2)
    worker.join(10)
    assert out == ["/sdcard/Documents /sdcard/Download\n"]


def test_sh_c_leaves_the_device_to_other_streams_while_its_command_waits(monkeypatch):
    """``sleep`` runs without the device lock; wrapped in ``sh -c`` it must not hold it either."""
    from qwen2vl_agent.envs.sim.shell import cmd_files
    from qwen2vl_agent.envs.sim.shell.interp import unlocked

    d = Device(seed=0)
    asleep, wake = threading.Event(), threading.Event()

    @unlocked
    def sleep(p, args: list[str]) -> int:  # sleeps until the test says so
        asleep.set()
        return 0 if wake.wait(10) else 1

    monkeypatch.setitem(cmd_files.COMMANDS, "sleep", sleep)
    sleeper = threading.Thread(target=lambda: d.shell("sh -c 'sleep 30'"))
    sleeper.start()
    try:
        assert asleep.wait(10)
        other = threading.Thread(target=lambda: d.shell("settings put global wifi_on 0"))
        other.start()
        other.join(5)
        assert not other.is_alive() and d.settings.get("global", "wifi_on") == "0"
    finally:
        wake.set()
        sleeper.join(10)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("android.settings.WIFI_SETTINGS", ""),
        ("android.intent.action.VIEW", "geo:0,0?q=coffee"),
        ("android.intent.action.SENDTO", "smsto:+15551234567"),
    ],
)
def test_am_start_and_an_apps_intent_open_the_same_screen(action, data):
    by_shell, by_app = Device(seed=0), Device(seed=0)
    by_shell.shell(f"am start -a {action}" + (f" -d '{data}'" if data else ""))
    assert by_app.start_activity(action, data)
    shown = [(type(d.wm.top).__name__, d.wm.top.extras) for d in (by_shell, by_app)]
    assert shown[0] == shown[1] and shown[0][0] != "Launcher"
