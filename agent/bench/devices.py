"""A pool of real devices (phones or emulators) on one adb server, one benchmark episode per device at a time.

``bench --env android --devices all|SERIAL,SERIAL`` runs the local executor over this pool instead of the
simulated fleet, and a Ray task of ``bench --executor ray --env android`` takes its device from a one-slot
pool over its node's adb server. For each episode a slot leases one free online device of the pool
(``envs.android.lease``: exclusive across processes, so another ``bench`` or ``run`` never drives it
meanwhile) and gives it back after (``release``). A slot waits while every online device of the pool is
leased elsewhere; when none is online for ``wait_s`` it goes out of service (``FleetError``; its instance is
left to the other slots). A device that faulted (``discard``) is given back too: it is leased again only once
it is online, so the instance's next try runs on another device if this one stays away. Every episode starts
with the env's reset and the task's setup (``TaskEnv.reset``), so a device is reset between episodes.
``stop()`` gives every lease back and ends the waits; the devices themselves are not ours to stop.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from qwen2vl_agent.envs.android import list_devices
from qwen2vl_agent.envs.android.adb import DEFAULT_HOST, DEFAULT_PORT
from qwen2vl_agent.envs.android.lease import Lease, lease_first

from .fleet import FleetError


@dataclass(frozen=True)
class RealDevice:
    """A device attached to the adb server at ``adb_host:adb_port``: what ``run_instance`` drives."""

    serial: str
    adb_host: str = DEFAULT_HOST
    adb_port: int = DEFAULT_PORT


def online(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The serials online on the adb server (sorted)."""
    return sorted(serial for serial, state in list_devices(host, port) if state == "device")


def resolve(spec: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> tuple[str, ...]:
    """``all``: every device online on the server (sorted); else the comma-separated serials, each checked."""
    found = online(host, port)
    if spec.strip() == "all":
        if not found:
            raise ValueError(f"no device is online on the adb server at {host}:{port}")
        return tuple(found)
    serials = tuple(dict.fromkeys(s.strip() for s in spec.split(",") if s.strip()))
    missing = [s for s in serials if s not in found]
    if missing or not serials:
        raise ValueError(f"not online on the adb server at {host}:{port}: {', '.join(missing) or spec!r}")
    return serials


def node_adb(host: str, port: int) -> tuple[str, int]:
    """The adb server of the machine this runs on, as adb itself finds it: ``$ANDROID_ADB_SERVER_HOST`` and
    ``$ANDROID_ADB_SERVER_PORT`` where set (a Ray node's own setting wins over the driver's), else ``host:port``."""
    env_host, env_port = os.environ.get("ANDROID_ADB_SERVER_HOST"), os.environ.get("ANDROID_ADB_SERVER_PORT")
    return env_host or host, int(env_port) if env_port else port


class DevicePool:
    """Slots over the devices ``serials`` (``None``: every device online on the server, looked up at each
    lease); each slot drives at most one leased device at a time. Thread-safe across slots."""

    def __init__(self, serials: tuple[str, ...] | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 wait_s: float = 30.0) -> None:  # fmt: skip
        self.serials, self.host, self.port, self.wait_s = serials, host, port, wait_s
        self._leases: dict[int, Lease] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def phone(self, slot: int) -> RealDevice:
        """A free online device of the pool, leased to ``slot`` until its ``release`` (the slot's previous
        lease, if any, is given back first); waits while all are busy. ``FleetError`` when none is online for
        ``wait_s``, or the pool is stopped."""
        self.release(slot)
        lease = self._lease()
        with self._lock:
            if self._stopped.is_set():
                lease.release()
                raise FleetError("the device pool is stopped")
            self._leases[slot] = lease
        return RealDevice(lease.serial, self.host, self.port)

    def release(self, slot: int) -> None:
        """Give the slot's device back (the episode on it is over); never raises."""
        with self._lock:
            lease = self._leases.pop(slot, None)
        if lease is not None:
            lease.release()

    def discard(self, slot: int) -> None:
        """After a fault: give the device back; it is leased again only once it is online."""
        self.release(slot)

    def stop(self) -> None:
        """Give every lease back and end the slots' waits; idempotent."""
        self._stopped.set()
        with self._lock:
            leases, self._leases = list(self._leases.values()), {}
        for lease in leases:
            lease.release()

    def _lease(self) -> Lease:
        deadline = time.monotonic() + self.wait_s
        while not self._stopped.is_set():
            try:
                found = online(self.host, self.port)
            except OSError:  # the adb server is down: as if no device were online
                found = []
            candidates = [s for s in self.serials if s in found] if self.serials is not None else found
            lease = lease_first(candidates, self.host, self.port)
            if lease is not None:
                return lease
            if candidates:  # all online ones are busy: wait for one, however long its episode lasts
                deadline = time.monotonic() + self.wait_s
            elif time.monotonic() > deadline:
                wanted = f"none of {', '.join(self.serials)}" if self.serials is not None else "no device"
                raise FleetError(f"{wanted} was online on {self.host}:{self.port} for {self.wait_s:g} s")
            self._stopped.wait(0.2)
        raise FleetError("the device pool is stopped")
