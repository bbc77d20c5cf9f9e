"""Settings tasks: switches, sliders and a choice dialog, all checked with ``settings get``.

A toggle template draws the target state (on or off) from the seed and sets the opposite at setup, so a
check can never pass before the agent acts.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from .base import Task
from .device import TaskDevice
from .steps import Finish, Launch, Step, TapOn, tap_text
from .ui import Selector

SETTINGS = "com.android.settings"


class _SettingsTask(Task):
    apps = ("Settings",)
    packages = (SETTINGS,)


class _Toggle(_SettingsTask):
    """Turn one switch on or off. ``path``: the rows to open from the Settings home, then ``row``."""

    template = "Turn {state} {feature}."
    feature: ClassVar[str]
    namespace: ClassVar[str]
    key: ClassVar[str]
    on_value: ClassVar[str] = "1"
    off_value: ClassVar[str] = "0"
    path: ClassVar[tuple[str, ...]]
    row: ClassVar[str]

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"state": rng.choice(("on", "off")), "feature": cls.feature}

    @property
    def want(self) -> str:
        return self.on_value if self.values["state"] == "on" else self.off_value

    def prepare(self, device: TaskDevice) -> None:
        opposite = self.off_value if self.want == self.on_value else self.on_value
        device.settings_put(self.namespace, self.key, opposite)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return device.settings_get(self.namespace, self.key) == self.want

    def plan(self) -> list[Step]:
        return [Launch(app="Settings"), *(tap_text(t) for t in self.path), tap_text(self.row), Finish()]


class Wifi(_Toggle):
    name = "SystemWifi"
    feature, namespace, key = "Wi-Fi", "global", "wifi_on"
    path, row = ("Network & internet",), "Wi-Fi"

    def prepare(self, device: TaskDevice) -> None:
        device.settings_put("global", "airplane_mode_on", "0")  # airplane mode would force Wi-Fi off
        super().prepare(device)


class Bluetooth(_Toggle):
    name = "SystemBluetooth"
    feature, namespace, key = "Bluetooth", "global", "bluetooth_on"
    path, row = ("Connected devices",), "Use Bluetooth"
    complexity = 1.0


class AirplaneMode(_Toggle):
    name = "SystemAirplaneMode"
    feature, namespace, key = "airplane mode", "global", "airplane_mode_on"
    path, row = ("Network & internet",), "Airplane mode"


class MobileData(_Toggle):
    name = "SystemMobileData"
    feature, namespace, key = "mobile data", "global", "mobile_data"
    path, row = ("Network & internet",), "Mobile data"


class DarkTheme(_Toggle):
    name = "SystemDarkTheme"
    feature, namespace, key = "dark theme", "secure", "ui_night_mode"
    on_value, off_value = "2", "1"  # UiModeManager.MODE_NIGHT_YES / MODE_NIGHT_NO
    path, row = ("Display",), "Dark theme"


class AutoRotate(_Toggle):
    name = "SystemAutoRotate"
    feature, namespace, key = "auto-rotate", "system", "accelerometer_rotation"
    path, row = ("Display",), "Auto-rotate screen"


class VibrateForCalls(_Toggle):
    name = "SystemVibrateForCalls"
    feature, namespace, key = "vibrate for calls", "system", "haptic_feedback_enabled"
    path, row = ("Sound & vibration",), "Vibrate for calls"


class _Slider(_SettingsTask):
    """Drag a slider to one end; the setting must end within ``slack`` of the end value."""

    template = "Set the {what} to the {end}."
    what: ClassVar[str]
    namespace: ClassVar[str]
    key: ClassVar[str]
    top: ClassVar[int]
    slack: ClassVar[int]
    path: ClassVar[tuple[str, ...]]
    slider: ClassVar[str]  # resource id

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        end = rng.choice(("maximum", "minimum"))
        return {"end": end, "what": cls.what, "start": rng.randint(cls.top // 4, 3 * cls.top // 4)}

    def prepare(self, device: TaskDevice) -> None:
        device.settings_put(self.namespace, self.key, self.values["start"])

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        try:
            value = float(device.settings_get(self.namespace, self.key) or "nan")
        except ValueError:
            return False
        goal = self.top if self.values["end"] == "maximum" else 0
        return abs(value - goal) <= self.slack

    def plan(self) -> list[Step]:
        at = (0.99, 0.5) if self.values["end"] == "maximum" else (0.01, 0.5)
        tap = TapOn(target=Selector(rid=self.slider), at=at)
        return [Launch(app="Settings"), *(tap_text(t) for t in self.path), tap, Finish()]


class Brightness(_Slider):
    name = "SystemBrightness"
    what, namespace, key, top, slack = "screen brightness", "system", "screen_brightness", 255, 8
    path, slider = ("Display",), "brightness_slider"


class RingVolume(_Slider):
    name = "SystemRingVolume"
    what, namespace, key, top, slack = "ring volume", "system", "volume_ring", 7, 0
    path, slider = ("Sound & vibration",), "ring_volume"


TIMEOUTS = (("15 seconds", 15000), ("30 seconds", 30000), ("2 minutes", 120000), ("5 minutes", 300000),
            ("10 minutes", 600000), ("30 minutes", 1800000))  # fmt: skip


class ScreenTimeout(_SettingsTask):
    name = "SystemScreenTimeout"
    template = "Set the screen timeout to {label}."
    difficulty = "medium"
    complexity = 1.0

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        label, ms = rng.choice(TIMEOUTS)
        return {"label": label, "ms": ms}

    def prepare(self, device: TaskDevice) -> None:
        device.settings_put("system", "screen_off_timeout", 60000)  # 1 minute: never a goal

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return device.settings_get("system", "screen_off_timeout") == str(self.values["ms"])

    def plan(self) -> list[Step]:
        label = self.values["label"]
        return [Launch(app="Settings"), tap_text("Display"), tap_text("Screen timeout"), tap_text(label), Finish()]


TASKS: tuple[type[Task], ...] = (
    Wifi, Bluetooth, AirplaneMode, MobileData, DarkTheme, AutoRotate, VibrateForCalls, Brightness, RingVolume,
    ScreenTimeout,
)  # fmt: skip
