"""Apps on the device core: taps on drawn labels, typing, scrolling, navigation, and the stores behind them."""

from __future__ import annotations

import base64

import pytest
from sim_helpers import center, find, nodes, tap

from qwen2vl_agent.envs.sim import Device
from qwen2vl_agent.envs.sim.seed import PLACE_KINDS

APPS = [
    ("Settings", "com.android.settings"),
    ("Contacts", "com.android.contacts"),
    ("Maps", "com.google.android.apps.maps"),
    ("Messages", "com.google.android.apps.messaging"),
    ("Clock", "com.android.deskclock"),
    ("Notes", "com.simplemobiletools.notes.pro"),
    ("Files", "com.google.android.documentsui"),
]


@pytest.fixture
def d() -> Device:
    return Device(seed=0)


@pytest.mark.parametrize(("label", "package"), APPS)
def test_tapping_a_home_screen_label_opens_that_app(d, label, package):
    icon = find(d, text=label)
    x, y = center(icon)
    pixel = d.screenshot().getpixel((x, y))
    assert pixel != d.screenshot().getpixel((5, 300))  # something is drawn there, not wallpaper
    d.tap(x, y)
    assert d.wm.top.package == package
    assert all(n["package"] in (package, "com.android.systemui") for n in nodes(d.ui_xml()))


def test_typing_into_a_focused_field_is_drawn_and_dumped(d):
    tap(d, text="Contacts")
    tap(d, desc="Create contact")
    before = d.screenshot().copy()
    tap(d, rid="name_field")
    assert find(d, rid="name_field")["focused"] == "true"
    assert find(d, desc="q")  # the soft keyboard is up, keys are views
    d.shell("input text Ada%sLovelace")
    field = find(d, rid="name_field")
    assert field["text"] == "Ada Lovelace"
    assert d.screenshot().crop((0, 300, 1080, 700)) != before.crop((0, 300, 1080, 700))
    tap(d, desc="p")  # typing on the drawn keyboard
    assert find(d, rid="name_field")["text"] == "Ada Lovelacep"
    d.shell("input keyevent DEL")
    tap(d, rid="phone_field")
    d.shell("input text 5550100")
    tap(d, desc="Save")
    rows = d.shell(
        "content query --uri content://com.android.contacts/contacts --where \"display_name='Ada Lovelace'\""
    )
    assert "phone=5550100" in rows.text


def test_settings_changed_in_the_ui_read_back_through_settings(d):
    tap(d, text="Settings")
    tap(d, text="Network & internet")
    assert find(d, rid="wifi_toggle")["checked"] == "true"
    tap(d, rid="wifi_toggle")
    assert d.shell("settings get global wifi_on").text == "0\n"
    tap(d, text="Airplane mode")
    assert d.shell("settings get global airplane_mode_on").text == "1\n"
    d.shell("settings put global airplane_mode_on 0")
    assert find(d, rid="airplane_mode")["checked"] == "false"  # the UI reads the store
    d.key(4)
    tap(d, text="Display")
    slider = find(d, rid="brightness_slider")
    x1, _, x2 = (int(v) for v in slider["bounds"].strip("[]").replace("][", ",").split(",")[:3])
    d.tap(x2 - 40, center(slider)[1])
    assert int(d.shell("settings get system screen_brightness").text) > 230


def test_list_scrolls_on_swipe_and_back_home_recents(d):
    d.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    first = [n["text"] for n in nodes(d.ui_xml()) if n["resource-id"].endswith("cliv_name_textview")]
    for i in range(8):
        d.shell(f"content insert --uri content://com.android.contacts/contacts --bind display_name:s:Zed{i}")
    d.shell("input swipe 540 1800 540 600 300; input swipe 540 1800 540 600 300")
    after = [n["text"] for n in nodes(d.ui_xml()) if n["resource-id"].endswith("cliv_name_textview")]
    assert after != first and "Zed7" in after
    tap(d, text="Zed7")
    assert d.wm.top.cls == ".quickcontact.QuickContactActivity"
    d.shell("input keyevent BACK")
    assert d.wm.top.cls == ".activities.PeopleActivity"
    d.shell("input keyevent APP_SWITCH")
    assert find(d, desc="Contacts")
    d.shell("input keyevent HOME")
    assert d.wm.top.package == "com.google.android.apps.nexuslauncher"


def test_delete_contact_through_a_dialog(d):
    d.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    name = next(n["text"] for n in nodes(d.ui_xml()) if n["resource-id"].endswith("cliv_name_textview"))
    tap(d, text=name)
    tap(d, desc="Delete")
    assert find(d, rid="alertTitle")["text"] == "Delete this contact?"
    tap(d, text="Delete")
    assert name not in d.shell("content query --uri content://com.android.contacts/contacts").text
    assert find(d, text="Contact deleted")["class"] == "android.widget.Toast"


