"""What a command reads and writes: stdin shared along a list (``InBuf``), the writers (``Io``), the ``Result``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Writer = Callable[[bytes], None]


Stdin = bytes | Callable[[], bytes]  # a callable reads the session's stdin on first use (to its end)


class InBuf:
    """A stdin shared by the commands of a list that read it in turn (``cat`` takes the rest, ``read`` a line)."""

    def __init__(self, source: Stdin) -> None:
        self._source: Callable[[], bytes] | None = source if callable(source) else None
        self._data = b"" if callable(source) else source
        chunk = getattr(source, "chunk", None)  # a stream's reader can also give what has arrived so far
        self._chunk: Callable[[], bytes | None] | None = chunk if callable(chunk) else None

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes when the stream has them (fewer at its end), without waiting for its end
        (``pm install -S SIZE`` reads the APK while the client waits for the answer on the same stream)."""
        while len(self._data) < n and self._chunk is not None and self._source is not None:
            more = self._chunk()
            if more is None:
                self._source = None
                break
            self._data += more
        if len(self._data) < n:
            self._fill()
        data, self._data = self._data[:n], self._data[n:]
        return data

    def _fill(self) -> None:
        if self._source is not None:
            self._data, self._source = self._data + self._source(), None

    def take(self) -> bytes:
        self._fill()
        data, self._data = self._data, b""
        return data

    def line(self) -> bytes | None:
        self._fill()
        if not self._data:
            return None
        line, nl, rest = self._data.partition(b"\n")
        self._data = rest
        return line + nl


@dataclass
class Io:
    stdin: InBuf
    out: Writer
    err: Writer
    live: Callable[[], bool] | None = None  # streamed to a client: False once it hung up; None in process


class Hangup(Exception):
    """The client of a streamed command went away (its writer raises this): the command line stops."""


@dataclass
class Result:
    """What a command line printed, in order (``(1, b"...")`` stdout, ``(2, ...)`` stderr), and its status."""

    chunks: list[tuple[int, bytes]] = field(default_factory=list)
    status: int = 0

    @property
    def stdout(self) -> bytes:
        return b"".join(d for fd, d in self.chunks if fd == 1)

    @property
    def stderr(self) -> bytes:
        return b"".join(d for fd, d in self.chunks if fd == 2)

    @property
    def output(self) -> bytes:
        """stdout and stderr merged, as ``adb shell`` v1 returns them."""
        return b"".join(d for _, d in self.chunks)

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")
