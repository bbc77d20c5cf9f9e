"""The phone's plain state records: device time, the ``settings`` provider, the keyguard's credential.

They import nothing of the simulator but its defaults, so every part (the window manager, the screen, the
shell, the keyguard's behaviour) and the hub (``device.py``) can share them without importing one another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import defaults

NAMESPACES = ("system", "secure", "global")


class SimClock:
    """Device time: a fixed start plus real elapsed time (so seeded runs see the same dates)."""

    def __init__(self, start: float = defaults.START_EPOCH) -> None:
        self.start = start
        self.t0 = time.monotonic()

    def now(self) -> float:
        return self.start + (time.monotonic() - self.t0)

    def text(self, fmt: str = "%-I:%M") -> str:
        """The time now, as the status bar and the lock screen draw it (``fmt`` as ``time.strftime``)."""
        return time.strftime(fmt, time.gmtime(self.now()))


class Settings:
    """``settings`` namespaces; values are strings, as the provider stores them."""

    def __init__(self, values: dict[str, dict[str, str]]) -> None:
        self.values = values

    def get(self, ns: str, key: str, default: str | None = None) -> str | None:
        return self.values[ns].get(key, default)

    def put(self, ns: str, key: str, value: str) -> None:
        self.values[ns][key] = str(value)

    def delete(self, ns: str, key: str) -> bool:
        return self.values[ns].pop(key, None) is not None

    def items(self, ns: str) -> list[tuple[str, str]]:
        return sorted(self.values[ns].items())

    def on(self, ns: str, key: str) -> bool:
        return (self.get(ns, key) or "0").strip() not in ("0", "", "false", "null")

    def number(self, ns: str, key: str, default: float = 0) -> float:
        try:
            return float(self.get(ns, key) or default)
        except ValueError:
            return default


@dataclass
class Keyguard:
    """The lock credential and the bouncer's state."""

    pin: str | None = None  # None: swipe-to-unlock only
    bouncer: bool = False  # the PIN pad is up
    entry: str = ""
    message: str = ""
    failed_attempts: int = 0

    @property
    def secure(self) -> bool:
        return self.pin is not None
