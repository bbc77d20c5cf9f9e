"""Typed text is checked against the focused field (the fake phone): nothing is typed when no text field has
focus, and the result says what the field shows afterwards, so text can never vanish behind a success."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import ActionRejected
from qwen2vl_agent.envs.android import ADB_KEYBOARD_IME, FakeAdb, FakePhone, SettlePolicy, open_android
from qwen2vl_agent.tools import Tap, Type

LAUNCHER = "com.google.android.apps.nexuslauncher"
FAST = dict(settle=SettlePolicy(timeout_s=0.5, interval_s=0.0))


def typed_commands(transport) -> list[tuple[str, ...]]:
    return [c for c in transport.calls if c[:2] == ("input", "text") or c[:2] == ("am", "broadcast")]


def run_type(phone: FakePhone, text: str, **options) -> tuple[str, list[tuple[str, ...]]]:
    """Type ``text`` on a fresh env; the outcome message and the typing commands sent."""
    transport = phone.transport()
    with open_android(transport=transport, **FAST, **options) as env:
        env.reset()
        message = env.execute(Type(text=text)).message
    return message, typed_commands(transport)


@pytest.mark.parametrize("adbkeyboard", [False, True])
def test_no_focused_field_is_rejected_and_nothing_is_typed(adbkeyboard):
    phone = FakePhone(focused=False)
    if adbkeyboard:
        phone.imes.append(ADB_KEYBOARD_IME)
    transport = phone.transport()
    with open_android(transport=transport, **FAST) as env:
        env.reset()
        with pytest.raises(ActionRejected, match="No text field is focused: tap the field first"):
            env.execute(Type(text="héllo" if adbkeyboard else "hello"))
    assert typed_commands(transport) == []
    assert phone.settings[("secure", "default_input_method")] == phone.imes[0]  # the IME was never switched


def test_text_that_arrives_is_reported_with_what_the_field_shows():
    phone = FakePhone(typed="Hello", hint="Message")
    message, sent = run_type(phone, " world")
    assert phone.typed == "Hello world" and sent == [("input", "text", "%sworld")]
    assert message == 'Typed " world" into the focused text field; it now shows "Hello world".'


def test_an_empty_field_showing_its_hint_is_no_obstacle():
    phone = FakePhone(hint="Search apps")
    message, _ = run_type(phone, "Search")
    assert message == 'Typed "Search" into the focused text field; it now shows "Search".'


@pytest.mark.parametrize(
    ("before", "text", "shows"),
    [
        ("", "hello", "hel"),  # an input filter kept three characters
        ("abc", "abc", "abc"),  # nothing arrived, though the field already held the same text
    ],
)
def test_text_that_did_not_arrive_is_reported_as_such(before, text, shows):
    phone = FakePhone(typed=before, max_length=3)
    message, _ = run_type(phone, text)
    assert phone.typed == shows
    assert message == f'Typed "{text}", but the focused text field shows "{shows}".'


def test_a_field_that_loses_focus_is_not_claimed_as_typed_into():
    phone = FakePhone()

    def handler(argv):
        answer = phone(argv)
        if argv[:2] == ("input", "text"):
            phone.focused = False  # e.g. the app moved on while the text went in
        return answer

    with open_android(transport=FakeAdb(handler), **FAST) as env:
        env.reset()
        message = env.execute(Type(text="hello")).message
    assert message == 'Typed "hello", but afterwards no text field has focus, so it could not be read back.'


@pytest.mark.parametrize(("before", "text", "expected"), [("", "secret12", 8), ("ab", "cd", 4)])
def test_a_password_field_is_checked_by_its_length(before, text, expected):
    phone = FakePhone(typed=before, password=True, hint="PIN")
    message, _ = run_type(phone, text)
    n = len(text)
    assert message == (
        f"Typed {n} characters into the focused password field; it now shows {expected} hidden characters."
    )
    assert text not in message


def test_a_password_field_that_kept_less_says_so():
    phone = FakePhone(password=True, max_length=4)
    message, _ = run_type(phone, "secret12")
    assert message == "Typed 8 characters, but the focused password field shows 4 hidden characters."


def test_unicode_through_adbkeyboard_is_checked_too():
    phone = FakePhone()
    phone.imes.append(ADB_KEYBOARD_IME)
    message, _ = run_type(phone, "你好 🙂")
    assert message == 'Typed "你好 🙂" into the focused text field; it now shows "你好 🙂".'


def test_when_the_ui_tree_cannot_be_read_the_text_is_typed_and_the_result_says_it_was_not_checked(monkeypatch):
    monkeypatch.setattr("qwen2vl_agent.envs.android.device.time.sleep", lambda s: None)
    phone = FakePhone(focused=False)
    transport = phone.transport()
    with open_android(transport=transport, **FAST) as env:
        env.reset()
        phone.ui_busy = 100
        message = env.execute(Type(text="hello")).message
    assert message.startswith('Typed "hello" without checking for a focused text field: the UI tree could not')
    assert typed_commands(transport) == [("input", "text", "hello")]


def test_long_texts_are_shown_clipped():
    phone = FakePhone()
    message, _ = run_type(phone, "x" * 500)
    assert phone.typed == "x" * 500
    assert len(message) < 300 and "..." in message


def test_the_check_can_be_turned_off_for_apps_without_an_accessible_field():
    phone = FakePhone(focused=False)
    message, sent = run_type(phone, "hello", check_typing=False)
    assert sent == [("input", "text", "hello")]
    assert message == 'Typed "hello" (the field was not checked: check_typing is off).'


def test_checking_costs_two_ui_dumps_per_type():
    phone = FakePhone()
    transport = phone.transport()
    with open_android(transport=transport, **FAST) as env:
        env.reset()
        before = len(transport.commands("uiautomator"))
        env.execute(Type(text="hello"))
        assert len(transport.commands("uiautomator")) - before == 2


# ---------------------------------------------------------------- the simulated phone, through the real adb server


def open_search(env, phone, center) -> None:
    """Tap the home screen's search pill: the app drawer opens with its search field focused."""
    env.execute(Tap(point=center(phone.device.ui_xml(), text="Search")))
    assert phone.device.wm.focused_value() == ""


