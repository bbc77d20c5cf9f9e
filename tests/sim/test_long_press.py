"""Long presses through the real adb server: ``input swipe x y x y MS`` with MS >= 500 is a long press."""

from __future__ import annotations

import pytest
from sim_helpers import adb_find, adb_nodes, center

pytestmark = pytest.mark.timeout(60)

SMS = "content query --uri content://sms --projection thread_id:address"


def focus(dev) -> str:
    return dev.shell("dumpsys window | grep mCurrentFocus").strip()


def press(dev, attrs: dict[str, str], ms: int) -> None:
    x, y = center(attrs)
    dev.shell(f"input swipe {x} {y} {x} {y} {ms}")


def test_long_press_without_a_handler_acts_as_a_tap(phone, dev):
    """A launcher icon has no long-press menu here: the held touch then clicks it (View.onTouchEvent)."""
    press(dev, adb_find(dev, text="Clock"), 800)
    assert phone.device.wm.top.package == "com.android.deskclock"


def test_app_info_from_settings_apps_list(phone, dev):
    dev.shell("am start -a android.settings.MANAGE_APPLICATIONS_SETTINGS")
    dev.click(*center(adb_find(dev, text="Clock")))
    assert focus(dev).endswith("com.android.settings/com.android.settings.applications.InstalledAppDetails}")
    assert adb_find(dev, rid="entity_header_title")["text"] == "Clock"
    assert adb_find(dev, text="Force stop")["enabled"] == "false"  # the Clock is not running


def test_app_info_force_stop_ends_the_running_app(phone, dev):
    dev.shell("monkey -p com.android.deskclock -c android.intent.category.LAUNCHER 1")
    dev.shell("am start -a android.settings.APPLICATION_DETAILS_SETTINGS -d package:com.android.deskclock")
    assert adb_find(dev, rid="entity_header_title")["text"] == "Clock"
    dev.click(*center(adb_find(dev, text="Force stop")))
    assert adb_find(dev, rid="alertTitle")["text"] == "Force stop?"
    assert "com.android.deskclock" in dev.shell("dumpsys activity activities")
    dev.click(*center(adb_find(dev, text="OK")))
    assert "com.android.deskclock" not in dev.shell("dumpsys activity activities")
    assert adb_find(dev, text="Force stop")["enabled"] == "false"


def test_long_press_selects_a_conversation_and_delete_removes_it(phone, dev):
    dev.shell("am start -n com.google.android.apps.messaging/.ui.ConversationListActivity")
    before = dev.shell(SMS)
    rows = [n for n in adb_nodes(dev) if n["resource-id"].endswith("swipeableContainer")]
    first = rows[0]
    name = next(n["text"] for n in adb_nodes(dev) if n["resource-id"].endswith("conversation_name"))
    press(dev, first, 700)
    assert adb_find(dev, rid="title")["text"] == "1 selected"
    assert adb_find(dev, rid="swipeableContainer")["selected"] == "true"
    press(dev, rows[1], 100)  # in selection mode a tap toggles another conversation
    assert adb_find(dev, rid="title")["text"] == "2 selected"
    press(dev, rows[1], 100)
    dev.click(*center(adb_find(dev, desc="Delete")))
    assert adb_find(dev, rid="alertTitle")["text"] == "Delete 1 conversation?"
    dev.click(*center(adb_find(dev, text="Delete")))
    after = dev.shell(SMS)
    gone = {line.split("address=")[1] for line in before.splitlines()} - {
        line.split("address=")[1] for line in after.splitlines()
    }
    assert len(gone) == 1 and after.count("Row:") < before.count("Row:")
    assert name not in [n["text"] for n in adb_nodes(dev)]
    assert adb_find(dev, rid="title")["text"] == "Messages"


def test_back_ends_a_selection_without_deleting(phone, dev):
    dev.shell("am start -n com.google.android.apps.messaging/.ui.ConversationListActivity")
    before = dev.shell(SMS)
    press(dev, adb_find(dev, rid="swipeableContainer"), 1000)
    assert adb_find(dev, rid="title")["text"] == "1 selected"
    dev.keyevent("BACK")
    assert adb_find(dev, rid="title")["text"] == "Messages"
    assert phone.device.wm.top.cls == ".ui.ConversationListActivity"
    assert dev.shell(SMS) == before
