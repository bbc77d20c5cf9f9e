"""A simulated adbd: a TCP listener that speaks the ADB transport protocol for one ``Device``.

The real adb server connects to it (``adb connect 127.0.0.1:PORT``) exactly as to a phone in TCP/IP
mode: CNXN handshake (no AUTH: the device trusts the host, like an emulator), then one OPEN per service,
each served on its own thread. Features advertised are exactly those implemented (``shell_v2,cmd``):
advertising ``stat_v2`` or ``sendrecv_v2`` would make the adb client use sync messages we do not speak.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import threading
from typing import TYPE_CHECKING

from . import services
from .proto import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_WRTE,
    HEADER,
    MAX_PAYLOAD,
    VERSION,
    VERSION_MIN,
    ProtocolError,
    pack,
    unpack_header,
)  # fmt: skip
from .stream import Stream

if TYPE_CHECKING:
    from ..device import Device

log = logging.getLogger(__name__)
FEATURES = "shell_v2,cmd"


def banner(device: Device) -> bytes:
    p = device.props
    return (f"device::ro.product.name={p['ro.product.name']};ro.product.model={p['ro.product.model']};"
            f"ro.product.device={p['ro.product.device']};features={FEATURES}").encode()  # fmt: skip


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("peer closed the connection")
        buf.extend(chunk)
    return bytes(buf)


class Connection:
    """One host connection: reads messages on its own thread and dispatches them to streams."""

    def __init__(self, device: Device, sock: socket.socket) -> None:
        self.device = device
        self.sock = sock
        self._send_lock = threading.Lock()
        self._streams: dict[int, Stream] = {}
        self._ids = itertools.count(1)
        self.link = services.extra_services.Link()  # this host's reverse forwards
        self.max_payload = MAX_PAYLOAD
        self.checksum = False
        self.thread = threading.Thread(target=self._run, name="sim-adbd-conn", daemon=True)

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        try:
            with self._send_lock:
                self.sock.sendall(pack(command, arg0, arg1, data, self.checksum))
        except OSError as e:
            raise services.StreamClosed(f"connection lost: {e}") from e

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def _run(self) -> None:
        try:
            while True:
                command, arg0, arg1, length = unpack_header(_recv_exact(self.sock, HEADER.size))
                data = _recv_exact(self.sock, length) if length else b""
                self._dispatch(command, arg0, arg1, data)
        except (ConnectionError, OSError, ProtocolError, services.StreamClosed) as e:
            log.debug("connection ended: %s", e)
        finally:
            for stream in list(self._streams.values()):
                stream.on_close()
            self._streams.clear()
            self.close()

    def _dispatch(self, command: int, arg0: int, arg1: int, data: bytes) -> None:
        if command == A_CNXN:
            self.checksum = arg0 < VERSION
            self.max_payload = max(4096, min(arg1 or MAX_PAYLOAD, MAX_PAYLOAD))
            self.send(A_CNXN, max(VERSION_MIN, min(arg0, VERSION)), MAX_PAYLOAD, banner(self.device))
        elif command == A_OPEN:
            self._open(arg0, data.rstrip(b"\0").decode("utf-8", "replace"))
        elif command == A_OKAY and arg1 in self._streams:
            self._streams[arg1].on_okay()
        elif command == A_WRTE and arg1 in self._streams:
            self._streams[arg1].feed(data)
            self.send(A_OKAY, arg1, arg0)
        elif command == A_CLSE and arg1 in self._streams:
            stream = self._streams.pop(arg1)
            ours = stream.closed  # our CLSE is already on its way: the host's crosses it
            stream.on_close()
            if not ours:
                self.send(A_CLSE, arg1, arg0)  # adbd answers a host's CLSE with its own

    def _open(self, remote_id: int, name: str) -> None:
        if not services.known(name):
            log.info("refusing unknown service %r", name)
            self.send(A_CLSE, 0, remote_id)
            return
        local_id = next(self._ids)
        stream = Stream(self.send, local_id, remote_id, self.max_payload)
        self._streams[local_id] = stream
        self.send(A_OKAY, local_id, remote_id)

        def run() -> None:
            services.serve(self.device, stream, name, self.link)
            self._streams.pop(local_id, None)

        threading.Thread(target=run, name=f"sim-adbd-{name.split(':')[0]}", daemon=True).start()


class AdbdServer:
    """Listens on ``host:port`` (0 picks a free port) and serves ``device`` to every connection."""

    def __init__(self, device: Device | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.device = device
        self.host = host
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._conns: list[Connection] = []
        self._thread = threading.Thread(target=self._accept, name=f"sim-adbd-{self.port}", daemon=True)

    def start(self) -> AdbdServer:
        if self.device is None:
            raise RuntimeError("AdbdServer needs a device before start()")
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # 62 ms -> 22 ms per call
            conn = Connection(self.device, sock)  # type: ignore[arg-type]
            self._conns = [c for c in self._conns if c.thread.is_alive()] + [conn]
            conn.thread.start()

    def close(self) -> None:
        """Stop listening and drop every connection; waits for the threads it owns."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self._sock.close()
        for conn in self._conns:
            conn.close()
        for conn in self._conns:
            conn.thread.join(2)
        self._conns.clear()
