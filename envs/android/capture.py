"""Taking screenshots: raw ``screencap`` first, ``screencap -p`` as the fallback, never a blank stand-in.

``ScreenCapturer.grab()`` returns a ``Capture`` that decodes lazily: the settle loop only needs a cheap
fingerprint of each frame, the observation needs the full RGB image. In ``auto`` mode a device whose raw
output cannot be parsed (an unknown header or pixel format) is switched to PNG for the rest of the session.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..base import CaptureFailed
from .screencap import RawFrame, decode_png, is_black, parse_raw

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

    from .device import AndroidDevice

log = logging.getLogger(__name__)

CaptureMode = Literal["auto", "raw", "png"]


@dataclass
class Capture:
    """One captured frame: raw (parsed) or PNG bytes, plus how long the device took."""

    raw: RawFrame | None = None
    png: bytes | None = None
    seconds: float = 0.0
    _image: Image | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return "raw" if self.raw is not None else "png"

    def image(self) -> Image:
        """The frame as an RGB image (decoded once)."""
        if self._image is None:
            self._image = self.raw.to_image() if self.raw is not None else decode_png(self.png or b"")
        return self._image

    def fingerprint(self, step: int = 8) -> np.ndarray:
        """A subsampled uint8 array of the frame, for change detection without a full decode."""
        import numpy as np

        if self.raw is not None:
            return self.raw.sample(step)
        return np.asarray(self.image())[::step, ::step]

    def is_black(self) -> bool:
        """True when every pixel is zero (a failed capture, a sleeping screen or a secure window)."""
        import numpy as np

        if self.raw is None:
            return is_black(self.image())
        bpp = self.raw.bytes_per_pixel
        pixels = np.frombuffer(self.raw.pixels, dtype=np.uint8)
        if pixels.reshape(-1, bpp)[::61, : min(bpp, 3)].any():  # the usual case, decided on a sample
            return False
        if bpp == 4:  # ignore alpha (opaque black is 0,0,0,255): mask it off 4 bytes at a time
            return not (pixels.view("<u4") & 0x00FFFFFF).any()
        return not pixels.any()


class ScreenCapturer:
    """Grabs frames from a device with the configured strategy (``auto``, ``raw`` or ``png``)."""

    def __init__(self, device: AndroidDevice, mode: CaptureMode = "auto", display_id: str | None = None) -> None:
        if mode not in ("auto", "raw", "png"):
            raise ValueError(f"unknown capture mode {mode!r}; use auto, raw or png")
        self.device = device
        self.mode: CaptureMode = mode
        self.display_id = display_id

    def grab(self) -> Capture:
        started = time.monotonic()
        if self.mode == "png":
            data = self.device.screencap(png=True, display_id=self.display_id)
            capture = Capture(png=data)
            capture.image()  # decode now so a bad PNG fails here, as CaptureFailed
        else:
            data = self.device.screencap(png=False, display_id=self.display_id)
            try:
                capture = Capture(raw=parse_raw(data))
            except CaptureFailed as e:
                if self.mode == "raw":
                    raise
                log.warning("raw screencap unusable on %s (%s); using screencap -p from now on", self.device.serial, e)
                self.mode = "png"
                return self.grab()
        capture.seconds = time.monotonic() - started
        return capture
