"""Waiting for the screen to settle after an action, instead of fixed sleeps.

``wait_until_settled`` grabs frames until ``stable_frames`` consecutive comparisons find (almost) no change,
or ``timeout_s`` has passed; it reports how long it waited either way. A spinner or a video never settles
and simply costs ``timeout_s``. Frames are compared on subsampled fingerprints with a small tolerance, so a
blinking text cursor does not count as change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class SettlePolicy:
    """``timeout_s``: longest wait; ``interval_s``: pause between grabs (a grab itself takes time too);
    ``stable_frames``: consecutive unchanged comparisons that count as settled; ``tolerance``: fraction of
    sampled pixels allowed to differ between "equal" frames."""

    timeout_s: float = 3.0
    interval_s: float = 0.05
    stable_frames: int = 2
    tolerance: float = 0.002

    def __post_init__(self) -> None:
        if self.timeout_s < 0 or self.interval_s < 0 or self.stable_frames < 1 or not 0 <= self.tolerance < 1:
            raise ValueError(f"invalid settle policy {self}")


@dataclass(frozen=True)
class Settled:
    """The result of a wait: whether the screen settled, the seconds spent, the frames grabbed."""

    settled: bool
    waited_s: float
    frames: int


def changed_fraction(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of sampled pixels that differ (1.0 if the frames differ in shape, e.g. after a rotation)."""
    import numpy as np

    if a.shape != b.shape:
        return 1.0
    diff = a != b
    if diff.ndim == 3:
        diff = diff.any(axis=2)
    return float(np.count_nonzero(diff)) / max(diff.size, 1)


def wait_until_settled(
    grab: Callable[[], np.ndarray],
    policy: SettlePolicy,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Settled:
    """Grab fingerprints until the screen stops changing or the time is up."""
    started = clock()
    previous = grab()
    frames, stable = 1, 0
    while clock() - started < policy.timeout_s:
        sleep(policy.interval_s)
        current = grab()
        frames += 1
        stable = stable + 1 if changed_fraction(previous, current) <= policy.tolerance else 0
        if stable >= policy.stable_frames:
            return Settled(True, clock() - started, frames)
        previous = current
    return Settled(False, clock() - started, frames)
