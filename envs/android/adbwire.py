"""Our own client of the adb server's host protocol ("smart sockets"), over a plain TCP socket.

The protocol (adb's ``SERVICES.TXT`` and ``protocol.txt``): a request is its length as 4 hex digits, then the
text (``host:devices``, ``host:transport:SERIAL``, ``shell,v2:...``); the server answers ``OKAY`` or ``FAIL``
followed by a length-prefixed message. Host queries (``host:devices``, ``host-serial:S:features``) answer
with one length-prefixed reply; ``host:transport:SERIAL`` switches the socket to that device, after which one
device service request (``shell,v2:``, ``exec:``, ``sync:``) is sent on it and the socket carries that
service's bytes until either side closes.

Nothing here sleeps or asks the server its version, and nothing ever starts an adb server: a vanished
server is reported (``AdbDeviceLost``), never silently replaced.
"""

from __future__ import annotations

import socket
import time

from ..base import DeviceLost, EnvError

CONNECT_TIMEOUT_S = 10.0


class AdbDeviceLost(DeviceLost):
    """The device or the adb server stopped answering, or the device is not connected.

    ``transient``: another try may succeed (a reconnecting USB device, an offline blip);
    ``may_have_run``: the command may have reached the device, so a retry could run it twice.
    """

    def __init__(self, message: str, *, transient: bool = True, may_have_run: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.may_have_run = may_have_run


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


def encode_request(text: str) -> bytes:
    """One request as the server reads it: 4 hex digits of length, then the UTF-8 text."""
    data = text.encode("utf-8")
    if len(data) > 0xFFFF:
        raise EnvError(f"adb request too long ({len(data)} bytes): {text[:60]}...")
    return f"{len(data):04x}".encode() + data


def recv_exact(sock: socket.socket, n: int, deadline: float | None = None) -> bytearray:
    """Exactly ``n`` bytes (``EOFError`` if the peer closes first); each read bounded by ``deadline``."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError(f"the connection closed after {got} of {n} bytes")
        got += k
    return buf


class AdbServerClient:
    """Requests to the adb server at ``host:port``; one short-lived socket per request or device service."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        self.host, self.port, self.connect_timeout = host, port, connect_timeout

    def __repr__(self) -> str:
        return f"AdbServerClient({self.host}:{self.port})"

    def query(self, request: str, *, where: str, timeout: float = CONNECT_TIMEOUT_S) -> str:
        """The reply to a host request that answers ``OKAY`` + a length-prefixed text (``host:devices``...)."""
        sock = self._connect(where, timeout)
        try:
            self._request(sock, request, where)
            size = int(recv_exact(sock, 4), 16)
            return recv_exact(sock, size).decode("utf-8", "replace")
        except (OSError, EOFError, ValueError) as e:
            raise AdbDeviceLost(f"{where}: adb server {self.host}:{self.port}: {e}") from e
        finally:
            sock.close()

    def open(self, serial: str, service: str, *, where: str, timeout: float) -> socket.socket:
        """A socket on which ``service`` of device ``serial`` has answered OKAY (the caller closes it).

        If this raises, the service was not started: the command has not run.
        """
        sock = self._connect(where, min(timeout, self.connect_timeout))
        try:
            self._request(sock, f"host:transport:{serial}", where)
            self._request(sock, service, where)
        except BaseException as e:
            sock.close()
            if isinstance(e, (OSError, EOFError)):
                raise AdbDeviceLost(f"{where}: adb server {self.host}:{self.port}: {e}") from e
            raise
        sock.settimeout(timeout)
        return sock

    def devices(self) -> list[tuple[str, str]]:
        """``(serial, state)`` for every device the server knows."""
        text = self.query("host:devices", where=f"adb server {self.host}:{self.port}")
        rows = (line.split("\t") for line in text.splitlines() if line.strip())
        return [(row[0], row[1] if len(row) > 1 else "unknown") for row in rows]

    def features(self, serial: str) -> set[str]:
        """What the device's adbd supports (``shell_v2``, ``cmd``, ``stat_v2``...)."""
        return set(self.query(f"host-serial:{serial}:features", where=f"{serial} (features)").strip().split(","))

    def _connect(self, where: str, timeout: float) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as e:  # refused, unreachable, timed out
            raise AdbDeviceLost(f"{where}: adb server {self.host}:{self.port}: {e}") from e
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(timeout)
        return sock

    def _request(self, sock: socket.socket, request: str, where: str) -> None:
        """Send one request and read its status; ``FAIL`` becomes the error ``classify_failure`` picks."""
        sock.sendall(encode_request(request))
        status = bytes(recv_exact(sock, 4))
        if status == b"OKAY":
            return
        if status != b"FAIL":
            raise EnvError(f"{where}: adb protocol error: {status!r} in answer to {request[:60]!r}")
        size = int(recv_exact(sock, 4), 16)
        raise classify_failure(recv_exact(sock, size).decode("utf-8", "replace"), where)
