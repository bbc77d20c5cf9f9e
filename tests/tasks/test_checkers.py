"""The checkers on a real (simulated) phone over adb: order of calls, nothing passes before the agent
acts, and every verdict follows device state changed directly over adb (never through the tasks' code)."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.sim.stores import ALARMS_DB, MAPS_DB, MAPS_SCHEMA
from qwen2vl_agent.envs.tasks import TEMPLATES, TaskStateError, get_task
from qwen2vl_agent.envs.tasks.data import note_path

SEED = 4242


def _ready(cls, phone, device, seed=SEED):
    phone.reset(seed=seed)
    task = cls.from_seed(seed)
    task.setup(device)
    return task


def test_calls_out_of_order_raise(phone, device):
    task = get_task("SystemWifi").from_seed(1)
    for call in (lambda: task.is_successful(device), task.solution, lambda: task.teardown(device)):
        with pytest.raises(TaskStateError, match="needs 'ready'"):
            call()
    task.setup(device)
    with pytest.raises(TaskStateError, match="set up once"):
        task.setup(device)
    assert task.is_successful(device) == 0.0
    assert task.solution()
    task.teardown(device)
    for call in (lambda: task.is_successful(device), lambda: task.teardown(device), lambda: task.setup(device)):
        with pytest.raises(TaskStateError, match="state 'done'"):
            call()


@pytest.mark.parametrize("cls", TEMPLATES, ids=lambda c: c.name)
def test_nothing_passes_right_after_setup(cls, shared_phone, device):
    task = _ready(cls, shared_phone, device)
    try:
        # the start state: the task's start app in front, or the home screen
        assert device.foreground_package() == (cls.start_package or "com.google.android.apps.nexuslauncher")
        assert task.is_successful(device, None) == 0.0
        assert task.is_successful(device, "") == 0.0
        assert task.is_successful(device, "I don't know") == 0.0
    finally:
        task.teardown(device)


def _shell(adb, *argv: str) -> str:
    return adb.shell2(list(argv), timeout=20, v2=True).stdout


def test_settings_check_follows_adb(phone, device, adb):
    task = _ready(get_task("SystemWifi"), phone, device)
    want = "1" if task.values["state"] == "on" else "0"
    _shell(adb, "settings", "put", "global", "wifi_on", want)
    assert task.is_successful(device) == 1.0
    _shell(adb, "settings", "put", "global", "wifi_on", "0" if want == "1" else "1")
    assert task.is_successful(device) == 0.0


def test_brightness_check_follows_adb(phone, device, adb):
    task = _ready(get_task("SystemBrightness"), phone, device)
    goal = 255 if task.values["end"] == "maximum" else 0
    _shell(adb, "settings", "put", "system", "screen_brightness", str(goal))
    assert task.is_successful(device) == 1.0
    _shell(adb, "settings", "put", "system", "screen_brightness", "128")
    assert task.is_successful(device) == 0.0


def test_contact_checks_follow_the_provider(phone, device, adb):
    task = _ready(get_task("ContactsAddContact"), phone, device)
    name, number = task.values["name"], task.values["number"]
    insert = ["content", "insert", "--uri", "content://com.android.contacts/contacts",
              "--bind", f"display_name:s:{name}", "--bind", f"phone:s:{number}"]  # fmt: skip
    _shell(adb, *insert)
    assert task.is_successful(device) == 1.0
    _shell(adb, *insert)  # a duplicate: the task asked for exactly one new contact
    assert task.is_successful(device) == 0.0


def test_delete_contact_check_follows_the_provider(phone, device, adb):
    task = _ready(get_task("ContactsDeleteContact"), phone, device)
    assert task.is_successful(device) == 0.0
    _shell(adb, "content", "delete", "--uri", f"content://com.android.contacts/contacts/{task.contact_id}")
    assert task.is_successful(device) == 1.0


def test_sms_check_follows_the_telephony_provider(phone, device, adb):
    task = _ready(get_task("SmsSendToNumber"), phone, device)
    sent = ["content", "insert", "--uri", "content://sms/sent", "--bind", f"address:s:{task.values['number']}"]
    _shell(adb, *sent, "--bind", "body:s:something else")
    assert task.is_successful(device) == 0.0  # right number, wrong text
    _shell(adb, "content", "delete", "--uri", "content://sms/sent", "--where", "body='something else'")
    _shell(adb, *sent, "--bind", f"body:s:{task.values['text']}")
    assert task.is_successful(device) == 1.0


def test_note_check_follows_files_pushed_over_sync(phone, device, adb):
    task = _ready(get_task("NotesCreate"), phone, device)
    path = note_path(task.values["title"])
    adb.sync.push(task.values["body"].encode(), path)
    assert task.is_successful(device) == 1.0
    adb.sync.push(b"other text", path)
    assert task.is_successful(device) == 0.0
    _shell(adb, "rm", path)
    assert task.is_successful(device) == 0.0


def test_alarm_check_follows_sqlite_on_the_device(phone, device, adb):
    task = _ready(get_task("ClockAlarmAdd"), phone, device)
    hour, minute = task.values["hour"], task.values["minute"]
    sql = f"INSERT INTO alarm_templates (hour, minutes, enabled) VALUES ({hour}, {minute}, 0)"
    _shell(adb, "sqlite3", ALARMS_DB, sql)
    assert task.is_successful(device) == 0.0  # added but disabled
    _shell(adb, "sqlite3", ALARMS_DB, f"UPDATE alarm_templates SET enabled = 1 WHERE hour = {hour}")
    assert task.is_successful(device) == 1.0


def test_maps_and_files_checks_follow_adb(phone, device, adb):
    search = _ready(get_task("MapsSearch"), phone, device)
    query = search.values["query"].upper()  # a search is the same search in any case
    insert = f"INSERT INTO search_history (query, timestamp) VALUES ('{query}', 1)"
    _shell(adb, "sqlite3", MAPS_DB, MAPS_SCHEMA + insert)  # Maps creates its tables on first use: as Maps would
    assert search.is_successful(device) == 1.0
    search.teardown(device)
    delete = _ready(get_task("FilesDeleteFile"), phone, device, seed=SEED + 1)
    others = [f for f in delete.values["files"] if f != delete.values["file"]]
    _shell(adb, "rm", f"/sdcard/Download/{others[0]}")
    assert delete.is_successful(device) == 0.0  # the wrong file went
    adb.sync.push(b"back", f"/sdcard/Download/{others[0]}")
    _shell(adb, "rm", f"/sdcard/Download/{delete.values['file']}")
    assert delete.is_successful(device) == 1.0


def test_foreground_check_follows_am_start(phone, device, adb):
    task = _ready(get_task("LauncherOpenApp"), phone, device)
    from qwen2vl_agent.envs.tasks.maps_files_tasks import APPS

    _shell(adb, "monkey", "-p", APPS[task.values["app"]], "-c", "android.intent.category.LAUNCHER", "1")
    assert task.is_successful(device) == 1.0
    _shell(adb, "input", "keyevent", "3")
    assert task.is_successful(device) == 0.0


def test_answer_checks(phone, device, adb):
    unread = _ready(get_task("SmsUnreadCountQuestion"), phone, device)
    n = len(unread.values["senders"])
    assert unread.is_successful(device, f"You have {n} unread messages.") == 1.0
    assert unread.is_successful(device, str(n + 1)) == 0.0
    assert unread.is_successful(device, f"{n} or {n + 1}") == 0.0
    unread.teardown(device)
    address = _ready(get_task("MapsAddressQuestion"), phone, device)
    assert address.is_successful(device, f"It is at {address.address}.") == 1.0
    assert address.is_successful(device, "1 Nowhere Rd") == 0.0
