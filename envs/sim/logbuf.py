"""The phone's log buffers (what ``logd`` keeps): entries written by ``log``, apps and system services.

An entry has logd's fields (time, pid, tid, priority, tag, message, buffer); ``logcat`` (``shell/cmd_logcat``)
filters and prints them. The buffer is a ring, as logd's is: the oldest entries go first.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

PRIORITIES = "VDIWEFS"  # verbose .. fatal, then silent (a filter level only)
RING = 20000


@dataclass(frozen=True)
class LogEntry:
    time: float
    pid: int
    tid: int
    priority: str  # one of "VDIWEF"
    tag: str
    message: str
    buffer: str = "main"  # "main" | "system" | "crash" | "events" | "radio"


class LogBuffer:
    """A ring of ``LogEntry``; ``clock`` gives the device's epoch time. Thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._entries: deque[LogEntry] = deque(maxlen=RING)
        self._cv = threading.Condition()
        self.written = 0  # entries ever written (a follower's cursor)

    def write(self, priority: str, tag: str, message: str, pid: int = 0, tid: int | None = None,
              buffer: str = "main") -> None:  # fmt: skip
        """Append one entry per line of ``message`` (as ``log`` does with a multi-line message)."""
        with self._cv:
            for line in message.split("\n") or [""]:
                self._entries.append(LogEntry(self.clock(), pid, tid or pid, priority, tag, line, buffer))
                self.written += 1
            self._cv.notify_all()

    def clear(self, buffers: set[str] | None = None) -> None:
        with self._cv:
            kept = [e for e in self._entries if buffers is not None and e.buffer not in buffers]
            self._entries.clear()
            self._entries.extend(kept)

    def entries(self) -> list[LogEntry]:
        return self.snapshot()[0]

    def snapshot(self) -> tuple[list[LogEntry], int]:
        """The entries and the ``written`` count at one instant (a follower's starting cursor)."""
        with self._cv:
            return list(self._entries), self.written

    def since(self, cursor: int, timeout: float) -> tuple[list[LogEntry], int]:
        """Entries written after ``cursor`` (a ``written`` count), waiting up to ``timeout`` for one."""
        with self._cv:
            self._cv.wait_for(lambda: self.written > cursor, timeout)
            fresh = min(self.written - cursor, len(self._entries))
            return list(self._entries)[len(self._entries) - fresh :], self.written
