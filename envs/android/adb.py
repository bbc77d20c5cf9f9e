"""The adb boundary: one small interface (``AdbTransport``, plus ``SyncTransport`` for files), its real
implementation over our own adb host-protocol client (``SocketTransport``, see ``adbwire``), and the errors
it raises. No private API of any adb library is used.

Everything the Android environment does on a device is ``transport.shell(argv, timeout=...)``: a tuple of
arguments, joined with ``shlex.quote`` per argument, so no argument (typed text above all) is ever parsed as
shell syntax on the device. Tests swap in ``fake.FakeAdb`` (like httpx's ``MockTransport``) and never need
adb at all.

Errors (all ``EnvError``, so the run stops with the message; the retry wrapper in ``retry.py`` decides what
is worth another try):

- ``AdbDeviceLost`` (a ``DeviceLost``): the adb server or the device did not answer, or the device is not (or no
  longer) connected. ``transient`` says whether trying again may help, ``may_have_run`` whether the
  command may already have reached the device (so an action must not be repeated).
- ``EnvError``: everything that retrying cannot fix (an unauthorized device, a protocol error).
"""

from __future__ import annotations

import logging
import shlex
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..base import EnvError
from . import sync
from .adbwire import AdbDeviceLost, AdbServerClient, recv_exact

__all__ = ["AdbDeviceLost", "AdbTransport", "ShellResult", "SocketTransport", "SyncTransport"]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5037
_EXIT_MARKER = b"X4EXIT:"  # the v1 fallback appends `; echo X4EXIT:$?` to learn the exit status


@dataclass(frozen=True)
class ShellResult:
    """What a device command printed and how it exited (``exit_code`` is None when unknown)."""

    stdout: bytes
    stderr: bytes = b""
    exit_code: int | None = 0

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def text(self) -> str:
        """stdout and stderr together, decoded (device tools print errors on either)."""
        return (self.stdout + self.stderr).decode("utf-8", "replace")


@runtime_checkable
class AdbTransport(Protocol):
    """Runs commands on one device. ``shell`` raises ``AdbDeviceLost``/``EnvError``, never hangs past ``timeout``.

    ``idempotent``: whether running the command twice is harmless (reads are, taps are not); wrappers use it
    to decide whether a failed call may be retried.
    """

    serial: str

    def shell(self, argv: Sequence[str], *, timeout: float, idempotent: bool = True) -> ShellResult: ...

    def close(self) -> None: ...


@runtime_checkable
class SyncTransport(Protocol):
    """Files on the device over the ``sync:`` service (a transport may offer it; ``SocketTransport`` does).

    ``stat``: None when the path does not exist. ``pull``/``push`` raise ``sync.SyncFailed`` when the device
    refuses, ``AdbDeviceLost`` when it does not answer within ``timeout``.
    """

    def stat(self, path: str, *, timeout: float) -> sync.FileStat | None: ...

    def listdir(self, path: str, *, timeout: float) -> list[sync.FileStat]: ...

    def pull(self, path: str, *, timeout: float) -> bytes: ...

    def push(self, path: str, data: bytes, *, mode: int = 0o644, timeout: float) -> None: ...


def command_line(argv: Sequence[str]) -> str:
    """``argv`` as one device shell command line, every argument quoted (so none is parsed as syntax)."""
    if isinstance(argv, str) or not argv:
        raise TypeError("a device command is a non-empty sequence of arguments, not a string")
    for arg in argv:
        if not isinstance(arg, str) or "\0" in arg:
            raise ValueError(f"invalid command argument {arg!r}: must be a string without NUL")
    return " ".join(shlex.quote(a) for a in argv)


