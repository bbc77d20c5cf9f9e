"""Exclusive leases on the devices of an adb server, across processes, so that no two of our processes (two
``run --devices all``, a ``bench`` pool and a ``run``, two Ray workers on one node) ever drive one phone.

A lease is an exclusive ``fcntl.flock`` on a file named after the adb server and the serial, in a per-user
directory (``$QWEN2VL_AGENT_LEASE_DIR``, else ``$XDG_RUNTIME_DIR/qwen2vl-agent/leases``, else
``<tmp>/qwen2vl-agent-<uid>/leases``). The kernel drops the lock when its holder exits, however it exits
(SIGKILL included), so a crash never leaves a phone leased. The file holds the holder's pid, for messages.
Locks are per open file, so two threads of one process exclude each other too.

Leases are advisory: they bind our processes, not adb itself or other tools.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..base import EnvError
from .adb import list_devices

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class NoFreeDevice(EnvError):
    """Every device asked for is leased by another process (or none is online)."""


def lease_dir() -> Path:
    """The per-user directory of the lease files (created, private)."""
    if os.environ.get("QWEN2VL_AGENT_LEASE_DIR"):
        root = Path(os.environ["QWEN2VL_AGENT_LEASE_DIR"])
    elif os.environ.get("XDG_RUNTIME_DIR"):
        root = Path(os.environ["XDG_RUNTIME_DIR"]) / "qwen2vl-agent" / "leases"
    else:
        root = Path(tempfile.gettempdir()) / f"qwen2vl-agent-{os.getuid()}" / "leases"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def _path(serial: str, host: str, port: int) -> Path:
    """One file per (adb server, serial): a serial names a device only on its own server; the loopback
    names of this machine's server are one server."""
    where = "local" if host in _LOCAL_HOSTS else host
    return lease_dir() / re.sub(r"[^A-Za-z0-9._:-]", "_", f"{where}-{port}-{serial}")


class Lease:
    """The exclusive right to drive ``serial`` on the adb server at ``host:port`` until ``release()``; a
    context manager."""

    def __init__(self, serial: str, host: str, port: int, fd: int) -> None:
        self.serial, self.host, self.port = serial, host, port
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the device back (closing the file drops the lock); idempotent."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Lease({self.serial!r}, {self.host}:{self.port}, held={self.held})"


def try_lease(serial: str, host: str, port: int) -> Lease | None:
    """A lease on ``serial`` if no process holds one now, else None (never waits)."""
    fd = os.open(_path(serial, host, port), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return Lease(serial, host, port, fd)


def lease_first(serials: Iterable[str], host: str, port: int) -> Lease | None:
    """A lease on the first of ``serials`` that is free, in their order; None when all are leased."""
    for serial in serials:
        lease = try_lease(serial, host, port)
        if lease is not None:
            return lease
    return None


def holder(serial: str, host: str, port: int) -> int | None:
    """The pid that holds (or last held) the lease on ``serial``, for messages; None if unknown."""
    with contextlib.suppress(OSError, ValueError):
        return int(_path(serial, host, port).read_text().strip())
    return None


def lease_free(spec: str, host: str, port: int) -> Lease:
    """A lease on the first free device of the pool ``spec`` (``all``: every device online on the server, in
    serial order; else comma-separated serials, in the order given), never waiting: ``NoFreeDevice`` says
    which are online and who holds each when none is free."""
    online = sorted(serial for serial, state in list_devices(host, port) if state == "device")
    wanted = online if spec.strip() == "all" else list(dict.fromkeys(s.strip() for s in spec.split(",") if s.strip()))
    candidates = [s for s in wanted if s in online]
    lease = lease_first(candidates, host, port)
    if lease is not None:
        return lease
    if not candidates:
        raise NoFreeDevice(f"no device of the pool {spec!r} is online on the adb server at {host}:{port}")
    busy = ", ".join(f"{s} (pid {holder(s, host, port) or '?'})" for s in candidates)
    raise NoFreeDevice(f"every device of the pool {spec!r} is in use by another run: {busy}")
