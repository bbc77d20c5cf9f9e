"""Decoding what ``screencap`` prints: raw frames (header + pixels) and PNG, and spotting black frames.

Raw ``screencap`` (no ``-p``) writes a little-endian header, ``width, height, format`` as u32 and, on
Android 10 and later, a fourth u32 ``colorspace``; then ``height`` rows of pixels with no padding. The
header length is therefore not announced: it is ``len(data) - width * height * bytes_per_pixel`` and must
be 12 or 16. ``screencap -p`` writes a PNG, possibly after a text warning (multi-display devices print one
on stdout): everything before the PNG signature is dropped.

All functions are pure (bytes in, image out) and raise ``CaptureFailed`` with the reason on bad input;
none of them ever substitutes a blank image.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..base import CaptureFailed

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Android PixelFormat -> (bytes per pixel, PIL raw mode decoding it to RGB). RGBA/BGRA drop alpha while
# unpacking ("RGBX"/"BGRX"), which is one pass instead of decode-then-convert.
PIXEL_FORMATS: dict[int, tuple[int, str]] = {
    1: (4, "RGBX"),  # RGBA_8888
    2: (4, "RGBX"),  # RGBX_8888
    3: (3, "RGB"),  # RGB_888
    4: (2, "BGR;16"),  # RGB_565 (a little-endian u16, red in the high bits)
    5: (4, "BGRX"),  # BGRA_8888
}
HEADER_SIZES = (12, 16)


@dataclass(frozen=True)
class RawFrame:
    """A parsed raw ``screencap`` frame: geometry plus a view of the pixel bytes (no copy)."""

    width: int
    height: int
    pixel_format: int
    header_size: int
    pixels: memoryview

    @property
    def bytes_per_pixel(self) -> int:
        return PIXEL_FORMATS[self.pixel_format][0]

    def to_image(self) -> Image:
        """The frame as an RGB PIL image (alpha dropped)."""
        from PIL import Image

        rawmode = PIXEL_FORMATS[self.pixel_format][1]
        # frombytes, not frombuffer: frombuffer maps "RGBX" buffers as-is and yields a malformed RGB image.
        return Image.frombytes("RGB", (self.width, self.height), self.pixels, "raw", rawmode)

    def sample(self, step: int = 8) -> np.ndarray:
        """Every ``step``-th row and pixel as a uint8 array: a cheap fingerprint for frame comparison."""
        import numpy as np

        rows = np.frombuffer(self.pixels, dtype=np.uint8).reshape(self.height, self.width, self.bytes_per_pixel)
        return np.ascontiguousarray(rows[::step, ::step, : min(3, self.bytes_per_pixel)])


def parse_raw(data: bytes | bytearray | memoryview) -> RawFrame:
    """Parse raw ``screencap`` output; ``CaptureFailed`` if it is not a well-formed frame."""
    view = memoryview(data)
    if len(view) < 12:
        raise CaptureFailed(f"raw screencap returned {len(view)} bytes, too short for a header: {_preview(view)}")
    width, height, fmt = struct.unpack_from("<III", view, 0)
    if fmt not in PIXEL_FORMATS:
        raise CaptureFailed(
            f"raw screencap: unsupported pixel format {fmt} (size {width}x{height}); "
            f"known formats are {sorted(PIXEL_FORMATS)}. Output starts with {_preview(view)}"
        )
    if not (0 < width <= 16384 and 0 < height <= 16384):
        raise CaptureFailed(f"raw screencap: implausible size {width}x{height}")
    bpp = PIXEL_FORMATS[fmt][0]
    header = len(view) - width * height * bpp
    if header not in HEADER_SIZES:
        raise CaptureFailed(
            f"raw screencap: {len(view)} bytes do not hold a {width}x{height} frame of format {fmt} "
            f"plus a 12- or 16-byte header (would be {header} bytes)"
        )
    return RawFrame(width, height, fmt, header, view[header:])


def encode_raw(image: Image, pixel_format: int = 1, header_size: int = 16) -> bytes:
    """The inverse of ``parse_raw`` for tests and fakes: an RGB image as raw ``screencap`` bytes."""
    if pixel_format not in PIXEL_FORMATS or header_size not in HEADER_SIZES:
        raise ValueError(f"unsupported format {pixel_format} or header size {header_size}")
    rgb = image.convert("RGB")
    match pixel_format:
        case 1 | 2:
            body = rgb.convert("RGBA").tobytes()
        case 3:
            body = rgb.tobytes()
        case 4:
            body = _pack_565(rgb)
        case 5:
            body = rgb.convert("RGBA").tobytes("raw", "BGRA")
    head = struct.pack("<III", rgb.width, rgb.height, pixel_format)
    if header_size == 16:
        head += struct.pack("<I", 1)  # colorspace: sRGB
    return head + body


def _pack_565(rgb: Image) -> bytes:
    import numpy as np

    a = np.asarray(rgb, dtype=np.uint16)
    packed = ((a[..., 0] >> 3) << 11) | ((a[..., 1] >> 2) << 5) | (a[..., 2] >> 3)
    return packed.astype("<u2").tobytes()


def slice_png(data: bytes) -> bytes:
    """The PNG inside ``screencap -p`` output, without any text printed before it."""
    start = data.find(PNG_SIGNATURE)
    if start < 0:
        raise CaptureFailed(f"screencap -p returned no PNG ({len(data)} bytes): {_preview(memoryview(data))}")
    return data[start:]


def decode_png(data: bytes) -> Image:
    """Decode ``screencap -p`` output to an RGB image; ``CaptureFailed`` if it is not a complete PNG."""
    from PIL import Image, UnidentifiedImageError

    png = slice_png(data)
    try:
        image = Image.open(io.BytesIO(png))
        image.load()  # decode now: a truncated PNG must fail here, not later in the model
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise CaptureFailed(f"screencap -p returned an undecodable PNG ({len(png)} bytes): {e}") from e
    return image if image.mode == "RGB" else image.convert("RGB")


def is_black(image: Image, *, threshold: int = 0) -> bool:
    """True if no pixel channel exceeds ``threshold`` (a failed capture, a sleeping or secure screen)."""
    return all(hi <= threshold for _, hi in image.getextrema())


def _preview(view: memoryview, limit: int = 80) -> str:
    return repr(bytes(view[:limit]))
