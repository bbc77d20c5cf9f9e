"""``SimPhone`` and ``SimCluster``: simulated phones reachable through a real adb server.

::

    with SimPhone(seed=0) as phone:
        client = adbutils.AdbClient(host=phone.adb_host, port=phone.adb_port)
        d = client.device(phone.serial)          # adbutils -> real adb server -> simulated adbd
        d.shell("settings get global wifi_on")   # "1"
        phone.device.settings.get("global", "wifi_on")  # the same state, in process

A phone binds its adbd to a free port and registers with an adb server: its own (a private instance of
the real binary on a free port, stopped with the phone) or a shared one (``adb_server_port=``, e.g. a
``SimCluster``'s). ``adb=False`` skips the server: connect with ``adb connect 127.0.0.1:<phone.port>``.
"""

from __future__ import annotations

import logging
from typing import Any

from .device import Device
from .latency import LatencyProfile
from .transport.adbd import AdbdServer
from .transport.adbserver import AdbServer

log = logging.getLogger(__name__)


class SimPhone:
    """One simulated phone. Use as a context manager (or ``start()``/``stop()``)."""

    def __init__(self, seed: int = 0, size: tuple[int, int] = (1080, 2400), density: int = 420,
                 adb_server_port: int | None = None, adb: bool = True, host: str = "127.0.0.1",
                 fast_png: bool = False, idle_errors: bool = False, root: bool = True,
                 latency: LatencyProfile | None = None) -> None:  # fmt: skip
        self.seed = seed
        self.fast_png = fast_png  # see Device: cached level-1 PNGs instead of a fresh encode per screencap -p
        self.idle_errors = idle_errors  # see Device: uiautomator dump fails while a transition animates
        self.root = root  # see Device: False is a retail build whose adb shell is uid 2000
        self.latency = latency  # see Device: a phone's per-command costs (latency.PHONE), off by default
        self.size = size
        self.density = density
        self.host = host
        self._server_port = adb_server_port
        self._use_adb = adb
        self._adbd: AdbdServer | None = None
        self._server: AdbServer | None = None
        self._device: Device | None = None
        self.serial = ""

    # ---------------------------------------------------------------- lifetime

    def start(self) -> SimPhone:
        if self._adbd is not None:
            return self
        self._adbd = adbd = AdbdServer(host=self.host)
        try:
            self.serial = f"{self.host}:{adbd.port}"
            adbd.device = self._device = Device(self.seed, self.size, self.density, self.serial, self.fast_png,
                                                self.idle_errors, root=self.root, latency=self.latency)  # fmt: skip
            adbd.start()
            if self._use_adb:
                if self._server_port is None:
                    self._server = AdbServer(host=self.host).start()
                else:
                    self._server = AdbServer.attach(self._server_port, self.host)
                self._server.connect(self.host, adbd.port)
        except BaseException:
            self.stop()
            raise
        log.info("sim phone %s up (adb server port %s)", self.serial, self.adb_port)
        return self

    def stop(self) -> None:
        """Disconnect from the adb server, stop adbd, and stop the server if this phone started it."""
        if self._server is not None:
            self._server.disconnect(self.serial)
            self._server.stop()
            self._server = None
        if self._adbd is not None:
            self._adbd.close()
            self._adbd = None

    def __enter__(self) -> SimPhone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self, seed: int | None = None) -> None:
        """Back to a clean state seeded with ``seed`` (default: the current seed). The adb link stays up."""
        self.device.reset(self.seed if seed is None else seed)
        self.seed = self.device.seed

    def freeze(self) -> None:
        """Stop answering adb requests but stay connected (see ``Device.freeze``); ``thaw()`` undoes it."""
        self.device.freeze()

    def thaw(self) -> None:
        self.device.thaw()

    # ---------------------------------------------------------------- access

    @property
    def device(self) -> Device:
        if self._device is None:
            raise RuntimeError("the phone is not started")
        return self._device

    @property
    def port(self) -> int:
        """The simulated adbd's TCP port (what ``adb connect`` takes)."""
        if self._adbd is None:
            raise RuntimeError("the phone is not started")
        return self._adbd.port

    @property
    def adb_host(self) -> str:
        return self.host

    @property
    def adb_port(self) -> int | None:
        """The adb server's port (None when started with ``adb=False``)."""
        return self._server.port if self._server is not None else None

    @property
    def adb_server(self) -> AdbServer | None:
        return self._server

    def adb_device(self) -> Any:
        """An ``adbutils.AdbDevice`` for this phone, through its adb server."""
        import adbutils

        return adbutils.AdbClient(host=self.adb_host, port=self.adb_port).device(self.serial)


class SimCluster:
    """``n`` phones (seeds ``seed .. seed+n-1``) sharing one private adb server."""

    def __init__(self, n: int, seed: int = 0, size: tuple[int, int] = (1080, 2400), density: int = 420,
                 fast_png: bool = False, idle_errors: bool = False, all_interfaces: bool = False) -> None:  # fmt: skip
        if n < 1:
            raise ValueError("a cluster needs at least one phone")
        self.fast_png, self.idle_errors = fast_png, idle_errors
        self.all_interfaces = all_interfaces  # the adb server's (see AdbServer); the phones stay on loopback
        self.n = n
        self.seed = seed
        self.size = size
        self.density = density
        self.server: AdbServer | None = None
        self.phones: list[SimPhone] = []

    def start(self) -> SimCluster:
        self.server = AdbServer(all_interfaces=self.all_interfaces).start()
        try:
            for i in range(self.n):
                phone = SimPhone(self.seed + i, self.size, self.density, adb_server_port=self.server.port,
                                 fast_png=self.fast_png, idle_errors=self.idle_errors)  # fmt: skip
                self.phones.append(phone.start())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for phone in self.phones:
            phone.stop()
        self.phones.clear()
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> SimCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __iter__(self):
        return iter(self.phones)

    def __len__(self) -> int:
        return len(self.phones)

    def __getitem__(self, i: int) -> SimPhone:
        return self.phones[i]

    @property
    def adb_host(self) -> str:
        return "127.0.0.1"

    @property
    def adb_port(self) -> int | None:
        return self.server.port if self.server is not None else None
