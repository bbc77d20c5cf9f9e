"""Factory state of the simulated phone: system properties, settings, key codes, system packages."""

from __future__ import annotations

import random

START_EPOCH = 1728984600  # Tue 2024-10-15 09:30:00 UTC: a fixed, seeded-run-independent boot time
GBOARD = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"
ADB_KEYBOARD = "com.android.adbkeyboard/.AdbIME"
LAUNCHER = "com.google.android.apps.nexuslauncher"  # the home app; the window manager always keeps its task

SYSTEM_PACKAGES = {
    "android": "Android System",
    "com.android.systemui": "System UI",
    "com.android.shell": "Shell",
    "com.android.providers.settings": "Settings Storage",
    "com.android.providers.contacts": "Contacts Storage",
    "com.android.providers.telephony": "Phone and Messaging Storage",
    "com.android.providers.media": "Media Storage",
    "com.android.phone": "Phone Services",
    "com.google.android.inputmethod.latin": "Gboard",
    "com.android.adbkeyboard": "ADB Keyboard",
}
THIRD_PARTY = {"com.android.adbkeyboard", "com.simplemobiletools.notes.pro"}


def props(size: tuple[int, int], density: int, serial: str) -> dict[str, str]:
    return {
        "ro.product.brand": "google",
        "ro.product.manufacturer": "Google",
        "ro.product.model": "SimPhone",
        "ro.product.name": "sim_phone",
        "ro.product.device": "simphone",
        "ro.product.cpu.abi": "x86_64",
        "ro.product.cpu.abilist": "x86_64,arm64-v8a",  # an emulator image with ARM translation
        "ro.product.cpu.abilist64": "x86_64,arm64-v8a",
        "ro.product.cpu.abilist32": "",
        "ro.hardware": "simphone",
        "ro.boot.hardware": "simphone",
        "ro.board.platform": "sim",
        "ro.build.version.security_patch": "2024-10-05",
        "ro.build.version.incremental": "10754064",
        "ro.build.date.utc": "1696000000",
        "ro.build.version.release": "14",
        "ro.build.version.sdk": "34",
        "ro.build.type": "userdebug",
        "ro.build.tags": "dev-keys",
        "ro.build.id": "UE1A.230829.036",
        "ro.build.fingerprint": "google/sim_phone/simphone:14/UE1A.230829.036/1:userdebug/dev-keys",
        "ro.build.characteristics": "phone",
        "ro.debuggable": "1",
        "ro.secure": "1",
        "ro.serialno": serial,
        "ro.sf.lcd_density": str(density),
        "ro.boot.qemu": "0",
        "sys.boot_completed": "1",
        "dev.bootcomplete": "1",
        "persist.sys.locale": "en-US",
        "persist.sys.timezone": "UTC",
        "service.adb.root": "1",
        "gsm.sim.operator.alpha": "SimCell",
        "net.hostname": "simphone",
        "ro.sim.display.size": f"{size[0]}x{size[1]}",
    }


def settings(rng: random.Random) -> dict[str, dict[str, str]]:
    return {
        "global": {
            "wifi_on": "1",
            "bluetooth_on": "0",
            "airplane_mode_on": "0",
            "mobile_data": "1",
            "data_roaming": "0",
            "adb_enabled": "1",
            "auto_time": "1",
            "auto_time_zone": "1",
            "development_settings_enabled": "1",
            "device_name": "SimPhone",
            "stay_on_while_plugged_in": "0",
            "window_animation_scale": "1.0",
            "transition_animation_scale": "1.0",
            "animator_duration_scale": "1.0",
        },
        "system": {
            "screen_brightness": "102",
            "screen_brightness_mode": "0",
            "screen_off_timeout": "60000",
            "font_scale": "1.0",
            "accelerometer_rotation": "0",
            "user_rotation": "0",
            "time_12_24": "12",
            "haptic_feedback_enabled": "1",
            "sound_effects_enabled": "1",
            "volume_ring": "5",
            "volume_music": "7",
        },
        "secure": {
            "android_id": f"{rng.getrandbits(64):016x}",
            "default_input_method": GBOARD,
            "enabled_input_methods": GBOARD,
            "location_mode": "3",
            "ui_night_mode": "1",
            "accessibility_enabled": "0",
            "bluetooth_name": "SimPhone",
            "show_ime_with_hard_keyboard": "1",
        },
    }


KEYCODES = {
    "UNKNOWN": 0, "SOFT_LEFT": 1, "SOFT_RIGHT": 2, "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6,
    "STAR": 17, "POUND": 18, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21, "DPAD_RIGHT": 22,
    "DPAD_CENTER": 23, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27, "CLEAR": 28,
    "COMMA": 55, "PERIOD": 56, "ALT_LEFT": 57, "ALT_RIGHT": 58, "SHIFT_LEFT": 59, "SHIFT_RIGHT": 60,
    "TAB": 61, "SPACE": 62, "SYM": 63, "EXPLORER": 64, "ENVELOPE": 65, "ENTER": 66, "DEL": 67, "GRAVE": 68,
    "MINUS": 69, "EQUALS": 70, "LEFT_BRACKET": 71, "RIGHT_BRACKET": 72, "BACKSLASH": 73, "SEMICOLON": 74,
    "APOSTROPHE": 75, "SLASH": 76, "AT": 77, "NUM": 78, "HEADSETHOOK": 79, "FOCUS": 80, "PLUS": 81, "MENU": 82,
    "NOTIFICATION": 83, "SEARCH": 84, "MEDIA_PLAY_PAUSE": 85, "PAGE_UP": 92, "PAGE_DOWN": 93, "ESCAPE": 111,
    "FORWARD_DEL": 112, "CTRL_LEFT": 113, "CTRL_RIGHT": 114, "MOVE_HOME": 122, "MOVE_END": 123,
    "VOLUME_MUTE": 164, "SETTINGS": 176, "APP_SWITCH": 187, "SLEEP": 223, "WAKEUP": 224,
}  # fmt: skip
KEYCODES.update({chr(c): 29 + c - ord("A") for c in range(ord("A"), ord("Z") + 1)})
KEYCODES.update({str(d): 7 + d for d in range(10)})

KEY_CHARS = {KEYCODES[chr(c)]: chr(c).lower() for c in range(ord("A"), ord("Z") + 1)}
KEY_CHARS.update({7 + d: str(d) for d in range(10)})
KEY_CHARS.update({
    17: "*", 18: "#", 55: ",", 56: ".", 61: "\t", 62: " ", 68: "`", 69: "-", 70: "=", 71: "[", 72: "]",
    73: "\\", 74: ";", 75: "'", 76: "/", 77: "@", 81: "+",
})  # fmt: skip


def keycode(name: str) -> int | None:
    """``66``, ``ENTER`` or ``KEYCODE_ENTER`` -> 66; None when unknown."""
    if name.isdigit():
        return int(name)
    name = name.upper()
    name = name[len("KEYCODE_") :] if name.startswith("KEYCODE_") else name
    return KEYCODES.get(name)
