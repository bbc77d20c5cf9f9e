"""Screen transitions and the animations they start, for ``uiautomator dump``'s idle wait.

A transition is a change of what fills the screen: another activity on top, a dialog opening or closing,
recents, the notification shade, the keyguard or its PIN pad, the screen turning on or off. With animations
on (any of the ``global`` ``window_animation_scale``, ``transition_animation_scale``,
``animator_duration_scale`` non-zero) it animates for ``ANIMATION_MS`` times the largest scale; while it does,
``uiautomator dump`` cannot get an idle state and fails, as on a phone, when the device has ``idle_errors`` on.
With the three scales at 0 nothing animates and dumps always succeed. (A phone's uiautomator waits up to 10 s
for a quiet second before it gives up; here the failure is immediate, so retry logic can be tested quickly.)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ports import Phone

ANIMATION_MS = 400  # a screen transition at scale 1 (activity transitions run ~300-450 ms)
VSYNC_S = 1 / 60  # the display refresh period
SCALES = ("window_animation_scale", "transition_animation_scale", "animator_duration_scale")


def scale(device: Phone) -> float:
    """The longest of the three animation scales (1.0 where unset, Android's default)."""
    return max(device.settings.number("global", key, 1.0) for key in SCALES)


def screen_key(device: Phone) -> tuple[object, ...]:
    """What fills the screen; a change is a transition."""
    wm = device.wm
    top = wm.top
    return (id(top), id(top.dialog), wm.recents, wm.shade, device.locked, device.keyguard.bouncer, device.awake)


class Animations:
    """The running screen-transition animation, timed by ``now`` (monotonic seconds; a test may pass a
    clock it moves itself, so "still animating" does not depend on how fast the machine runs)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.until = 0.0  # ``now()`` when the running animation ends
        self.started = 0.0  # ... and when it began

    def running(self) -> bool:
        return self.now() < self.until

    def start(self, device: Phone) -> None:
        seconds = ANIMATION_MS / 1000 * scale(device)
        if seconds > 0:
            now = self.now()
            if not self.running():
                self.started = now
            self.until = max(self.until, now + seconds)

    @contextlib.contextmanager
    def watch(self, device: Phone) -> Iterator[None]:
        """Run a change to the device; if it transitioned the screen, an animation starts."""
        before = screen_key(device)
        try:
            yield
        finally:
            if screen_key(device) != before:
                self.start(device)
