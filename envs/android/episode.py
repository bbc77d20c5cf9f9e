"""Getting a device ready for an episode: screen on, non-secure lock screen dismissed, animations off.

Each step polls the device state it changed (with a time limit) rather than sleeping a fixed time.
Animation scales changed here are remembered by ``AnimationSwitch`` and restored at close.
"""

from __future__ import annotations

import logging

from ..base import EnvError
from ..poll import wait_for
from .device import ANIMATION_SETTINGS, KEY_MENU, KEY_WAKEUP, AndroidDevice

log = logging.getLogger(__name__)


def wake(device: AndroidDevice, timeout_s: float = 3.0) -> None:
    """Turn the screen on (KEYCODE_WAKEUP does nothing on an awake screen, unlike POWER)."""
    if device.wakefulness() in (None, "Awake"):
        return
    device.keyevent(KEY_WAKEUP)
    if not wait_for(lambda: device.wakefulness() == "Awake" or None, timeout_s):
        raise EnvError(f"{device.serial}: the screen did not turn on within {timeout_s:.0f} s")


def dismiss_keyguard(device: AndroidDevice, timeout_s: float = 3.0) -> None:
    """Dismiss a swipe-to-unlock lock screen; a PIN/pattern lock is an error the user must fix."""
    state = device.keyguard()
    if not state.showing:
        return
    if state.secure:
        raise EnvError(f"{device.serial} is locked with a PIN, pattern or password; unlock it (or remove the lock)")
    device.run("wm", "dismiss-keyguard", idempotent=True)
    if wait_for(lambda: not device.keyguard().showing or None, timeout_s):
        return
    device.keyevent(KEY_MENU)  # older releases dismiss an insecure keyguard on MENU
    if not wait_for(lambda: not device.keyguard().showing or None, 1.0):
        raise EnvError(f"{device.serial}: the lock screen did not go away; unlock the device")


class AnimationSwitch:
    """Turns system animations off and restores the previous scales on ``restore()``."""

    def __init__(self, device: AndroidDevice) -> None:
        self.device = device
        self.saved: dict[str, str | None] | None = None

    def disable(self) -> None:
        if self.saved is None:
            self.saved = {key: self.device.setting("global", key) for key in ANIMATION_SETTINGS}
        for key in ANIMATION_SETTINGS:
            self.device.put_setting("global", key, "0")

    def restore(self) -> None:
        if self.saved is None:
            return
        for key, value in self.saved.items():
            self.device.put_setting("global", key, value)
        self.saved = None
