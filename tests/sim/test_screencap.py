"""``screencap -p`` encodes afresh on every call, as a phone does; raw ``screencap`` may reuse its buffer."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from qwen2vl_agent.envs.sim import Device
from qwen2vl_agent.envs.sim import device as device_module

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def encodes(monkeypatch) -> list[int]:
    """The zlib level of every PNG the simulated phone encodes, in order."""
    levels: list[int] = []
    real = device_module.encode_png

    def counting(image, level=device_module.PNG_LEVEL):
        levels.append(level)
        return real(image, level)

    monkeypatch.setattr(device_module, "encode_png", counting)
    return levels


def test_png_is_encoded_on_every_call_at_level_6_through_adb(phone, adb, encodes):
    first = adb("exec-out", "screencap -p", text=False).stdout
    second = adb("exec-out", "screencap -p", text=False).stdout
    assert encodes == [6, 6]  # the frame did not change, yet each call encoded it
    assert first == second == device_module.encode_png(phone.device.screenshot(), 6)
    assert Image.open(io.BytesIO(first)).size == (1080, 2400)


def test_raw_screencap_reuses_the_buffer_of_an_unchanged_frame(device, encodes):
    assert device.screencap_raw() is device.screencap_raw()
    device.shell("input keyevent HOME; am start -n com.android.settings/.Settings")
    raw = device.screencap_raw()
    assert raw is device.screencap_raw()
    assert raw[16:] == device.screenshot().convert("RGBA").tobytes()
    assert encodes == []


def test_fast_png_switch_serves_one_cached_level_1_png_per_frame(encodes):
    d = Device(seed=0, fast_png=True)
    png = d.screencap_png()
    assert d.screencap_png() is png and encodes == [1]
    d.shell("am start -n com.android.settings/.Settings")
    assert d.screencap_png() != png and encodes == [1, 1]
    assert d.screencap_png() == device_module.encode_png(d.screenshot(), 1)


def test_png_encode_does_not_block_other_commands(device, monkeypatch):
    """While ``screencap -p`` encodes, another adb stream can still change the device (no lock held)."""
    done = threading.Event()
    real = device_module.encode_png

    def encode_while_other_shell_runs(image, level=6):
        other = threading.Thread(target=lambda: (device.shell("settings put global wifi_on 0"), done.set()))
        other.start()
        other.join(10)
        return real(image, level)

    monkeypatch.setattr(device_module, "encode_png", encode_while_other_shell_runs)
    out = device.shell("screencap -p")
    assert done.is_set() and device.settings.get("global", "wifi_on") == "0"
    assert out.stdout.startswith(b"\x89PNG")


def test_screencap_to_a_file_writes_the_png(device):
    assert device.shell("screencap -p /sdcard/Pictures/s.png").status == 0
    assert Image.open(io.BytesIO(device.fs.read("/sdcard/Pictures/s.png"))).size == (1080, 2400)
