"""The benchmark runner's device I/O, old path against new, on the simulated phone through the real adb server.

    python benchmarks/task_device_io.py [--runs N]

- ``adbutils``: what ``TaskDevice`` did before: ``AdbClient(...).device(serial).shell2(argv, v2=True)`` per
  call (adbutils asks the server its version before every call and sleeps 10 ms in every
  ``AdbConnection.close``), files over ``device.sync``.
- ``ours``: ``TaskDevice.connect``: our own host-protocol client (``envs/android/adbwire.py``) under
  ``AndroidDevice``; no sleeps, no version checks, the device's features read once.

Rows: ms per ``shell echo``, per ``settings_get``, per ``ui_dump`` (uiautomator dump + cat), per file read
over sync; medians, the two paths run round-robin so machine load hits both alike.
"""

from __future__ import annotations

import argparse

from _timing import medians

from qwen2vl_agent.envs.sim import SimPhone
from qwen2vl_agent.envs.tasks import TaskDevice

DUMP = "/data/local/tmp/bench_ui.xml"
FILE = "/sdcard/Documents/bench.txt"


def old_path(phone: SimPhone) -> dict[str, object]:
    """The calls the old ``TaskDevice`` made, straight on adbutils."""
    import adbutils

    dev = adbutils.AdbClient(host=phone.adb_host, port=phone.adb_port, socket_timeout=30).device(phone.serial)
    shell = lambda *argv: dev.shell2(list(argv), timeout=30, v2=True).stdout

    def ui_dump() -> str:
        shell("uiautomator", "dump", DUMP)
        return shell("cat", DUMP)

    return {
        "shell echo": lambda: shell("echo", "hi"),
        "settings_get": lambda: shell("settings", "get", "system", "font_scale").strip(),
        "ui_dump": ui_dump,
        "read_file (sync)": lambda: dev.sync.read_bytes(FILE),
    }


def new_path(phone: SimPhone) -> dict[str, object]:
    device = TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port)
    return {
        "shell echo": lambda: device.shell("echo", "hi"),
        "settings_get": lambda: device.settings_get("system", "font_scale"),
        "ui_dump": device.ui_dump,
        "read_file (sync)": lambda: device.device.pull(FILE),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    with SimPhone(seed=0, size=(540, 1200), density=210) as phone:
        TaskDevice.connect(phone.serial, phone.adb_host, phone.adb_port).write_file(FILE, "x" * 4096)
        old, new = old_path(phone), new_path(phone)
        fns = {(path, name): fn for path, calls in (("adbutils", old), ("ours", new)) for name, fn in calls.items()}
        t = medians(fns, args.runs, warmup=2)
    print(f"median of {args.runs} runs, ms per call (simulated phone, real adb server)")
    print(f"{'call':<20} {'adbutils (old)':>15} {'ours (new)':>11} {'speed-up':>9}")
    print("-" * 58)
    for name in old:
        before, after = t[("adbutils", name)] * 1000, t[("ours", name)] * 1000
        print(f"{name:<20} {before:>15.2f} {after:>11.2f} {before / after:>8.1f}x")


if __name__ == "__main__":
    main()
