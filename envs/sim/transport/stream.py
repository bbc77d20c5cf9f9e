"""One ADB stream (an OPENed service) with classic flow control: one WRTE in flight until the peer's OKAY."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from .proto import A_CLSE, A_WRTE

SEND_TIMEOUT_S = 60.0


class StreamClosed(Exception):
    """The peer closed the stream (or the connection went away)."""


class Stream:
    """A bidirectional byte stream between a device service and the host.

    ``send`` is the connection's message sender; ``max_payload`` the negotiated WRTE size.
    """

    def __init__(self, send: Callable[[int, int, int, bytes], None], local_id: int, remote_id: int,
                 max_payload: int) -> None:  # fmt: skip
        self._send = send
        self.local_id = local_id
        self.remote_id = remote_id
        self.max_payload = max_payload
        self._ready = threading.Event()
        self._ready.set()
        self._cv = threading.Condition()
        self._inbox = bytearray()
        self.closed = False

    # ---------------------------------------------------------------- host -> device

    def feed(self, data: bytes) -> None:
        with self._cv:
            self._inbox.extend(data)
            self._cv.notify_all()

    def on_okay(self) -> None:
        self._ready.set()

    def on_close(self) -> None:
        with self._cv:
            self.closed = True
            self._cv.notify_all()
        self._ready.set()

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Up to ``n`` bytes; b"" once the peer closed and nothing is left (or after ``timeout``)."""
        with self._cv:
            self._cv.wait_for(lambda: self._inbox or self.closed, timeout)
            data = bytes(self._inbox[:n])
            del self._inbox[:n]
            return data

    def read_exact(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = self.read(n - len(out))
            if not chunk:
                raise StreamClosed(f"stream closed after {len(out)} of {n} bytes")
            out.extend(chunk)
        return bytes(out)

    # ---------------------------------------------------------------- device -> host

    def write(self, data: bytes) -> None:
        """Send ``data`` in WRTE messages, waiting for each OKAY; raises ``StreamClosed``."""
        view = memoryview(data)
        for start in range(0, len(view), self.max_payload):
            if not self._ready.wait(SEND_TIMEOUT_S) or self.closed:
                raise StreamClosed("peer stopped acknowledging" if not self.closed else "closed by peer")
            self._ready.clear()
            self._send(A_WRTE, self.local_id, self.remote_id, bytes(view[start : start + self.max_payload]))

    def close(self) -> None:
        """Close our end (CLSE) unless the peer already did; never raises (a lost connection needs no CLSE)."""
        with self._cv:
            if self.closed:
                return
            self.closed = True
        with contextlib.suppress(StreamClosed):
            self._send(A_CLSE, self.local_id, self.remote_id, b"")
