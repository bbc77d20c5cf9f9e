"""Waiting for the screen to settle after an action, without waiting for nothing.

Two stability signals, the cheap one first:

- **Frame timestamps** (``SurfaceFlinger --latency``): the compositor lists when it last presented frames. A
  screen that presented no frame since the last settled one is static: one capture, which becomes the next
  observation, and the wait is over. A screen that is presenting frames is polled (a short shell call, no
  capture) until no new frame came for ``quiet_s``; then one capture.
- **Frame comparison** (the fallback, where the device prints no timestamps): capture, capture again, and
  repeat until ``stable_frames`` consecutive comparisons find (almost) no change. On a static screen that is
  one capture beyond the observation, and the last frame is the observation.

Either way the wait ends at ``timeout_s`` (a spinner or a video never settles) and reports what it cost
(``Settled``: seconds, captures, probes, which signal). Frames are compared on subsampled fingerprints with
a small tolerance, so a blinking text cursor does not count as change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

Signal = Literal["frames", "timestamps"]


@dataclass(frozen=True)
class SettlePolicy:
    """``timeout_s``: longest wait; ``interval_s``: pause between grabs (a grab itself takes time too);
    ``stable_frames``: consecutive unchanged comparisons that count as settled; ``tolerance``: fraction of
    sampled pixels allowed to differ between "equal" frames; ``signal``: ``auto`` uses the device's frame
    timestamps where it prints them, ``frames`` always compares captures; ``quiet_s``: with timestamps, how
    long without a new frame counts as settled."""

    timeout_s: float = 3.0
    interval_s: float = 0.0
    stable_frames: int = 1
    tolerance: float = 0.002
    signal: Literal["auto", "frames"] = "auto"
    quiet_s: float = 0.05

    def __post_init__(self) -> None:
        if (
            self.timeout_s < 0 or self.interval_s < 0 or self.stable_frames < 1 or not 0 <= self.tolerance < 1
            or self.quiet_s < 0
        ):  # fmt: skip
            raise ValueError(f"invalid settle policy {self}")


@dataclass(frozen=True)
class Settled:
    """The result of a wait: whether the screen settled, the seconds spent, the frames grabbed, the
    timestamp probes made, and the signal that decided."""

    settled: bool
    waited_s: float
    frames: int
    probes: int = 0
    signal: Signal = "frames"


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
    """Grab fingerprints until the screen stops changing or the time is up (the frame-comparison signal)."""
    started = clock()
    previous = grab()
    frames, stable = 1, 0
    while clock() - started < policy.timeout_s:
        if policy.interval_s:
            sleep(policy.interval_s)
        current = grab()
        frames += 1
        stable = stable + 1 if changed_fraction(previous, current) <= policy.tolerance else 0
        if stable >= policy.stable_frames:
            return Settled(True, clock() - started, frames)
        previous = current
    return Settled(False, clock() - started, frames)


def wait_for_quiet(
    probe: Callable[[], int | None],
    seen: int | None,
    grab: Callable[[], object],
    policy: SettlePolicy,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    speculate: bool = False,
) -> tuple[Settled, int | None] | None:
    """The frame-timestamp signal: ``probe()`` gives the newest presented frame's timestamp (None: the device
    prints none); ``seen`` is the one the last settled frame was taken at. Returns (the wait, the timestamp
    the final ``grab()`` was taken at), or None when the device gives no timestamps (fall back to frames).

    ``speculate``: when the first probe finds new frames, grab inside the first quiet window instead of
    after it (for a device whose captures are short beside ``quiet_s``): if the next probe finds no frame
    newer than the one the window began at, that frame is the settled screen and the wait ends there; if
    frames kept coming it is dropped and the wait goes on as without speculation."""
    started = clock()
    newest, probes = probe(), 1
    if newest is None:
        return None
    settled, frames = True, 0
    if newest != seen:  # frames were presented since: wait until none came for quiet_s
        if speculate and clock() - started < policy.timeout_s:
            window = clock()
            grab()
            frames += 1
            sleep(max(0.0, policy.quiet_s - (clock() - window)))
            latest, probes = probe(), probes + 1
            if latest == newest:  # no frame since the window began: the grab shows the settled screen
                return Settled(True, clock() - started, frames, probes, "timestamps"), newest
            newest = latest
        settled, newest, probes = _quiet(probe, newest, probes, policy, started, clock, sleep)
    grab()
    return Settled(settled, clock() - started, frames + 1, probes, "timestamps"), newest


def _quiet(
    probe: Callable[[], int | None], newest: int | None, probes: int, policy: SettlePolicy, started: float,
    clock: Callable[[], float], sleep: Callable[[float], None],
) -> tuple[bool, int | None, int]:  # fmt: skip
    """Probe every ``quiet_s`` until no new frame came in one (True) or the time is up (False)."""
    while clock() - started < policy.timeout_s:
        sleep(policy.quiet_s)
        latest, probes = probe(), probes + 1
        if latest == newest:
            return True, newest, probes
        newest = latest
    return False, newest, probes


class SettleWait:
    """The settle wait of one device, with what it learnt: whether the device prints frame timestamps, and
    the timestamp the last settled frame was taken at.

    ``grab()`` captures a frame (any object with ``fingerprint()``, e.g. ``capture.Capture``); ``probe()``
    reads the newest frame timestamp (None: the device prints none). ``wait()`` returns the result and the
    last frame grabbed: the settled screen, which the env hands out as the next observation.

    It also times its grabs: once a grab is known to take under half of ``quiet_s`` (the simulated phone, a
    fast capture path), a changed screen is grabbed inside the first quiet window (``wait_for_quiet``'s
    ``speculate``), so a screen that changed once and stopped costs two probes, one grab and one window.
    """

    def __init__(self, policy: SettlePolicy, grab: Callable[[], Any], probe: Callable[[], int | None]) -> None:
        self.policy = policy
        self.grab = grab
        self.probe = probe
        self.timestamps: bool | None = None if policy.signal == "auto" else False  # None: not tried yet
        self.seen: int | None = None
        self.grab_s: float | None = None  # how long the last grab took (None: none yet)

    def forget(self) -> None:
        """The screen may have changed behind our back (a reset, a command sent around the env)."""
        self.seen = None

    def wait(self) -> tuple[Settled, Any]:
        last: list[Any] = []

        def grab() -> Any:
            started = time.monotonic()
            last[:] = [self.grab()]
            self.grab_s = time.monotonic() - started
            return last[0]

        if self.timestamps is not False:
            speculate = self.grab_s is not None and self.grab_s < self.policy.quiet_s / 2
            quiet = wait_for_quiet(self.probe, self.seen, grab, self.policy, speculate=speculate)
            self.timestamps = quiet is not None
            if quiet is not None:
                settled, self.seen = quiet
                return settled, last[0]
        return wait_until_settled(lambda: grab().fingerprint(), self.policy), last[0]
