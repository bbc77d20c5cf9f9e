"""The simulated phone with and without its optional latency profile (``latency.PHONE``). Prints medians.

    python benchmarks/sim_latency.py [--runs N]

Rows: ``screencap`` raw (read whole through the adb socket), ``screencap -p`` (adbutils' screenshot path:
exec-out the PNG) and ``input tap`` (adbutils ``click``), each on the default phone and on one with
``latency=PHONE``. The profile adds a phone's on-device costs (capture + encode, the ``input`` JVM start),
so a benchmark run on the simulator sees what a phone would cost; the default adds nothing.
"""

from __future__ import annotations

import argparse

from sim_adb import median_ms, read_all  # the same timing and whole-stream read as the sim_adb rows

from qwen2vl_agent.envs.sim import SimPhone
from qwen2vl_agent.envs.sim.latency import PHONE


def rows(phone: SimPhone, runs: int) -> dict[str, float]:
    dev = phone.adb_device()
    return {
        "screencap raw": median_ms(lambda: read_all(dev, "screencap"), runs),
        "screencap -p": median_ms(lambda: read_all(dev, "screencap -p"), runs),
        "input tap": median_ms(lambda: dev.click(540, 1200), runs),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with SimPhone(seed=0) as plain:
        default = rows(plain, args.runs)
    with SimPhone(seed=0, latency=PHONE) as slow:
        profiled = rows(slow, args.runs)
    print(f"{'operation':<16} {'default ms':>11} {'PHONE ms':>10} {'added ms':>9}")
    for name in default:
        print(f"{name:<16} {default[name]:>11.1f} {profiled[name]:>10.1f} {profiled[name] - default[name]:>9.1f}")


if __name__ == "__main__":
    main()
