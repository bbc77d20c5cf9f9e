"""Benchmark: AndroidEnv.observe() through the real adb server, raw screencap vs ``screencap -p``.

Measures, per path, medians over ``--runs`` after ``--warmup`` rounds:

- ``fetch``: the device command and the transfer through the adb server (``screencap`` / ``screencap -p``);
- ``decode``: bytes -> RGB image on the host (raw header parse + unpack, or PNG decode);
- ``preprocess``: the Qwen2-VL image processor on that image (resize to the pixel budget, normalise, patch);
- ``observe``: a whole ``AndroidEnv.observe()`` (capture, decode, black check, foreground app);
- ``adbutils screenshot()``: the naive baseline, adbutils' own ``screencap -p`` path.

By default it starts the simulated phone (``envs.sim.SimPhone``, 1080x2400) with its private adb server;
``--serial S [--adb-port P]`` measures a real device instead. Run: ``python benchmarks/android_observe.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable, Iterator


def median_s(fn: Callable[[], object], runs: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str, int, str]]:
    """(serial, adb host, adb port, description) of the device to measure."""
    if args.serial:
        yield args.serial, args.adb_host, args.adb_port, f"device {args.serial}"
        return
    from qwen2vl_agent.envs.sim import SimPhone

    with SimPhone(seed=0, size=(1080, 2400)) as phone:
        yield phone.serial, phone.adb_host, phone.adb_port, "simulated phone 1080x2400"


def preprocessor():
    from transformers import Qwen2VLImageProcessor

    from qwen2vl_agent.model.vision import DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS

    processor = Qwen2VLImageProcessor(min_pixels=DEFAULT_MIN_PIXELS, max_pixels=DEFAULT_MAX_PIXELS)
    return lambda image: processor(images=[image], return_tensors="pt")


def measure_path(env, path: str, preprocess, runs: int, warmup: int) -> dict[str, float]:
    from qwen2vl_agent.envs.android import decode_png, parse_raw

    png = path == "png"
    data = env.device.screencap(png=png)
    decode = (lambda: decode_png(data)) if png else (lambda: parse_raw(data).to_image())
    image = decode()
    return {
        "fetch": median_s(lambda: env.device.screencap(png=png), runs, warmup),
        "decode": median_s(decode, runs, warmup),
        "preprocess": median_s(lambda: preprocess(image), runs, warmup),
        "observe": median_s(env.observe, runs, warmup),
        "bytes": len(data),
    }


def measure(serial: str, host: str, port: int, runs: int, warmup: int) -> dict[str, dict[str, float]]:
    import adbutils

    from qwen2vl_agent.envs.android import AndroidEnv

    preprocess = preprocessor()
    rows: dict[str, dict[str, float]] = {}
    for path in ("raw", "png"):
        with AndroidEnv(serial, host=host, port=port, capture=path, settle=None) as env:
            env.reset()
            rows[path] = measure_path(env, path, preprocess, runs, warmup)
    device = adbutils.AdbClient(host=host, port=port).device(serial)
    rows["adbutils"] = {"observe": median_s(lambda: device.screenshot(error_ok=False), runs, warmup)}
    return rows


def report(rows: dict[str, dict[str, float]], where: str, runs: int) -> str:
    ms = lambda v: f"{v * 1000:8.1f}" if v is not None else "       -"
    lines = [
        f"AndroidEnv.observe() on the {where}, through the real adb server; medians of {runs} runs, in ms",
        "",
        "| path | bytes | fetch | decode | fetch+decode | preprocess | host work (decode+preprocess) | observe() |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in ("raw", "png"):
        r = rows[path]
        lines.append(
            f"| {path} | {int(r['bytes']):,} | {ms(r['fetch'])} | {ms(r['decode'])} | {ms(r['fetch'] + r['decode'])} "
            f"| {ms(r['preprocess'])} | {ms(r['decode'] + r['preprocess'])} | {ms(r['observe'])} |"
        )
    lines.append(f"| adbutils screenshot() | | | | {ms(rows['adbutils']['observe'])} | | | |")
    raw, png = rows["raw"], rows["png"]
    lines += [
        "",
        f"capture+decode: raw is {(png['fetch'] + png['decode']) / (raw['fetch'] + raw['decode']):.2f}x faster "
        f"than screencap -p ({(rows['adbutils']['observe']) / (raw['fetch'] + raw['decode']):.2f}x faster than "
        "adbutils screenshot())",
        f"observe():      raw is {png['observe'] / raw['observe']:.2f}x faster than png",
        f"host decode:    raw is {png['decode'] / raw['decode']:.2f}x faster than png",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", help="measure this real device instead of the simulated phone")
    parser.add_argument("--adb-host", default="127.0.0.1")
    parser.add_argument("--adb-port", type=int, default=5037)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    with target(args) as (serial, host, port, where):
        rows = measure(serial, host, port, args.runs, args.warmup)
    print(report(rows, where, args.runs))


if __name__ == "__main__":
    main()
