"""A bounded retry policy for adb calls, as a transport wrapper (``RetryingTransport``).

Only ``AdbDeviceLost`` errors marked ``transient`` are retried, and a command that may already have reached the
device is retried only if it is idempotent (a screenshot may be taken twice, a tap must not happen twice).
Attempts and total time are both capped, so a dead device is reported within
``attempts * timeout + total backoff`` at worst.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..base import EnvError
from .adb import AdbDeviceLost, AdbTransport, ShellResult, SyncTransport
from .sync import FileStat

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all, sleeping ``backoff_s * 2**k`` (at most ``max_backoff_s``) between them."""

    attempts: int = 3
    backoff_s: float = 0.2
    max_backoff_s: float = 1.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff_s < 0 or self.max_backoff_s < 0:
            raise ValueError(f"invalid retry policy {self}")

    def delays(self) -> list[float]:
        """The sleeps between attempts (one fewer than ``attempts``)."""
        return [min(self.backoff_s * 2**k, self.max_backoff_s) for k in range(self.attempts - 1)]

    def should_retry(self, error: AdbDeviceLost, *, idempotent: bool) -> bool:
        return error.transient and (idempotent or not error.may_have_run)


NO_RETRY = RetryPolicy(attempts=1)


class RetryingTransport:
    """Wraps an ``AdbTransport`` and retries its transient failures according to ``policy``."""

    def __init__(
        self,
        inner: AdbTransport,
        policy: RetryPolicy = RetryPolicy(),
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self._sleep = sleep
        self.serial = inner.serial

    def __repr__(self) -> str:
        return f"RetryingTransport({self.inner!r}, {self.policy})"

    def shell(self, argv: Sequence[str], *, timeout: float, idempotent: bool = True) -> ShellResult:
        return self._retry(lambda: self.inner.shell(argv, timeout=timeout, idempotent=idempotent), argv[0], idempotent)

    # Files, when the inner transport has a sync service; all of them are safe to repeat (a push rewrites
    # the same bytes).
    def stat(self, path: str, *, timeout: float) -> FileStat | None:
        return self._retry(lambda: self._sync().stat(path, timeout=timeout), "stat", True)

    def listdir(self, path: str, *, timeout: float) -> list[FileStat]:
        return self._retry(lambda: self._sync().listdir(path, timeout=timeout), "list", True)

    def pull(self, path: str, *, timeout: float) -> bytes:
        return self._retry(lambda: self._sync().pull(path, timeout=timeout), "pull", True)

    def push(self, path: str, data: bytes, *, mode: int = 0o644, timeout: float) -> None:
        self._retry(lambda: self._sync().push(path, data, mode=mode, timeout=timeout), "push", True)

    def _sync(self) -> SyncTransport:
        if not isinstance(self.inner, SyncTransport):
            raise EnvError(f"{self.inner!r} has no file transfer (sync) service")
        return self.inner

    def _retry(self, call: Callable[[], T], what: str, idempotent: bool) -> T:
        delays = self.policy.delays()
        while True:
            try:
                return call()
            except AdbDeviceLost as e:
                if not delays or not self.policy.should_retry(e, idempotent=idempotent):
                    raise
                delay = delays.pop(0)
                log.info("adb call %s failed (%s); retrying in %.2f s", what, e, delay)
                self._sleep(delay)

    def close(self) -> None:
        self.inner.close()
