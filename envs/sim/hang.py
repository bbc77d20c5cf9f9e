"""A device that stops answering but stays connected: the gate adb requests pass before they run.

``Device.freeze()`` closes the gate: the adb transport keeps its connection (``adb devices`` still says
``device``), but each new shell, exec or sync request waits at the gate, as on a phone whose system server
hangs. ``thaw()`` opens it: waiting requests whose client is still there run; a request whose host closed
the stream meanwhile (a client timeout) is dropped, as a killed shell would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Gate:
    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self._count_lock = threading.Lock()
        self.waiting = 0  # requests held at the gate now (abandoned ones leave)

    @property
    def closed(self) -> bool:
        return not self._open.is_set()

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def wait(self, abandoned: Callable[[], bool], poll_s: float = 0.02) -> bool:
        """Block while closed. True when the request may run, False when ``abandoned()`` became true first."""
        if self._open.is_set():
            return True
        with self._count_lock:
            self.waiting += 1
        try:
            while not self._open.wait(poll_s):
                if abandoned():
                    return False
            return not abandoned()
        finally:
            with self._count_lock:
                self.waiting -= 1