def list_devices(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[tuple[str, str]]:
    """``(serial, state)`` for every device the adb server knows (state: device, offline, unauthorized...)."""
    return AdbServerClient(host, port).devices()


class SocketTransport:
    """The real transport: our own host-protocol client (``adbwire``) to the adb server, one socket per call.

    Commands use the shell v2 protocol when the device supports it (separate stdout/stderr, an exit status,
    no pty mangling binary output), else ``exec:`` plus an echoed exit status. Files go over ``sync:``. Each
    read is bounded by the call's deadline; replies are collected in chunks. No call sleeps, and the server is
    never asked its version.
    """

    def __init__(self, serial: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.serial, self.host, self.port = serial, host, port
        self.server = AdbServerClient(host, port)
        self._shell_v2: bool | None = None

    def __repr__(self) -> str:
        return f"SocketTransport({self.serial!r} via {self.host}:{self.port})"

    def shell(self, argv: Sequence[str], *, timeout: float, idempotent: bool = True) -> ShellResult:
        line = command_line(argv)
        deadline = time.monotonic() + timeout
        v2 = self._supports_v2()
        service = f"shell,v2:{line}" if v2 else f"exec:{line}; echo {_EXIT_MARKER.decode()}$?"
        sock = self.server.open(self.serial, service, where=f"{self.serial} ({_short(service)})", timeout=timeout)
        try:
            return _read_v2(sock, deadline) if v2 else _read_v1(sock, deadline)
        except TimeoutError as e:
            raise AdbDeviceLost(
                f"{self.serial} did not answer `{_short(line)}` within {timeout:.1f} s",
                transient=False,
                may_have_run=True,
            ) from e
        except (OSError, EOFError) as e:
            raise AdbDeviceLost(
                f"{self.serial}: connection lost during `{_short(line)}`: {e}", may_have_run=True
            ) from e
        finally:
            sock.close()

    def stat(self, path: str, *, timeout: float) -> sync.FileStat | None:
        return self._sync(lambda sock, deadline: sync.stat(sock, path, deadline), f"stat {path}", timeout)

    def listdir(self, path: str, *, timeout: float) -> list[sync.FileStat]:
        return self._sync(lambda sock, deadline: sync.listdir(sock, path, deadline), f"list {path}", timeout)

    def pull(self, path: str, *, timeout: float) -> bytes:
        return self._sync(lambda sock, deadline: sync.pull(sock, path, deadline), f"pull {path}", timeout)

    def push(self, path: str, data: bytes, *, mode: int = 0o644, timeout: float) -> None:
        self._sync(lambda sock, deadline: sync.push(sock, path, data, mode, deadline), f"push {path}", timeout)

    def close(self) -> None:
        """Nothing is held between calls (each call has its own connection)."""

    def _supports_v2(self) -> bool:
        if self._shell_v2 is None:
            self._shell_v2 = "shell_v2" in self.server.features(self.serial)
        return self._shell_v2

    def _sync(self, op, what: str, timeout: float):
        """Run ``op(sock, deadline)`` in one ``sync:`` session; socket faults become ``AdbDeviceLost``."""
        deadline = time.monotonic() + timeout
        sock = self.server.open(self.serial, "sync:", where=f"{self.serial} ({what})", timeout=timeout)
        try:
            result = op(sock, deadline)
            sync.quit_(sock)
            return result
        except TimeoutError as e:
            raise AdbDeviceLost(f"{self.serial} did not answer `{what}` within {timeout:.1f} s", transient=False,
                                may_have_run=True) from e  # fmt: skip
        except (OSError, EOFError) as e:
            raise AdbDeviceLost(f"{self.serial}: connection lost during `{what}`: {e}", may_have_run=True) from e
        finally:
            sock.close()


def _read_v2(sock: socket.socket, deadline: float) -> ShellResult:
    """Shell v2 packets ``[id u8][len u32 LE][data]``: 1 stdout, 2 stderr, 3 exit status."""
    out: list[bytes | bytearray] = []
    err: list[bytes | bytearray] = []
    while True:
        header = recv_exact(sock, 5, deadline)
        kind, size = header[0], int.from_bytes(header[1:5], "little")
        data = recv_exact(sock, size, deadline) if size else b""
        if kind == 1:
            out.append(data)
        elif kind == 2:
            err.append(data)
        elif kind == 3:
            return ShellResult(b"".join(out), b"".join(err), data[0] if data else None)


def _read_v1(sock: socket.socket, deadline: float) -> ShellResult:
    chunks: list[bytes] = []
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    data = b"".join(chunks)
    at = data.rfind(_EXIT_MARKER)
    if at < 0:
        return ShellResult(data, b"", None)
    status = data[at + len(_EXIT_MARKER) :].strip()
    return ShellResult(data[:at], b"", int(status) if status.isdigit() else None)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def choose_device(serial: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    """The serial to use: ``serial`` if it is connected and ready, else the only ready device.

    ``EnvError`` with what to do when the device is missing, not ready, or when none or several are ready.
    """
    try:
        devices = list_devices(host, port)
    except AdbDeviceLost as e:
        raise AdbDeviceLost(
            f"{e}; is an adb server running there? (`adb -P {port} start-server`)", transient=False
        ) from e
    listing = ", ".join(f"{s} ({state})" for s, state in devices) or "none"
    if serial:
        state = dict(devices).get(serial)
        if state is None:
            raise EnvError(
                f"device {serial!r} is not connected to the adb server at {host}:{port}; connected: {listing}"
            )
        if state != "device":
            hint = "; accept the 'Allow USB debugging' prompt on it" if state == "unauthorized" else ""
            raise EnvError(f"device {serial!r} is {state}, not ready{hint}")
        return serial
    ready = [s for s, state in devices if state == "device"]
    if not ready:
        raise EnvError(f"no Android device is ready on the adb server at {host}:{port} (devices: {listing})")
    if len(ready) > 1:
        raise EnvError(f"{len(ready)} devices are connected ({', '.join(ready)}); choose one with serial=/--serial")
    return ready[0]
