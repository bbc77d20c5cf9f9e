"""Parsers of Android tool output, with samples from several releases."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs import EnvError
from qwen2vl_agent.envs.android import dumpsys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Physical size: 1080x2400\n", ((1080, 2400), None)),
        ("Physical size: 1440x3120\nOverride size: 1080x2340\n", ((1440, 3120), (1080, 2340))),
        ("Physical size: 720 x 1280", ((720, 1280), None)),
    ],
)
def test_wm_size(text, expected):
    assert dumpsys.parse_wm_size(text) == expected


def test_wm_size_garbage_is_an_error():
    with pytest.raises(EnvError, match="screen size"):
        dumpsys.parse_wm_size("/system/bin/sh: wm: not found")


def test_wm_density():
    assert dumpsys.parse_wm_density("Physical density: 420\n") == 420
    assert dumpsys.parse_wm_density("Physical density: 560\nOverride density: 480\n") == 480
    assert dumpsys.parse_wm_density("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  mCurrentRotation=ROTATION_90\n", 1),  # Android 12+ dumpsys window displays
        ("  mCurrentRotation=ROTATION_0 mLastOrientation=-1", 0),
        ("  mRotation=3 mAltOrientation=false", 3),  # Android 9-11
        ("mOverrideDisplayInfo=DisplayInfo{..., 2400 x 1080, rotation 1, density 420}", 1),  # dumpsys display
        ("mCurrentOrientation=2", 2),
        ("nothing here", None),
    ],
)
def test_rotation(text, expected):
    assert dumpsys.parse_rotation(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Android 10-14 dumpsys window
        (
            "  mCurrentFocus=Window{5a3c1f2 u0 com.android.settings/com.android.settings.Settings}\n",
            "com.android.settings/com.android.settings.Settings",
        ),
        # a secondary user
        ("  mCurrentFocus=Window{1b2 u10 com.example.app/.MainActivity}", "com.example.app/.MainActivity"),
        # only the focused app token (Android 9)
        (
            "  mFocusedApp=AppWindowToken{9e2 token=Token{5f ActivityRecord{8a1 u0 com.android.chrome/"
            "com.google.android.apps.chrome.Main t31}}}",
            "com.android.chrome/com.google.android.apps.chrome.Main",
        ),
        # dumpsys activity activities, Android 7-9 and 10+
        (
            "    mResumedActivity: ActivityRecord{2c1 u0 com.android.dialer/.main.impl.MainActivity t5}",
            "com.android.dialer/.main.impl.MainActivity",
        ),
        (
            "  topResumedActivity=ActivityRecord{7e u0 com.google.android.deskclock/com.android.deskclock.DeskClock t9}",
            "com.google.android.deskclock/com.android.deskclock.DeskClock",
        ),
        # a system window has focus
        ("  mCurrentFocus=Window{4f3 u0 NotificationShade}", "NotificationShade"),
        ("  mCurrentFocus=null\n  mFocusedApp=null", None),
    ],
)
def test_foreground(text, expected):
    assert dumpsys.parse_foreground(text) == expected


def test_package_of():
    assert dumpsys.package_of("com.android.settings/.Settings") == "com.android.settings"
    assert dumpsys.package_of("NotificationShade") is None
    assert dumpsys.package_of(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  mWakefulness=Awake\n", "Awake"),
        ("mWakefulness=Asleep", "Asleep"),
        ("mWakefulness=Dozing", "Dozing"),
        ("  mScreenOn=false", "Asleep"),
        ("", None),
    ],
)
def test_wakefulness(text, expected):
    assert dumpsys.parse_wakefulness(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "    KeyguardServiceDelegate\n      showing=true\n      showingAndNotOccluded=true\n"
            "      inputRestricted=true\n      occluded=false\n      secure=false\n",
            dumpsys.Keyguard(True, False),
        ),
        ("KeyguardServiceDelegate\n showing=false\n secure=true\n", dumpsys.Keyguard(False, True)),
        ("    mShowingLockscreen=true mShowingDream=false mDreamingLockscreen=true", dumpsys.Keyguard(True, None)),
        ("  KeyguardController:\n    mKeyguardShowing=false\n", dumpsys.Keyguard(False, None)),
        ("", dumpsys.Keyguard(None, None)),
    ],
)
def test_keyguard(text, expected):
    assert dumpsys.parse_keyguard(text) == expected


def test_packages_and_components():
    assert dumpsys.parse_packages("package:com.a\npackage:/data/app/x/base.apk=com.b\nnoise\n") == ["com.a", "com.b"]
    text = (
        "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n"
        "com.android.settings/.Settings\n"
        "priority=0 preferredOrder=0 match=0x108000\n"
        "  com.google.android.deskclock/com.android.deskclock.DeskClock\n"
        "com.android.settings/.Other\n"
    )
    assert dumpsys.parse_components(text) == {
        "com.android.settings": "com.android.settings/.Settings",
        "com.google.android.deskclock": "com.google.android.deskclock/com.android.deskclock.DeskClock",
    }


def test_ime_list_and_settings():
    text = (
        "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME\ncom.android.adbkeyboard/.AdbIME\n"
    )
    assert dumpsys.parse_ime_list(text)[1] == "com.android.adbkeyboard/.AdbIME"
    assert dumpsys.parse_setting("null\n") is None
    assert dumpsys.parse_setting("1.0\n") == "1.0"


def test_ui_dump_result():
    assert dumpsys.ui_dump_failed("UI hierchary dumped to: /sdcard/window_dump.xml\n") is None
    assert "idle" in dumpsys.ui_dump_failed("ERROR: could not get idle state.\n")
