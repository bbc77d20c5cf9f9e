"""A pool of real devices (phones or emulators) on one adb server, one benchmark episode per device at a time.

``bench --env android --devices all|SERIAL,SERIAL`` runs the local executor over this pool instead of the
simulated fleet. A real device cannot be replaced after a fault, so ``discard(slot)`` only marks it: the next
``phone(slot)`` waits (up to ``wait_s``) for it to be back online on the adb server, else the slot goes out
of service (``FleetError``; its instance is left to the other slots). Every episode starts with the env's
reset and the task's setup (``TaskEnv.reset``), so a device is reset between episodes. ``stop()`` releases
nothing: the devices are not ours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from qwen2vl_agent.envs.android import list_devices
from qwen2vl_agent.envs.android.adb import DEFAULT_HOST, DEFAULT_PORT

from .fleet import FleetError


@dataclass(frozen=True)
class RealDevice:
    """A device attached to the adb server at ``adb_host:adb_port``: what ``run_instance`` drives."""

    serial: str
    adb_host: str = DEFAULT_HOST
    adb_port: int = DEFAULT_PORT


def resolve(spec: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> tuple[str, ...]:
    """``all``: every device online on the server (sorted); else the comma-separated serials, each checked."""
    online = sorted(serial for serial, state in list_devices(host, port) if state == "device")
    if spec.strip() == "all":
        if not online:
            raise ValueError(f"no device is online on the adb server at {host}:{port}")
        return tuple(online)
    serials = tuple(dict.fromkeys(s.strip() for s in spec.split(",") if s.strip()))
    missing = [s for s in serials if s not in online]
    if missing or not serials:
        raise ValueError(f"not online on the adb server at {host}:{port}: {', '.join(missing) or spec!r}")
    return serials


class DevicePool:
    """Slot ``i`` is device ``serials[i]``."""

    def __init__(self, serials: tuple[str, ...], host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 wait_s: float = 30.0) -> None:  # fmt: skip
        self.devices = [RealDevice(s, host, port) for s in serials]
        self.wait_s = wait_s
        self._suspect: set[int] = set()

    def phone(self, slot: int) -> RealDevice:
        device = self.devices[slot]
        if slot in self._suspect:
            self._wait_online(device)
            self._suspect.discard(slot)
        return device

    def discard(self, slot: int) -> None:
        self._suspect.add(slot)

    def stop(self) -> None:
        pass

    def _wait_online(self, device: RealDevice) -> None:
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                if (device.serial, "device") in list_devices(device.adb_host, device.adb_port):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise FleetError(f"{device.serial} did not come back online in {self.wait_s:g} s")
            time.sleep(0.5)
