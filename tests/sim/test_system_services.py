"""System services clients query: dumpsys battery/wifi/connectivity/meminfo/cpuinfo/notification/deviceidle,
cmd wifi/connectivity, am stack list, pm list features/users, getprop."""

from __future__ import annotations

import re

import pytest
from clients import adb_shell_device, ppadb_device

pytestmark = pytest.mark.timeout(60)


def test_dumpsys_battery_fields(device):
    text = device.shell("dumpsys battery").text
    assert text.startswith("Current Battery Service state:\n")
    fields = dict(re.findall(r"^  ([\w ]+): (.+)$", text, re.M))
    assert fields["level"] == "85" and fields["scale"] == "100" and fields["present"] == "true"


def test_wifi_and_connectivity_follow_settings(device):
    assert device.shell("dumpsys wifi").text.startswith("Wi-Fi is enabled")
    assert "NetworkAgentInfo{network{100}" in device.shell("dumpsys connectivity").text
    assert device.shell("cmd wifi status").text.startswith("Wifi is enabled")
    device.shell("cmd wifi set-wifi-enabled disabled")
    assert device.shell("dumpsys wifi").text.startswith("Wi-Fi is disabled")
    assert "NetworkAgentInfo" not in device.shell("dumpsys connectivity").text
    assert device.shell("cmd connectivity airplane-mode").text == "disabled\n"
    device.shell("cmd connectivity airplane-mode enable")
    assert device.settings.get("global", "airplane_mode_on") == "1"
    assert device.shell("cmd connectivity airplane-mode").text == "enabled\n"


def test_meminfo_cpuinfo_lists_running_apps(device):
    device.shell("am start -n com.android.settings/.Settings")
    pid = device.procs.by_name("com.android.settings")[0].pid
    mem = device.shell("dumpsys meminfo").text
    assert "Total PSS by process:" in mem and f"com.android.settings (pid {pid})" in mem
    assert re.search(r"^Total RAM: [\d,]+K", mem, re.M)
    assert device.shell("dumpsys cpuinfo").text.startswith("Load: ")


def test_notification_and_deviceidle(device):
    assert "NotificationRecord(" in device.shell("dumpsys notification").text
    assert "mState=ACTIVE" in device.shell("dumpsys deviceidle").text


def test_am_stack_list_shows_tasks_front_first(device):
    device.shell("am start -n com.android.settings/.Settings")
    text = device.shell("am stack list").text
    tasks = re.findall(r"taskId=(\d+): (\S+)", text)
    assert tasks[0][1] == "com.android.settings/com.android.settings.Settings"
    assert "visible=true" in text.splitlines()[2]


def test_pm_lists(device):
    features = device.shell("pm list features").text.splitlines()
    assert "feature:android.hardware.touchscreen" in features and all(f.startswith("feature:") for f in features)
    assert device.shell("pm list users").text == "Users:\n\tUserInfo{0:Owner:c13} running\n"


@pytest.mark.parametrize(("prop", "value"), [
    ("ro.product.cpu.abilist", "x86_64,arm64-v8a"), ("ro.hardware", "simphone"),
    ("ro.build.version.security_patch", "2024-10-05"),
])  # fmt: skip
def test_getprop(device, prop, value):
    assert device.shell(f"getprop {prop}").text == value + "\n"


def test_services_through_client_libraries(phone, dev):
    assert "level: 85" in dev.shell("dumpsys battery")
    assert ppadb_device(phone).shell("getprop ro.build.version.security_patch").strip() == "2024-10-05"
    assert dev.prop.get("ro.product.cpu.abilist") == "x86_64,arm64-v8a"
    dev.app_start("com.android.settings")
    top = ppadb_device(phone).shell("dumpsys activity top | grep ACTIVITY").splitlines()[-1]
    assert f"pid={phone.device.procs.by_name('com.android.settings')[0].pid}" in top
    direct = adb_shell_device(phone)
    try:
        assert direct.shell("cmd wifi status").startswith("Wifi is enabled")
    finally:
        direct.close()
