"""The optional latency profile: off by default, and when on it charges each command its phone cost."""

from __future__ import annotations

import time

import pytest

from qwen2vl_agent.envs.sim import Device
from qwen2vl_agent.envs.sim.latency import PHONE, LatencyProfile


@pytest.mark.parametrize(("argv", "cost"), [
    (["screencap", "-p"], PHONE.screencap_png_s), (["screencap", "/sdcard/s.png"], PHONE.screencap_png_s),
    (["/system/bin/screencap"], PHONE.screencap_raw_s), (["input", "tap", "1", "2"], PHONE.input_s),
    (["am", "start", "-n", "x/.Y"], PHONE.app_start_s), (["monkey", "-p", "x", "1"], PHONE.app_start_s),
    (["am", "force-stop", "x"], 0.0), (["echo", "hi"], 0.0),
])  # fmt: skip
def test_costs_by_command(argv, cost):
    assert PHONE.cost(argv) == cost


def test_off_by_default():
    assert Device().latency is None


def test_the_wait_happens_before_the_lock(monkeypatch):
    """A slow ``input`` must not hold the device lock while it waits (other clients go on)."""
    device = Device(latency=LatencyProfile(input_s=0.5))
    held: list[bool] = []

    def fake_sleep(seconds: float) -> None:
        held.append(device.lock._is_owned())  # type: ignore[attr-defined]

    monkeypatch.setattr(time, "sleep", fake_sleep)
    device.shell("input tap 10 10")
    assert held == [False]


def test_a_profiled_command_waits(monkeypatch):
    device = Device(latency=LatencyProfile(screencap_png_s=0.25))
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    device.shell("screencap -p > /dev/null; echo done")
    assert slept == [0.25]
