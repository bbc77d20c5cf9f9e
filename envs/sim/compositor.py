"""What the simulated phone's compositor knows of the frames it presented.

A phone's SurfaceFlinger composes a frame only when something on the screen changed: one per vsync while
an animation runs, one when the content changed since the last look. It keeps the newest 127 present
timestamps (``dumpsys SurfaceFlinger --latency``) and counts every frame it composed on the display (the
page-flip count, ``service call SurfaceFlinger 1013``). ``Compositor.look`` brings both up to date from
the device's animation clock and the signature of what the screen shows now; the device calls it under
its lock whenever a client asks.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

from .animation import VSYNC_S

if TYPE_CHECKING:
    from .animation import Animations

BOOT_FLIPS = 4096  # frames composed before the session began (a phone's count starts at boot, not at 0)


class Compositor:
    def __init__(self) -> None:
        self.frames: collections.deque[int] = collections.deque(maxlen=127)  # present times, ns
        self.flips = BOOT_FLIPS
        self._shown: Any = None  # the signature of the content last composed
        self._looked = 0.0  # the animation clock at the last look

    def look(self, animations: Animations, shown: Any) -> None:
        """Present the frames composed since the last look: the vsyncs of any animation that ran in
        between, and one more if the content (``shown``, a signature of the screen) changed since."""
        now = animations.now()
        start, end = max(animations.started, self._looked), min(animations.until, now)
        if end > start:
            t = start - start % VSYNC_S + VSYNC_S
            while t <= end:
                self._present(t)
                t += VSYNC_S
        if shown != self._shown:
            self._present(now)
        self._shown, self._looked = shown, now

    def _present(self, t: float) -> None:
        self.frames.append(round(t * 1e9))
        self.flips = (self.flips + 1) & 0xFFFFFFFF  # a 32-bit count, as the phone's parcel holds it
