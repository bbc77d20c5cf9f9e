"""More system services, in Android 14's layouts: ``dumpsys battery|wifi|connectivity|meminfo|cpuinfo|
notification|deviceidle``, ``cmd wifi|connectivity``, ``am stack list`` and ``pm list features|users``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..procfs import MEM_TOTAL_KB
from .cmd_procs import IPV4, MAC
from .interp import Proc

if TYPE_CHECKING:
    from ..ports import Phone

FEATURES = ["android.hardware.audio.output", "android.hardware.bluetooth", "android.hardware.camera",
            "android.hardware.faketouch", "android.hardware.location", "android.hardware.location.gps",
            "android.hardware.microphone", "android.hardware.screen.landscape", "android.hardware.screen.portrait",
            "android.hardware.sensor.accelerometer", "android.hardware.telephony", "android.hardware.touchscreen",
            "android.hardware.touchscreen.multitouch", "android.hardware.wifi", "android.software.app_widgets",
            "android.software.home_screen", "android.software.input_methods", "android.software.webview"]  # fmt: skip


def _wifi_on(dev: Phone) -> bool:
    return dev.settings.on("global", "wifi_on") and not dev.settings.on("global", "airplane_mode_on")


def battery(p: Proc, args: list[str]) -> None:
    p.out("Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  Wireless powered: false\n"
          "  Dock powered: false\n  Max charging current: 500000\n  Max charging voltage: 5000000\n"
          "  Charge counter: 3875000\n  status: 2\n  health: 2\n  present: true\n  level: 85\n  scale: 100\n"
          "  voltage: 4211\n  temperature: 250\n  technology: Li-ion\n")  # fmt: skip


def wifi(p: Proc, args: list[str]) -> None:
    on = _wifi_on(p.device)
    p.out(f"Wi-Fi is {'enabled' if on else 'disabled'}\nVerbose logging is off\n")
    if on:
        p.out(f'mWifiInfo SSID: "SimNet", BSSID: 02:15:b2:00:01:00, MAC: {MAC}, IP: /{IPV4}, Security type: 2, '
              "Supplicant state: COMPLETED, Wi-Fi standard: 4, RSSI: -50, Link speed: 144Mbps, "
              "Frequency: 5180MHz\n")  # fmt: skip


def connectivity(p: Proc, args: list[str]) -> None:
    on = _wifi_on(p.device)
    p.out("NetworkProviders for:\n  WifiNetworkProvider\n\nActive default network: "
          f"{'100' if on else 'none'}\n\nCurrent Networks:\n")  # fmt: skip
    if on:
        p.out("  NetworkAgentInfo{network{100}  handle{430242345997}  ni{WIFI CONNECTED extra: } "
              "Score(Policies : IS_VALIDATED&IS_UNMETERED) lp{{InterfaceName: wlan0 LinkAddresses: "
              f"[ {IPV4}/24 ] DnsAddresses: [ /10.0.2.3 ]}}}} nc{{[ Transports: WIFI Capabilities: "
              "INTERNET&NOT_METERED&VALIDATED ]}}}\n")  # fmt: skip
    airplane = p.device.settings.on("global", "airplane_mode_on")
    p.out(f"\nmAirplaneMode={str(airplane).lower()}\n")


def meminfo(p: Proc, args: list[str]) -> None:
    procs = [x for x in p.device.procs.all() if x.rss]
    p.out("Applications Memory Usage (in Kilobytes):\nUptime: 3600000 Realtime: 3600000\n\n"
          "Total PSS by process:\n")  # fmt: skip
    for x in sorted(procs, key=lambda x: -x.rss):
        p.out(f"{x.rss:>11,}K: {x.name} (pid {x.pid})\n")
    used = sum(x.rss for x in procs)
    p.out(f"\nTotal RAM: {MEM_TOTAL_KB:,}K (status normal)\n Free RAM: {MEM_TOTAL_KB - used - 2_400_000:,}K\n"
          f" Used RAM: {used + 2_400_000:,}K\n Lost RAM:    52,312K\n")  # fmt: skip


def cpuinfo(p: Proc, args: list[str]) -> None:
    p.out("Load: 1.02 / 0.87 / 0.79\nCPU usage from 60012ms to 12ms ago:\n")
    for x in p.device.procs.all()[:8]:
        share = (x.pid * 7) % 9 / 10
        p.out(f"  {share:.1f}% {x.pid}/{x.name}: {share * 0.6:.1f}% user + {share * 0.4:.1f}% kernel\n")
    p.out("4.1% TOTAL: 2.3% user + 1.5% kernel + 0.1% iowait + 0.1% irq + 0.1% softirq\n")


def notification(p: Proc, args: list[str]) -> None:
    p.out("Current Notification Manager state:\n  Notification List:\n")
    p.out("    NotificationRecord(0x0a1b2c3d: pkg=android user=UserHandle{0} id=17040401 tag=null "
          "importance=2 key=0|android|17040401|null|1000: Notification(channel=DEVELOPER_IMPORTANT "
          "shortcut=null contentView=null vibrate=null sound=null defaults=0x0 flags=0x2 color=0x00000000 "
          "vis=PUBLIC))\n")  # fmt: skip
    p.out("  mNotificationsEnabledForPackage: all\n")


def deviceidle(p: Proc, args: list[str]) -> None:
    awake = p.device.awake
    p.out(f"  Settings:\n    light_after_inactive_to=+3m0s0ms\n  mLightEnabled=true  mDeepEnabled=true\n"
          f"  mForceIdle=false\n  mScreenOn={str(awake).lower()}\n  mCharging=true\n  mState=ACTIVE "
          "mLightState=ACTIVE\n")  # fmt: skip


DUMPSYS = {"battery": battery, "wifi": wifi, "connectivity": connectivity, "meminfo": meminfo, "cpuinfo": cpuinfo,
           "notification": notification, "deviceidle": deviceidle}  # fmt: skip


def cmd_wifi(p: Proc, rest: list[str]) -> int:
    sub = rest[0] if rest else ""
    if sub == "set-wifi-enabled" and len(rest) > 1:
        p.device.settings.put("global", "wifi_on", "1" if rest[1] == "enabled" else "0")
        return 0
    if sub == "status":
        on = _wifi_on(p.device)
        p.out(f"Wifi is {'enabled' if on else 'disabled'}\n")
        p.out(
            'Wifi is connected to "SimNet"\nWifiInfo: SSID: "SimNet", RSSI: -50\n' if on else "Wifi is not connected\n"
        )
        return 0
    if sub == "list-networks":
        p.out("Network Id      SSID                         Security type\n"
              "0            SimNet                         wpa2-psk\n")  # fmt: skip
        return 0
    return p.fail(f"Unknown command: '{sub}'", 255) if sub else p.fail("Wi-Fi (wifi) commands:", 255)


def cmd_connectivity(p: Proc, rest: list[str]) -> int:
    if rest[:1] == ["airplane-mode"]:
        if len(rest) == 1:
            p.out("enabled\n" if p.device.settings.on("global", "airplane_mode_on") else "disabled\n")
            return 0
        p.device.settings.put("global", "airplane_mode_on", "1" if rest[1] == "enable" else "0")
        return 0
    return p.fail("Connectivity service commands:\n  airplane-mode [enable|disable]", 255)


def stack_list(p: Proc) -> int:
    w, h = p.device.display_size()
    for i, task in enumerate(p.device.wm.tasks):
        top = task.top.component
        p.out(f"RootTask id={task.id} bounds=[0,0][{w},{h}] displayId=0 userId=0\n"
              f" configuration={{1.0 ?mcc?mnc [en_US] ldltr sw411dp w411dp h914dp 420dpi nrml long port finger "
              f"-keyb/v/h -nav/h winConfig={{ mBounds=Rect(0, 0 - {w}, {h}) }}}}\n"
              f"  taskId={task.id}: {top} bounds=[0,0][{w},{h}] userId=0 visible={str(i == 0).lower()} "
              f"topActivity=ComponentInfo{{{top}}}\n")  # fmt: skip
    return 0


def pm_list(p: Proc, what: str) -> int | None:
    """``pm list features`` and ``pm list users``; None for the other lists (the caller's)."""
    if what == "features":
        p.out("".join(f"feature:{f}\n" for f in FEATURES) + "feature:reqGlEsVersion=0x30002\n")
        return 0
    if what == "users":
        p.out("Users:\n\tUserInfo{0:Owner:c13} running\n")
        return 0
    return None
