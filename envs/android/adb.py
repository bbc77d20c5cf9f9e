"""The adb boundary: one small interface (``AdbTransport``), its real implementation over adbutils, and the
errors it raises.

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

from ..base import DeviceLost, EnvError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5037
_EXIT_MARKER = b"X4EXIT:"  # the v1 fallback appends `; echo X4EXIT:$?` to learn the exit status


class AdbDeviceLost(DeviceLost):
    """The device or the adb server stopped answering, or the device is not connected.

    ``transient``: another try may succeed (a reconnecting USB device, an offline blip);
    ``may_have_run``: the command may have reached the device, so a retry could run it twice.
    """

    def __init__(self, message: str, *, transient: bool = True, may_have_run: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.may_have_run = may_have_run


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


def command_line(argv: Sequence[str]) -> str:
    """``argv`` as one device shell command line, every argument quoted (so none is parsed as syntax)."""
    if isinstance(argv, str) or not argv:
        raise TypeError("a device command is a non-empty sequence of arguments, not a string")
    for arg in argv:
        if not isinstance(arg, str) or "\0" in arg:
            raise ValueError(f"invalid command argument {arg!r}: must be a string without NUL")
    return " ".join(shlex.quote(a) for a in argv)


def _adbutils():
    import adbutils
    from adbutils._adb import AdbConnection

    class NoSpawnConnection(AdbConnection):
        # adbutils runs `adb start-server` when it cannot connect - on the default port whatever port we
        # use. A vanished server must be reported, not silently replaced.
        def _safe_connect(self):
            return self._create_socket()

    class Client(adbutils.AdbClient):
        _version: int | None = None

        def make_connection(self, timeout: float | None = None) -> AdbConnection:
            conn = NoSpawnConnection(self.host, self.port)
            conn.conn.settimeout(timeout or 10.0)
            return conn

        def server_version(self) -> int:  # asked before every device call by adbutils; it does not change
            if self._version is None:
                self._version = super().server_version()
            return self._version

    return adbutils, Client


def classify_failure(message: str, where: str) -> EnvError:
    """Turn an adb ``FAIL`` message (or connection error text) into the error the env raises."""
    low = message.lower()
    if "unauthorized" in low:
        return EnvError(f"{where}: the device is unauthorized; accept the 'Allow USB debugging' prompt on it")
    if "not found" in low or "no devices" in low:
        return AdbDeviceLost(f"{where}: the device is not connected to the adb server ({message.strip()})")
    if "offline" in low or "closed" in low:
        return AdbDeviceLost(f"{where}: the device is offline ({message.strip()})")
    if "refused" in low or "connect" in low or "timeout" in low or "timed out" in low:
        return AdbDeviceLost(f"{where}: cannot reach the adb server ({message.strip()})")
    return EnvError(f"{where}: adb failed: {message.strip()}")


def list_devices(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[tuple[str, str]]:
    """``(serial, state)`` for every device the adb server knows (state: device, offline, unauthorized...)."""
    adbutils, client_class = _adbutils()
    try:
        return [(d.serial, d.state) for d in client_class(host=host, port=port).list()]
    except adbutils.AdbError as e:
        raise classify_failure(str(e), f"adb server {host}:{port}") from e
    except OSError as e:
        raise AdbDeviceLost(f"adb server {host}:{port}: {e}") from e


class AdbutilsTransport:
    """The real transport: adbutils for server and device connections, our own reading of the reply.

    Reads use the shell v2 protocol when the device supports it (separate stdout/stderr, an exit status,
    no pty mangling binary output), else ``exec:`` plus an echoed exit status. Each read is bounded by the
    call's deadline; the reply is collected in chunks (adbutils' ``bytes +=`` loop is quadratic on a 10 MB
    raw frame).
    """

    def __init__(self, serial: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.serial, self.host, self.port = serial, host, port
        self._adbutils, client_class = _adbutils()
        self._client = client_class(host=host, port=port)
        self._device = self._adbutils.AdbDevice(self._client, serial=serial)
        self._shell_v2: bool | None = None

    def __repr__(self) -> str:
        return f"AdbutilsTransport({self.serial!r} via {self.host}:{self.port})"

    def shell(self, argv: Sequence[str], *, timeout: float, idempotent: bool = True) -> ShellResult:
        line = command_line(argv)
        deadline = time.monotonic() + timeout
        v2 = self._supports_v2()
        conn = self._open(f"shell,v2:{line}" if v2 else f"exec:{line}; echo {_EXIT_MARKER.decode()}$?", timeout)
        sock = conn.conn
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
            sock.close()  # the reply is complete (or abandoned); adbutils' close() would sleep 10 ms

    def close(self) -> None:
        """Nothing is held between calls (each call has its own connection)."""

    def _supports_v2(self) -> bool:
        if self._shell_v2 is None:
            features = self._call(self._device.get_features, "features")
            self._shell_v2 = "shell_v2" in features.split(",")
        return self._shell_v2

    def _open(self, service: str, timeout: float):
        """A socket on which the device service has answered OKAY; the command has not run if this fails."""

        def open_service():
            conn = self._device.open_transport(timeout=min(timeout, 10.0))
            try:
                conn.send_command(service)
                conn.check_okay()
            except BaseException:
                conn.close()
                raise
            conn.conn.settimeout(timeout)
            return conn

        return self._call(open_service, _short(service))

    def _call(self, fn, what: str):
        try:
            return fn()
        except self._adbutils.AdbError as e:
            raise classify_failure(str(e), f"{self.serial} ({what})") from e
        except OSError as e:  # refused, reset, or timed out before the device service accepted the command
            raise AdbDeviceLost(f"{self.serial} ({what}): adb server {self.host}:{self.port}: {e}") from e


def _recv_exact(sock: socket.socket, n: int, deadline: float) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError(f"the connection closed after {got} of {n} bytes")
        got += k
    return buf


def _read_v2(sock: socket.socket, deadline: float) -> ShellResult:
    """Shell v2 packets ``[id u8][len u32 LE][data]``: 1 stdout, 2 stderr, 3 exit status."""
    out: list[bytes | bytearray] = []
    err: list[bytes | bytearray] = []
    while True:
        header = _recv_exact(sock, 5, deadline)
        kind, size = header[0], int.from_bytes(header[1:5], "little")
        data = _recv_exact(sock, size, deadline) if size else b""
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
