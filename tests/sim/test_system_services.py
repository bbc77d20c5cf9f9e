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


def test_service_call_surfaceflinger_1013_counts_composed_frames(device):
    """The page-flip count answers in the parcel format of ``service call``; it moves when the screen changes,
    not when it is looked at again."""
    reply = device.shell("service call SurfaceFlinger 1013")
    assert reply.status == 0 and re.fullmatch(r"Result: Parcel\([0-9a-f]{8}    '.{4}'\)\n", reply.text), reply.text
    count = lambda: int(device.shell("service call SurfaceFlinger 1013").text[15:23], 16)
    first = count()
    assert count() == first  # a static screen composes nothing
    device.shell("am start -n com.android.settings/.Settings")
    assert count() > first


def test_service_list_check_and_errors(device):
    listed = device.shell("service list").text.splitlines()
    assert re.fullmatch(r"Found \d+ services:", listed[0]) and int(listed[0].split()[1]) == len(listed) - 1
    assert "SurfaceFlinger: [android.ui.ISurfaceComposer]" in "\n".join(listed)
    assert device.shell("service check SurfaceFlinger").text == "Service SurfaceFlinger: found\n"
    assert device.shell("service check nosuch").text == "Service nosuch: not found\n"
    missing = device.shell("service call nosuch 1")
    assert missing.status == 10 and missing.stderr == b"service: Service nosuch does not exist\n"
    assert device.shell("service call SurfaceFlinger 1").text == "Result: Parcel(NULL)\n"  # a code it ignores
    usage = device.shell("service")
    assert usage.status == 10 and usage.text.startswith("Usage: service [-h|-?]\n")
