"""Waiting for the screen to settle after an action, without waiting for nothing.

Three stability signals, the cheapest first:

- **The page-flip count** (``service call SurfaceFlinger 1013``): how many frames the compositor has composed
  on the display, whichever window drew them. A count unchanged since the last frame the wait grabbed means
  the screen is that frame: the wait ends without a capture, and that frame is the next observation (a
  frame is grabbed only after the count it is kept with was read, so a frame composed in between shows as
  a changed count next time, never as a stale frame; and only once the device's count has been seen to
  move, so a reply that never changes is never taken for a static screen). A changed count is polled until
  it stops changing for ``quiet_s``; then one capture.
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

Signal = Literal["frames", "timestamps", "page_flips"]
Probe = Callable[[], "int | None"]


@dataclass(frozen=True)
class SettlePolicy:
    """``timeout_s``: longest wait; ``interval_s``: pause between grabs (a grab itself takes time too);
    ``stable_frames``: consecutive unchanged comparisons that count as settled; ``tolerance``: fraction of
    sampled pixels allowed to differ between "equal" frames; ``signal``: ``auto`` uses the device's page-flip
    count or frame timestamps where it gives them, ``frames`` always compares captures; ``quiet_s``: with
    the count or timestamps, how long without a new frame counts as settled."""

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
    signal: Signal = "timestamps",
    reuse: bool = False,
) -> tuple[Settled, int | None] | None:
    """The frame-timestamp or page-flip signal: ``probe()`` gives the newest presented frame's timestamp or
    the page-flip count (None: the device gives none); ``seen`` is the value read before the last frame was
    grabbed. Returns (the wait, the value read before the final ``grab()``), or None when the device gives
    no value (fall back to the next signal).

    ``reuse``: ``seen`` stands for the whole screen (the page-flip count) and the frame grabbed after it was
    read is kept: an unchanged value ends the wait with no grab at all (that frame is the screen).

    ``speculate``: when the first probe finds new frames, grab inside the first quiet window instead of
    after it (for a device whose captures are short beside ``quiet_s``): if the next probe finds no frame
    newer than the one the window began at, that frame is the settled screen and the wait ends there; if
    frames kept coming it is dropped and the wait goes on as without speculation."""
    started = clock()
    newest, probes = probe(), 1
    if newest is None:
        return None
    if reuse and newest == seen:  # nothing was composed since the kept frame was grabbed: it is the screen
        return Settled(True, clock() - started, 0, probes, signal), newest
    settled, frames = True, 0
    if newest != seen:  # frames were presented since: wait until none came for quiet_s
        if speculate and clock() - started < policy.timeout_s:
            window = clock()
            grab()
            frames += 1
            sleep(max(0.0, policy.quiet_s - (clock() - window)))
            latest, probes = probe(), probes + 1
            if latest == newest:  # no frame since the window began: the grab shows the settled screen
                return Settled(True, clock() - started, frames, probes, signal), newest
            newest = latest
        settled, newest, probes = _quiet(probe, newest, probes, policy, started, clock, sleep)
    grab()
    return Settled(settled, clock() - started, frames + 1, probes, signal), newest


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
    """The settle wait of one device, with what it learnt: which signal the device gives (the page-flip
    count, else frame timestamps, else frame comparison), the value read before the last frame it grabbed,
    and that frame.

    ``grab()`` captures a frame (any object with ``fingerprint()``, e.g. ``capture.Capture``); ``probe()``
    reads the newest frame timestamp and ``page_flips()`` the page-flip count (None: the device gives none).
    ``wait()`` returns the result and the settled screen: the last frame grabbed, or, when the page-flip
    count has not moved since it was grabbed, the frame kept from an earlier wait. The env hands it out as
    the next observation.

    It also times its grabs: once a grab is known to take under half of ``quiet_s`` (the simulated phone, a
    fast capture path), a changed screen is grabbed inside the first quiet window (``wait_for_quiet``'s
    ``speculate``), so a screen that changed once and stopped costs two probes, one grab and one window.
    """

    def __init__(
        self, policy: SettlePolicy, grab: Callable[[], Any], probe: Probe, *, page_flips: Probe | None = None
    ) -> None:
        self.policy = policy
        self.grab = grab
        probes: list[tuple[Signal, Probe]] = [("page_flips", self._counted(page_flips))] if page_flips else []
        # the signals not yet ruled out, best first (empty: compare frames)
        self.signals = [*probes, ("timestamps", probe)] if policy.signal == "auto" else []
        self.seen: int | None = None
        self.frame: Any = None  # the frame grabbed after ``seen`` was read (None: none kept)
        self.grab_s: float | None = None  # how long the last grab took (None: none yet)
        # The count stands for the screen only once it has been seen to move: a reply that never changes
        # (a transaction this release answers with something else) never lets a kept frame stand for it.
        self.count_moves = False
        self._count: int | None = None

    def _counted(self, page_flips: Probe) -> Probe:
        def probe() -> int | None:
            count = page_flips()
            if count is not None and self._count is not None and count != self._count:
                self.count_moves = True
            self._count = count
            return count

        return probe

    def forget(self) -> None:
        """The screen may have changed behind our back (a reset, a command sent around the env)."""
        self.seen, self.frame = None, None

    def wait(self) -> tuple[Settled, Any]:
        last: list[Any] = []

        def grab() -> Any:
            started = time.monotonic()
            last[:] = [self.grab()]
            self.grab_s = time.monotonic() - started
            return last[0]

        while self.signals:
            signal, probe = self.signals[0]
            speculate = self.grab_s is not None and self.grab_s < self.policy.quiet_s / 2
            reuse = signal == "page_flips" and self.frame is not None and self.count_moves
            quiet = wait_for_quiet(probe, self.seen, grab, self.policy, speculate=speculate, signal=signal, reuse=reuse)
            if quiet is None:  # the device gives no such value: try the next signal, from now on
                self.signals.pop(0)
                self.forget()
                continue
            settled, self.seen = quiet
            if last:
                self.frame = last[0]
            return settled, self.frame
        return wait_until_settled(lambda: grab().fingerprint(), self.policy), last[0]
