"""A PIN-locked keyguard and a FLAG_SECURE screen, driven and checked through the real adb server."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sim_helpers import adb_find, adb_nodes, center

from qwen2vl_agent.envs.android.dumpsys import Keyguard, parse_keyguard

pytestmark = pytest.mark.timeout(60)


def keyguard(dev) -> Keyguard:
    return parse_keyguard(dev.shell("dumpsys window policy"))


def lock_with_pin(dev, pin: str = "1234") -> None:
    assert dev.shell(f"locksettings set-pin {pin}") == f"Pin set to '{pin}'"
    dev.shell("input keyevent SLEEP && input keyevent WAKEUP")


def raw_pixels(adb) -> np.ndarray:
    raw = adb("exec-out", "screencap", text=False).stdout
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(-1, 4)


def test_a_pin_keyguard_is_secure_and_resists_dismissal(phone, dev):
    assert keyguard(dev) == Keyguard(showing=False, secure=False)
    lock_with_pin(dev)
    assert keyguard(dev) == Keyguard(showing=True, secure=True)
    assert "Swipe up to enter your PIN" in [n["text"] for n in adb_nodes(dev)]
    dev.shell("wm dismiss-keyguard; input keyevent MENU")
    assert keyguard(dev).showing and phone.device.locked
    assert adb_find(dev, rid="keyguard_message_area")["text"] == "Enter your PIN"  # the PIN pad came up
    img = dev.screenshot(error_ok=False)
    assert img.getextrema() != ((0, 0), (0, 0), (0, 0))  # the lock screen is drawn
    assert (
        dev.shell("dumpsys window | grep mCurrentFocus").strip() == "mCurrentFocus=Window{3c1a2b9 u0 NotificationShade}"
    )


def test_wrong_pin_then_right_pin_on_the_drawn_keypad(phone, dev):
    lock_with_pin(dev, "2580")
    dev.shell("input swipe 540 2000 540 800 200")  # swipe up: the PIN pad
    dev.shell("input text 1111 && input keyevent ENTER")
    assert adb_find(dev, rid="keyguard_message_area")["text"] == "Wrong PIN"
    assert keyguard(dev).showing
    for digit in "2580":
        dev.click(*center(adb_find(dev, rid=f"key{digit}")))
    assert adb_find(dev, rid="pinEntry")["text"] == "••••"
    dev.click(*center(adb_find(dev, rid="key_enter")))
    assert keyguard(dev) == Keyguard(showing=False, secure=True)
    assert phone.device.wm.top.package == "com.google.android.apps.nexuslauncher"


def test_typed_pin_unlocks_and_locksettings_checks_the_old_pin(phone, adb):
    shell = lambda cmd: adb("shell", cmd)
    assert shell("locksettings set-pin 4321").stdout == "Pin set to '4321'\n"
    shell("input keyevent POWER; input keyevent POWER; wm dismiss-keyguard")
    shell("input text 4321; input keyevent 66")
    assert not phone.device.locked
    res = shell("locksettings clear")
    assert res.stdout == "Old password '' didn't match\n" and res.returncode == 255
    assert shell("locksettings clear --old 4321").stdout == "Lock credential cleared\n"
    shell("input keyevent SLEEP; input keyevent WAKEUP; wm dismiss-keyguard")
    assert not phone.device.locked  # no PIN any more: dismissal works


def test_a_flag_secure_screen_captures_black_but_dumps_its_views(phone, dev, adb):
    dev.shell("am start -a android.settings.SECURITY_SETTINGS")
    assert adb_find(dev, text="None")  # no screen lock yet
    dev.click(*center(adb_find(dev, text="Screen lock")))
    assert phone.device.wm.top.cls == ".password.ChooseLockPassword"
    assert "fl=LAYOUT_IN_SCREEN HARDWARE_ACCELERATED SECURE" in dev.shell("dumpsys window windows")
    pixels = raw_pixels(adb)
    assert not pixels[:, :3].any() and (pixels[:, 3] == 255).all()  # opaque black
    png = Image.open(io.BytesIO(adb("exec-out", "screencap -p", text=False).stdout))
    assert png.getextrema() == ((0, 0), (0, 0), (0, 0), (255, 255))  # opaque black, RGBA as a phone writes it
    assert adb_find(dev, rid="title")["text"] == "Choose your PIN"  # the UI tree is not hidden
    for _ in range(2):
        dev.click(*center(adb_find(dev, rid="password_entry")))
        dev.shell("input text 5678 && input keyevent ENTER")
    assert phone.device.keyguard.pin == "5678"
    assert adb_find(dev, text="PIN set")  # the toast, over the Security page
    assert adb_find(dev, text="Screen lock") and adb_find(dev, text="PIN")
    assert raw_pixels(adb)[:, :3].any()  # off the secure screen, captures show the screen again


def test_changing_the_pin_asks_for_the_current_one(phone, dev):
    dev.shell("locksettings set-pin 1111")
    dev.shell("am start -a android.settings.SECURITY_SETTINGS")
    dev.click(*center(adb_find(dev, text="Screen lock")))
    assert adb_find(dev, rid="title")["text"] == "Confirm your PIN"
    dev.click(*center(adb_find(dev, rid="password_entry")))
    dev.shell("input text 9999 && input keyevent ENTER")
    assert adb_find(dev, rid="message")["text"] == "Wrong PIN"
    dev.shell("input text 1111 && input keyevent ENTER")
    assert adb_find(dev, rid="title")["text"] == "Choose your PIN"
    dev.shell("input text 12 && input keyevent ENTER")
    assert adb_find(dev, rid="message")["text"] == "PIN must be at least 4 digits"
    assert phone.device.keyguard.pin == "1111"
