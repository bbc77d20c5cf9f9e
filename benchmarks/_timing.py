"""Timing shared by the benchmark scripts (imported as a sibling module: ``python benchmarks/<name>.py``
puts this folder first on ``sys.path``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Hashable


def medians(fns: dict[Hashable, Callable[[], object]], runs: int, warmup: int) -> dict[Hashable, float]:
    """Median seconds of each function, run round-robin so load changes on the machine hit all alike."""
    times: dict[Hashable, list[float]] = {name: [] for name in fns}
    for i in range(warmup + runs):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            if i >= warmup:
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}
