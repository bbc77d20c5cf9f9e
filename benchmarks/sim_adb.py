"""How fast is the simulated phone through the real adb server? Prints a table of medians.

    python benchmarks/sim_adb.py [--runs N]

Rows: a ``shell echo`` round trip (adbutils -> real adb server -> simulated adbd, and in process), and
``screencap`` raw vs PNG: the on-device cost (render + encode, fresh frame and unchanged frame) and the
end-to-end capture through adb (socket read, and adbutils' own reader, which is slow on 10 MB).

``screencap -p`` encodes the PNG on every call at zlib level 6, as a phone does, so an unchanged frame costs
the same encode again; raw ``screencap`` reuses the buffer of an unchanged frame. The ``fast_png`` rows show
the opt-in fast path (one level-1 PNG cached per frame). The last lines give the raw vs PNG ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from qwen2vl_agent.envs.sim import SimPhone


def median_ms(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def read_all(dev, cmd: str) -> bytes:
    conn = dev.open_shell(cmd)
    chunks = []
    while chunk := conn.conn.recv(1 << 20):
        chunks.append(chunk)
    conn.close()
    return b"".join(chunks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    n = args.runs
    with SimPhone(seed=0) as phone:
        rows = measure(phone, n)
    print(f"{'measure (median of ' + str(n) + ' runs)':<56} {'ms':>9}  note")
    print("-" * 80)
    for name, ms, note in rows:
        print(f"{name:<56} {ms:>9.2f}  {note}")
    t = {name: ms for name, ms, _ in rows}
    ratio = lambda png, raw: f"{t[png] / t[raw]:.2f}x"
    print()
    print("PNG / raw time ratios (above 1: raw is faster):")
    print(f"  on device, fresh frame:      {ratio('screencap -p, on device, fresh frame', RAW_FRESH)}")
    print(f"  on device, unchanged frame:  {ratio('screencap -p, on device, unchanged frame', RAW_SAME)}")
    print(f"  via adb (socket read):       {ratio('screencap -p via adb (socket read)', RAW_ADB)}")
    print(f"  via adb, fast_png (cached):  {ratio('screencap -p via adb, fast_png (cached)', RAW_ADB)}")


RAW_FRESH = "screencap raw, on device, fresh frame"
RAW_SAME = "screencap raw, on device, unchanged frame"
RAW_ADB = "screencap raw via adb (socket read)"


def measure(phone: SimPhone, n: int) -> list[tuple[str, float, str]]:
    dev, core = phone.adb_device(), phone.device
    fresh = core.invalidate_frame
    raw_len, png_len = len(core.screencap_raw()), len(core.screencap_png())
    rows = [
        ("shell echo, adbutils via real adb server", median_ms(lambda: dev.shell("echo hi"), n), ""),
        ("shell echo, in process (Device.shell)", median_ms(lambda: core.shell("echo hi"), n), ""),
        (RAW_FRESH, median_ms(core.screencap_raw, n, fresh), f"{raw_len:,} B"),
        ("screencap -p, on device, fresh frame", median_ms(core.screencap_png, n, fresh), f"{png_len:,} B, level 6"),
        (RAW_SAME, median_ms(core.screencap_raw, n), "cached buffer"),
        ("screencap -p, on device, unchanged frame", median_ms(core.screencap_png, n), "encoded again"),
        (RAW_ADB, median_ms(lambda: read_all(dev, "screencap"), n, fresh), ""),
        ("screencap -p via adb (socket read)", median_ms(lambda: read_all(dev, "screencap -p"), n, fresh), ""),
        ("screencap raw via adbutils shell(encoding=None)",
         median_ms(lambda: dev.shell("screencap", encoding=None), max(3, n // 10), fresh), ""),
        ("screencap -p via adbutils screenshot()", median_ms(lambda: dev.screenshot(error_ok=False), n, fresh), ""),
    ]  # fmt: skip
    core.fast_png = True
    try:
        rows.append(("screencap -p via adb, fast_png (cached)", median_ms(lambda: read_all(dev, "screencap -p"), n),
                     "opt-in, level 1"))  # fmt: skip
    finally:
        core.fast_png = False
    return rows


if __name__ == "__main__":
    main()
