"""Settings (com.android.settings): every switch and slider reads and writes the ``settings`` store.

Wi-Fi ``global wifi_on``, Bluetooth ``global bluetooth_on``, airplane mode ``global airplane_mode_on``
(turning it on also turns the radios off, as Android does), mobile data ``global mobile_data``, brightness
``system screen_brightness`` (0-255), dark theme ``secure ui_night_mode`` (2 on, 1 off), auto-rotate
``system accelerometer_rotation``, screen timeout ``system screen_off_timeout`` (ms), ring volume
``system volume_ring`` (0-7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ui import theme
from ..ui.node import Node, Rect
from .base import App
from .settings_more import AppInfo, ChooseLockPin, Security
from .settings_page import Page

if TYPE_CHECKING:
    from ..ui.widgets import Row, Ui
    from .base import DeviceView

TIMEOUTS = (("15 seconds", 15000), ("30 seconds", 30000), ("1 minute", 60000), ("2 minutes", 120000),
            ("5 minutes", 300000), ("10 minutes", 600000), ("30 minutes", 1800000))  # fmt: skip
NETWORKS = ("SimNet", "SimNet-5G", "CoffeeShop Guest", "Library Free WiFi", "NETGEAR42")


def toggle_global(device: DeviceView, key: str) -> None:
    on = device.settings.on("global", key)
    device.settings.put("global", key, "0" if on else "1")


def set_airplane(device: DeviceView, on: bool) -> None:
    device.settings.put("global", "airplane_mode_on", "1" if on else "0")
    if on:
        device.settings.put("global", "wifi_on", "0")
        device.settings.put("global", "bluetooth_on", "0")


def set_brightness(device: DeviceView, frac: float) -> None:
    device.settings.put("system", "screen_brightness", str(round(frac * 255)))


class SettingsHome(Page):
    cls = ".Settings"
    home = True
    actions = ("android.settings.SETTINGS",)

    def rows(self, ui: Ui) -> list[Row]:
        wifi = "Wi-Fi" if self.s.on("global", "wifi_on") else "Wi-Fi off"
        if self.s.on("global", "airplane_mode_on"):
            wifi = "Airplane mode on"
        bt = "Bluetooth on" if self.s.on("global", "bluetooth_on") else "Bluetooth off"
        level = round(self.s.number("system", "screen_brightness", 102) / 255 * 100)
        return [
            self.link(ui, "Network & internet", f"Mobile, {wifi}, hotspot", Network, "◥"),
            self.link(ui, "Connected devices", bt, ConnectedDevices, "✱"),
            self.link(ui, "Apps", "Recent apps, default apps", AppsPage, "▦"),
            self.link(ui, "Display", f"Dark theme, font size, brightness {level}%", Display, "☀"),
            self.link(ui, "Sound & vibration", "Volume, haptics, Do Not Disturb", Sound, "♪"),
            self.link(ui, "Security & privacy", "Screen lock", Security, "⚷"),
            self.link(ui, "About phone", self.s.get("global", "device_name") or "SimPhone", About, "ℹ"),
        ]


class Network(Page):
    cls = ".Settings$NetworkDashboardActivity"
    actions = ("android.settings.WIRELESS_SETTINGS", "android.settings.AIRPLANE_MODE_SETTINGS")
    title = "Network & internet"

    def rows(self, ui: Ui) -> list[Row]:
        wifi, plane = self.s.on("global", "wifi_on"), self.s.on("global", "airplane_mode_on")
        return [
            self.link(ui, "Internet", "SimNet" if wifi else "Wi-Fi is off", Wifi, "◥"),
            self.toggle(
                ui,
                "Wi-Fi",
                "Connected to SimNet" if wifi else "Off",
                wifi,
                lambda: toggle_global(self.device, "wifi_on"),
                "wifi_toggle",
            ),
            self.toggle(
                ui,
                "Mobile data",
                "SimCell",
                self.s.on("global", "mobile_data"),
                lambda: toggle_global(self.device, "mobile_data"),
                "mobile_data",
            ),
            self.toggle(ui, "Airplane mode", "", plane, lambda: set_airplane(self.device, not plane), "airplane_mode"),
        ]


class Wifi(Page):
    cls = ".Settings$WifiSettingsActivity"
    actions = ("android.settings.WIFI_SETTINGS",)
    title = "Internet"

    def rows(self, ui: Ui) -> list[Row]:
        on = self.s.on("global", "wifi_on")
        rows = [self.toggle(ui, "Wi-Fi", "", on, lambda: toggle_global(self.device, "wifi_on"), "wifi_toggle")]
        if on:
            rows.append(self.header(ui, "Available networks"))
            for i, ssid in enumerate(NETWORKS):
                summary = "Connected" if i == 0 else "Saved" if i == 1 else "Secured" if i % 2 else "Open"
                rows.append((ui.dp(76), lambda r, t=ssid, s=summary: ui.row(r, t, s, lambda: None)))
        else:
            rows.append((ui.dp(76), lambda r: ui.text(r, "To see available networks, turn Wi-Fi on.", 15,
                                                      theme.SUBTLE, pad=16)))  # fmt: skip
        return rows


class ConnectedDevices(Page):
    cls = ".Settings$ConnectedDeviceDashboardActivity"
    actions = ("android.settings.BLUETOOTH_SETTINGS",)
    title = "Connected devices"

    def rows(self, ui: Ui) -> list[Row]:
        on = self.s.on("global", "bluetooth_on")
        rows = [self.toggle(ui, "Use Bluetooth", "", on, lambda: toggle_global(self.device, "bluetooth_on"),
                            "bluetooth_toggle")]  # fmt: skip
        rows.append(self.header(ui, "Saved devices"))
        for name in ("Pixel Buds Pro", "Car Audio"):
            rows.append((ui.dp(76), lambda r, n=name: ui.row(r, n, "Connected" if on and n == "Car Audio" else "")))
        return rows


class Display(Page):
    cls = ".Settings$DisplaySettingsActivity"
    actions = ("android.settings.DISPLAY_SETTINGS",)
    title = "Display"

    def rows(self, ui: Ui) -> list[Row]:
        level = self.s.number("system", "screen_brightness", 102) / 255
        night = self.s.get("secure", "ui_night_mode") == "2"
        rotate = self.s.on("system", "accelerometer_rotation")
        timeout = int(self.s.number("system", "screen_off_timeout", 60000))
        label = next((t for t, ms in TIMEOUTS if ms == timeout), f"{timeout // 1000} seconds")
        return [
            self.header(ui, "Brightness level"),
            (
                ui.dp(64),
                lambda r: ui.slider(
                    r, level, lambda f: set_brightness(self.device, f), "brightness_slider", "Brightness level"
                ),
            ),
            self.toggle(ui, "Dark theme", "", night, self._night, "dark_ui_mode"),
            self.toggle(ui, "Auto-rotate screen", "", rotate, self._rotate, "auto_rotate"),
            (ui.dp(76), lambda r: ui.row(r, "Screen timeout", f"After {label} of inactivity", self._timeout)),
        ]

    def _night(self) -> None:
        self.s.put("secure", "ui_night_mode", "1" if self.s.get("secure", "ui_night_mode") == "2" else "2")

    def _rotate(self) -> None:
        toggle_global_ns(self.device, "system", "accelerometer_rotation")

    def _timeout(self) -> None:
        def body(rect: Rect) -> list[Node]:
            h = (rect[3] - rect[1]) // len(TIMEOUTS)
            return [self._choice(rect, i, h, t, ms) for i, (t, ms) in enumerate(TIMEOUTS)]

        self.show(lambda ui: ui.dialog("Screen timeout", "", [("Cancel", self.dismiss)], body, 48 * len(TIMEOUTS)))

    def _choice(self, rect: Rect, i: int, h: int, label: str, ms: int) -> Node:
        def pick() -> None:
            self.s.put("system", "screen_off_timeout", str(ms))
            self.dismiss()

        current = self.s.get("system", "screen_off_timeout") == str(ms)
        y = rect[1] + i * h
        return Node("android.widget.CheckedTextView", (rect[0], y, rect[2], y + h), label, "text1", clickable=True,
                    checkable=True, checked=current, size=self.device.dp(16), bold=current,
                    fg=theme.PRIMARY if current else theme.TEXT, on_tap=pick)  # fmt: skip


def toggle_global_ns(device: DeviceView, ns: str, key: str) -> None:
    device.settings.put(ns, key, "0" if device.settings.on(ns, key) else "1")


class Sound(Page):
    cls = ".Settings$SoundSettingsActivity"
    actions = ("android.settings.SOUND_SETTINGS",)
    title = "Sound & vibration"

    def rows(self, ui: Ui) -> list[Row]:
        ring = self.s.number("system", "volume_ring", 5) / 7
        return [
            self.header(ui, "Ring volume"),
            (ui.dp(64), lambda r: ui.slider(r, ring, self._ring, "ring_volume", "Ring volume")),
            self.toggle(
                ui,
                "Vibrate for calls",
                "",
                self.s.on("system", "haptic_feedback_enabled"),
                lambda: toggle_global_ns(self.device, "system", "haptic_feedback_enabled"),
                "vibrate",
            ),
        ]

    def _ring(self, frac: float) -> None:
        self.s.put("system", "volume_ring", str(round(frac * 7)))


class AppsPage(Page):
    cls = ".Settings$ManageApplicationsActivity"
    actions = ("android.settings.APPLICATION_SETTINGS", "android.settings.MANAGE_APPLICATIONS_SETTINGS")
    title = "Apps"

    def rows(self, ui: Ui) -> list[Row]:
        return [(ui.dp(76), lambda r, a=app: self._app_row(ui, r, a)) for app in self.device.launchable()]

    def _app_row(self, ui: Ui, r: Rect, app: App) -> Node:
        open_info = lambda: self.start(AppInfo, package=app.package)
        return ui.row(r, app.label, app.package, open_info, lead=ui.avatar((0, 0, 0, 0), app.label))


class About(Page):
    cls = ".Settings$MyDeviceInfoActivity"
    actions = ("android.settings.DEVICE_INFO_SETTINGS",)
    title = "About phone"

    def rows(self, ui: Ui) -> list[Row]:
        p = self.device.props
        items = (("Device name", self.s.get("global", "device_name") or ""), ("Model", p["ro.product.model"]),
                 ("Android version", p["ro.build.version.release"]), ("Build number", p["ro.build.id"]))  # fmt: skip
        return [(ui.dp(76), lambda r, t=t, v=v: ui.row(r, t, v)) for t, v in items]


class SettingsApp(App):
    package = "com.android.settings"
    label = "Settings"
    glyph = "⚙"
    color = (95, 99, 104)
    activities = (SettingsHome, Network, Wifi, ConnectedDevices, Display, Sound, AppsPage, AppInfo, Security,
                  ChooseLockPin, About)  # fmt: skip
