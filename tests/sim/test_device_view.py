"""The phone as apps see it: the real device offers every member of ``DeviceView`` and of its parts."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.sim import Device
from qwen2vl_agent.envs.sim.apps.base import Clock, DeviceView, ScreenLock, SettingsView, Windows


def members(protocol: type) -> set[str]:
    return {n for n in vars(protocol) if not n.startswith("_")} | set(getattr(protocol, "__annotations__", {}))


@pytest.mark.parametrize(
    ("protocol", "part"),
    [(DeviceView, None), (Clock, "clock"), (SettingsView, "settings"), (Windows, "wm"), (ScreenLock, "keyguard")],
)
def test_the_device_offers_everything_apps_use(protocol, part):
    device = Device(seed=0)
    target = device if part is None else getattr(device, part)
    missing = sorted(n for n in members(protocol) if not hasattr(target, n))
    assert missing == [], f"{type(target).__name__} lacks {missing} of {protocol.__name__}"
    assert members(protocol)
