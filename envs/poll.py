"""Waiting for something to become true, without fixed sleeps: the one poll loop of the environments.

``wait_for(probe, timeout_s, interval_s)`` calls ``probe`` until it returns something other than ``None``
and returns that; ``None`` when ``timeout_s`` passes first. ``probe`` runs at once (no sleep before the
first look) and once more after the deadline has passed, so an answer that arrives during the last sleep
is not reported as a timeout. A probe that must stop the wait early (the process it waits for died)
returns a value that says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    probe: Callable[[], T | None],
    timeout_s: float,
    interval_s: float = 0.1,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T | None:
    """``probe``'s first answer other than ``None``, or ``None`` once ``timeout_s`` has passed."""
    deadline = clock() + timeout_s
    while True:
        answer = probe()
        if answer is not None or clock() >= deadline:
            return answer
        sleep(interval_s)
