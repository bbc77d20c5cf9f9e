"""Raw screencap header parsing for every pixel format, PNG slicing, black frames."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from qwen2vl_agent.envs import CaptureFailed
from qwen2vl_agent.envs.android.screencap import (
    PIXEL_FORMATS,
    decode_png,
    encode_raw,
    is_black,
    parse_raw,
    slice_png,
)


def sample_image(size=(24, 40)) -> Image.Image:
    img = Image.new("RGB", size, (200, 100, 48))
    img.paste((8, 250, 16), (0, 0, size[0] // 2, size[1] // 2))
    return img


@pytest.mark.parametrize("header", [12, 16])
@pytest.mark.parametrize("fmt", sorted(PIXEL_FORMATS))
def test_raw_round_trip_every_format_and_header(fmt, header):
    img = sample_image()
    frame = parse_raw(encode_raw(img, fmt, header))
    assert (frame.width, frame.height, frame.pixel_format, frame.header_size) == (24, 40, fmt, header)
    out = frame.to_image()
    assert out.mode == "RGB" and out.size == img.size
    tolerance = 8 if fmt == 4 else 0  # RGB_565 keeps 5-6 bits per channel
    for xy in [(0, 0), (23, 39), (5, 30)]:
        assert all(abs(a - b) <= tolerance for a, b in zip(out.getpixel(xy), img.getpixel(xy), strict=True))


def test_rgba_alpha_is_ignored_and_bgra_is_swapped():
    head = struct.pack("<III", 1, 1, 1)
    assert parse_raw(head + bytes([10, 20, 30, 0])).to_image().getpixel((0, 0)) == (10, 20, 30)
    head = struct.pack("<III", 1, 1, 5)
    assert parse_raw(head + bytes([10, 20, 30, 255])).to_image().getpixel((0, 0)) == (30, 20, 10)


def test_565_bit_layout_red_is_high_bits():
    head = struct.pack("<IIII", 1, 1, 4, 0)
    assert parse_raw(head + struct.pack("<H", 0xF800)).to_image().getpixel((0, 0)) == (255, 0, 0)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "too short"),
        (struct.pack("<III", 2, 2, 1) + b"\0" * 15, "do not hold"),  # one byte missing
        (struct.pack("<III", 2, 2, 1) + b"\0" * 8 + b"\0" * 16, "do not hold"),  # 20-byte header
        (struct.pack("<III", 2, 2, 9) + b"\0" * 16, "unsupported pixel format 9"),
        (struct.pack("<III", 0, 2, 1) + b"\0" * 4, "implausible"),
        (b"/system/bin/sh: screencap: inaccessible or not found\n", "unsupported pixel format"),
    ],
)
def test_malformed_raw_is_a_capture_failure(data, needle):
    with pytest.raises(CaptureFailed, match=needle):
        parse_raw(data)


def png_bytes(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_png_with_a_warning_before_the_signature_is_sliced():
    img = sample_image()
    warning = b"[Warning] Multiple displays were found, but no display id was specified!\n"
    assert slice_png(warning + png_bytes(img)) == png_bytes(img)
    assert decode_png(warning + png_bytes(img)).tobytes() == img.tobytes()


def test_rgba_png_comes_back_rgb():
    assert decode_png(png_bytes(sample_image().convert("RGBA"))).mode == "RGB"


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"", "no PNG"), (b"error: device offline", "no PNG"), (png_bytes(sample_image())[:60], "undecodable")],
)
def test_bad_png_fails_loudly(data, needle):
    with pytest.raises(CaptureFailed, match=needle):
        decode_png(data)


def test_black_detection():
    assert is_black(Image.new("RGB", (4, 4)))
    almost = Image.new("RGB", (4, 4))
    almost.putpixel((3, 3), (0, 0, 1))
    assert not is_black(almost)