def test_sim_no_focused_field_is_rejected_and_nothing_is_typed(sim_env, sim_phone):
    screen = sim_phone.device.ui_xml()
    with pytest.raises(ActionRejected, match="No text field is focused: tap the field first"):
        sim_env.execute(Type(text="Settings\n"))  # typed blind, the Enter would open whatever matched
    assert sim_phone.device.wm.focus is None and sim_phone.device.wm.top.package == LAUNCHER
    assert sim_phone.device.ui_xml() == screen


def test_sim_text_that_arrives_is_reported_with_what_the_field_shows(sim_env, sim_phone, center):
    open_search(sim_env, sim_phone, center)
    assert sim_env.execute(Type(text="Sett")).message == (
        'Typed "Sett" into the focused text field; it now shows "Sett".'
    )
    assert sim_env.execute(Type(text="ings")).message == (
        'Typed "ings" into the focused text field; it now shows "Settings".'
    )
    assert sim_phone.device.wm.focused_value() == "Settings"


def test_sim_text_the_field_changes_is_reported_as_it_shows(sim_env, sim_phone, center, monkeypatch):
    open_search(sim_env, sim_phone, center)
    wm = sim_phone.device.wm
    keep_three = wm.type
    monkeypatch.setattr(wm, "type", lambda text: keep_three(text[: max(0, 3 - len(wm.focused_value() or ""))]))
    message = sim_env.execute(Type(text="Contacts")).message
    assert wm.focused_value() == "Con"
    assert message == 'Typed "Contacts", but the focused text field shows "Con".'


def test_sim_enter_that_submits_says_the_field_is_gone(sim_env, sim_phone, center):
    open_search(sim_env, sim_phone, center)
    message = sim_env.execute(Type(text="Contac\n")).message
    assert sim_phone.device.wm.top.package == "com.android.contacts"
    assert message == 'Typed "Contac\\n", but afterwards no text field has focus, so it could not be read back.'


def test_sim_a_password_field_is_checked_without_echoing_it(sim_env, sim_phone, center):
    sim_phone.device.shell("am start -a android.app.action.SET_NEW_PASSWORD")
    rid = "com.android.settings:id/password_entry"
    sim_env.execute(Tap(point=center(sim_phone.device.ui_xml(), resource_id=rid)))
    message = sim_env.execute(Type(text="2580")).message
    assert sim_phone.device.wm.focused_value() == "2580"
    assert message == "Typed 4 characters into the focused password field; it now shows 4 hidden characters."
