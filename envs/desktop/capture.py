"""Screenshots with mss: the ``Capture`` boundary and its X11 implementation.

mss grabs a rectangle of the X root window in ~1-2 ms (XShmGetImage); turning its BGRX buffer into an RGB
PIL image costs about as much again. ``pyautogui.screenshot()`` shells out to scrot (~50-130 ms) and is not
used.

Monitors follow mss's layout: index 0 is the bounding box of all monitors (the virtual screen), 1..N
are the monitors. Xvfb shows one monitor to mss however it is configured, so the list can be given
(``monitors=``) to test multi-monitor mapping on one virtual screen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..base import CaptureFailed
from .geometry import Monitor, monitor_list

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)


class Capture(Protocol):
    """Where screenshots come from (mss, or a fake in tests)."""

    def monitors(self) -> list[Monitor]:
        """Index 0: the virtual screen (all monitors); 1..N: each monitor, in pointer units."""
        ...

    def grab(self, region: Monitor) -> Image:
        """An RGB image of ``region``; it may have more pixels than the region has pointer units (HiDPI)."""
        ...

    def close(self) -> None: ...


class MssCapture:
    """mss on the X display ``display``; ``monitors``: the individual monitors, to override mss's list."""

    def __init__(self, display: str, xauthority: str | None = None, monitors: Sequence[Monitor] | None = None):
        from .xsession import connection_error, intended_authority, x_environment

        try:
            import mss
        except ImportError as e:
            from .errors import DesktopUnavailable

            raise DesktopUnavailable(f"mss is not installed ({e}): pip install mss") from e
        with x_environment(display, xauthority):
            try:
                self._mss = mss.MSS(display=display)
                found = [Monitor.from_mss(m) for m in self._mss.monitors[1:]]
            except Exception as e:
                raise connection_error(display, intended_authority(xauthority), e) from e
        self._monitors = monitor_list(list(monitors) if monitors else found)
        log.debug("monitors on %s: %s", display, self._monitors)

    def monitors(self) -> list[Monitor]:
        return list(self._monitors)

    def grab(self, region: Monitor) -> Image:
        try:
            shot = self._mss.grab({k: getattr(region, k) for k in ("left", "top", "width", "height")})
        except Exception as e:  # mss raises AssertionError or XError when the server is gone
            raise CaptureFailed(f"screen capture of {region} failed: {type(e).__name__}: {e}") from e
        return to_rgb(shot.size, shot.raw)  # .raw, not .bgra: that property copies the buffer first

    def close(self) -> None:
        try:
            self._mss.close()
        except Exception as e:  # closing after the server died raises; nothing is left to release
            log.debug("mss close: %s", e)


def to_rgb(size: tuple[int, int], bgrx: Any) -> Image:
    """An RGB PIL image from a BGRX (mss) buffer of ``size``; the image owns a copy of the pixels."""
    from PIL import Image

    return Image.frombuffer("RGB", tuple(size), bgrx, "raw", "BGRX", 0, 1)