def test_send_sms_from_messages(d):
    d.shell("am start -a android.intent.action.VIEW -d sms:+15550199")
    tap(d, rid="compose_message_text")
    d.shell("input text 'On%smy%sway'")
    tap(d, desc="Send SMS")
    sent = d.shell("content query --uri content://sms/sent --projection address:body").text
    assert "address=+15550199, body=On my way" in sent


def test_unicode_through_adb_keyboard_is_stored_exactly(d):
    d.shell("ime enable com.android.adbkeyboard/.AdbIME && ime set com.android.adbkeyboard/.AdbIME")
    d.shell("am start -n com.simplemobiletools.notes.pro/.activities.EditorActivity")
    tap(d, rid="note_title")
    assert find(d, text="ADB Keyboard {ON}")
    text = "Café 東京 🍕"
    d.shell(f"am broadcast -a ADB_INPUT_B64 --es msg {base64.b64encode(text.encode()).decode()}")
    assert find(d, rid="note_title")["text"] == text
    tap(d, desc="Save")
    assert d.fs.isfile(f"/sdcard/Notes/{text}.txt")


def test_clock_alarm_dialog_and_maps_search(d):
    tap(d, text="Clock")
    tap(d, desc="Add alarm")
    tap(d, rid="hour")
    d.shell("input text 6")
    tap(d, rid="minute")
    d.shell("input text 05")
    tap(d, text="OK")
    db = "/data/data/com.android.deskclock/databases/alarms.db"
    assert "6|5|1" in d.shell(f"sqlite3 {db} 'SELECT hour, minutes, enabled FROM alarm_templates'").text
    d.shell("input keyevent HOME")
    tap(d, text="Maps")
    tap(d, rid="search_omnibox_text_box")
    d.shell("input text 'pizza%snearby' && input keyevent ENTER")
    results = [n["text"] for n in nodes(d.ui_xml()) if n["resource-id"].endswith(":id/title") and n["text"]]
    assert results and set(results) <= set(PLACE_KINDS["Pizza"][0])
    tap(d, text=results[0])
    assert find(d, rid="address")
    assert d.shell("dumpsys window | grep mCurrentFocus").text.strip().endswith("PlaceActivity}")


def test_launcher_drawer_search_opens_app(d):
    d.shell("input swipe 540 1500 540 500")
    assert find(d, rid="search_box_input")
    tap(d, rid="search_box_input")
    d.shell("input text clo && input keyevent 66")
    assert d.wm.top.package == "com.android.deskclock"


def test_clear_field_with_ctrl_a_then_del(d):
    d.shell("am start -n com.android.contacts/.activities.ContactEditorActivity")
    tap(d, rid="name_field")
    d.shell("input text hello")
    d.shell("input keycombination 113 29 && input keyevent 67")
    assert find(d, rid="name_field")["text"] == "Name"  # the hint shows again: the field is empty
    assert d.wm.focused_value() == ""


def test_size_override_and_rotation_change_what_is_drawn(d):
    d.shell("wm size 720x1600")
    assert d.shell("wm size").text == "Physical size: 1080x2400\nOverride size: 720x1600\n"
    assert d.screenshot().size == (720, 1600)
    d.shell("wm size reset; settings put system user_rotation 1")
    assert d.screenshot().size == (2400, 1080)
    assert "orientation=1" in d.shell("dumpsys display").text
    assert '<hierarchy rotation="1">' in d.ui_xml()
    tap(d, text="Settings")  # the home screen lays out for landscape and stays tappable
    assert d.wm.top.package == "com.android.settings"


def test_message_on_a_contact_opens_that_conversation_in_messages(d):
    d.shell("am start -n com.android.contacts/.activities.PeopleActivity")
    name = next(n["text"] for n in nodes(d.ui_xml()) if n["resource-id"].endswith("cliv_name_textview"))
    tap(d, text=name)
    phone = find(d, rid="header_text")["text"]
    tap(d, rid="message_button")
    assert d.wm.top.component.endswith(".ui.conversation.ConversationActivity")
    assert d.wm.top.extras["address"] == phone
    tap(d, rid="compose_message_text")
    d.shell("input text 'Hi'")
    tap(d, desc="Send SMS")
    assert (
        f"address={phone}, body=Hi" in d.shell("content query --uri content://sms/sent --projection address:body").text
    )


def test_an_intent_no_app_answers_starts_nothing(d):
    before = d.wm.top
    assert d.start_activity("android.intent.action.SENDTO", "mailto:someone@example.com") is False
    assert d.wm.top is before
