"""``uiautomator dump`` cannot get an idle state while a screen transition animates (with ``idle_errors``)."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.sim import Device
from qwen2vl_agent.envs.sim.animation import ANIMATION_MS, SCALES, Animations

pytestmark = pytest.mark.timeout(60)

IDLE_ERROR = "ERROR: could not get idle state.\n"
SETTINGS = "am start -n com.android.settings/.Settings"


def set_scales(dev, value: str) -> None:
    dev.shell("; ".join(f"settings put global {key} {value}" for key in SCALES))


@pytest.fixture
def clock(helpers):
    """Time stands still unless the test moves it: an animation runs until the test ends it."""
    return helpers.FakeClock()


@pytest.fixture
def busy_phone(phone, clock):
    real = phone.device.animations
    phone.device.idle_errors, phone.device.animations = True, Animations(now=clock)
    yield phone
    phone.device.idle_errors, phone.device.animations = False, real


def test_dump_fails_right_after_a_transition_then_succeeds(busy_phone, adb, clock):
    adb("shell", "settings put global transition_animation_scale 3")  # 1.2 s of device time
    adb("shell", f"rm -f /sdcard/window_dump.xml; {SETTINGS}")
    res = adb("shell", "uiautomator dump")
    assert (res.stdout, res.stderr, res.returncode) == ("", IDLE_ERROR, 0)  # a failure that exits 0
    assert not busy_phone.device.fs.exists("/sdcard/window_dump.xml")
    clock.advance(ANIMATION_MS / 1000 * 3 - 0.01)
    assert busy_phone.device.animating()  # still animating until its 1.2 s are up
    clock.advance(0.02)
    assert not busy_phone.device.animating()
    adb("shell", "input keyevent VOLUME_UP; settings get global wifi_on")  # no transition: nothing animates
    assert adb("shell", "uiautomator dump").stdout == "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    assert 'text="Network &amp; internet"' in busy_phone.device.fs.read_text("/sdcard/window_dump.xml")


def test_with_animations_off_a_dump_always_succeeds(busy_phone, dev):
    set_scales(dev, "0")
    for cmd in (SETTINGS, "input keyevent BACK", "input keyevent APP_SWITCH", "input keyevent HOME"):
        assert dev.shell(f"{cmd}; uiautomator dump /dev/tty").endswith("UI hierchary dumped to: /dev/tty")


@pytest.mark.parametrize(
    ("change", "animates"),
    [
        (SETTINGS, True),
        ("input keyevent POWER", True),  # the screen turning off animates too
        ("input swipe 540 10 540 900", True),  # the notification shade
        ("settings put global wifi_on 0", False),
        ("input tap 5 900", False),  # wallpaper: nothing changes
    ],
)
def test_which_changes_animate(change, animates, clock):
    d = Device(seed=0, idle_errors=True)
    d.animations = Animations(now=clock)
    d.shell(change)
    assert d.animating() is animates
    assert (d.shell("uiautomator dump /dev/tty").stderr == IDLE_ERROR.encode()) is animates


def test_without_idle_errors_the_animation_never_blocks_a_dump(device):
    device.shell(SETTINGS)
    assert not device.animating()
    assert device.shell("uiautomator dump").text == "UI hierchary dumped to: /sdcard/window_dump.xml\n"
