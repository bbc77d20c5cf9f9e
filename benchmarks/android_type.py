"""Benchmark: what checking typed text costs per ``Type`` (``check_typing``) through the real adb server.

Medians over ``--runs`` (round-robin, after ``--warmup``) of:

- ``Type, checked``: ``AndroidEnv.execute(Type)`` with the focus check and read-back (two UI dumps);
- ``Type, unchecked``: the same with ``check_typing=False`` (the ``input text`` calls only);
- ``uiautomator dump``: one ``AndroidDevice.ui_dump()`` (dump, cat, rm), the unit of the check's cost;
- ``dumpsys input_method`` and ``dumpsys window windows``: cheaper probes of focus, for comparison (they
  tell whether an editor or window has focus, but not what the field holds, so cannot read text back).

Every ``Type`` is followed by a DEL key (not timed) so the field stays short. Settling is off, as it costs
the same either way. By default it starts the simulated phone (``envs.sim.SimPhone``, 1080x2400) in its
own process and types into the app drawer's search field; ``--serial S [--adb-port P]`` measures a real
device, which must show a focused text field. Run: ``python benchmarks/android_type.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
from collections.abc import Iterator

from _timing import medians


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str, int, str]]:
    """(serial, adb host, adb port, description) of the device to measure."""
    if args.serial:
        yield args.serial, args.adb_host, args.adb_port, f"device {args.serial}"
        return
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=serve_sim_phone, args=(child,), daemon=True)
    process.start()
    try:
        serial, host, port = parent.recv()
        yield serial, host, port, "simulated phone 1080x2400 (own process), app drawer search field"
    finally:
        parent.send(None)
        process.join(timeout=30)


def serve_sim_phone(conn) -> None:
    """Child process: a SimPhone with the app drawer's search field focused, until told to stop."""
    import re
    import xml.etree.ElementTree as ET

    from qwen2vl_agent.envs.sim import SimPhone

    with SimPhone(seed=0, size=(1080, 2400)) as phone:
        pill = next(n for n in ET.fromstring(phone.device.ui_xml()).iter("node") if n.get("text") == "Search")
        x1, y1, x2, y2 = map(int, re.findall(r"\d+", pill.get("bounds", "")))
        phone.device.tap((x1 + x2) // 2, (y1 + y2) // 2)  # the app drawer opens, its search field focused
        conn.send((phone.serial, phone.adb_host, phone.adb_port))
        conn.recv()


def measure(serial: str, host: str, port: int, runs: int, warmup: int) -> dict[str, float]:
    from qwen2vl_agent.envs.android import AndroidEnv
    from qwen2vl_agent.tools import Type

    options = dict(host=host, port=port, settle=None, wake_on_reset=False, dismiss_keyguard=False)
    with AndroidEnv(serial, **options) as checked, AndroidEnv(serial, check_typing=False, **options) as plain:

        def typing(env: AndroidEnv):
            def go() -> None:
                env.execute(Type(text="x"))
                env.device.keyevent(67)  # DEL: keep the field short (timed alike in both rows)

            return go

        return medians(
            {
                "Type, checked (+ DEL)": typing(checked),
                "Type, unchecked (+ DEL)": typing(plain),
                "uiautomator dump": checked.device.ui_dump,
                "dumpsys input_method": lambda: checked.device.run("dumpsys", "input_method"),
                "dumpsys window windows": lambda: checked.device.run("dumpsys", "window", "windows"),
            },
            runs,
            warmup,
        )  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial")
    parser.add_argument("--adb-host", default="127.0.0.1")
    parser.add_argument("--adb-port", type=int, default=5037)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    with target(args) as (serial, host, port, description):
        rows = measure(serial, host, port, args.runs, args.warmup)
    print(f"{description}; medians of {args.runs} runs")
    for name, seconds in rows.items():
        print(f"  {name:28s} {seconds * 1000:8.1f} ms")
    overhead = rows["Type, checked (+ DEL)"] - rows["Type, unchecked (+ DEL)"]
    print(f"  {'check per Type':28s} {overhead * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
