"""Benchmark: AndroidEnv.observe() through the real adb server, raw screencap vs ``screencap -p``.

Measures, per path, medians over ``--runs`` after ``--warmup`` rounds:

- ``fetch``: the device command and the transfer through the adb server (``screencap`` / ``screencap -p``);
- ``decode``: bytes -> RGB image on the host (raw header parse + unpack, or PNG decode);
- ``preprocess``: the Qwen2-VL image processor on that image (resize to the pixel budget, normalise, patch);
- ``observe``: a whole ``AndroidEnv.observe()`` (capture, decode, black check, foreground app);
- ``adbutils screenshot()``: the naive baseline, adbutils' own ``screencap -p`` path.

By default it starts the simulated phone (``envs.sim.SimPhone``, 1080x2400) with its private adb server;
``--serial S [--adb-port P]`` measures a real device instead. Run: ``python benchmarks/android_observe.py``.

Like a phone, the simulated phone encodes every ``screencap -p`` afresh at zlib level 6 (rows ``png`` and
``png, encoded per call``), here on this host's CPU - a lower bound for a phone's slower cores (0.5-2 s in
published measurements). The row ``png, cached (fast_png)`` is the simulated phone's opt-in shortcut (one
level-1 PNG cached per frame), for comparison. A second table decodes a busy, photo-like 1080x2400 frame,
since the simulated UI's flat colours compress unusually well.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Callable, Iterator

from _timing import medians


@contextlib.contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str, int, str, Callable[[bool], None]]]:
    """(serial, adb host, adb port, description, set_png_encoding) of the device to measure."""
    if args.serial:
        yield args.serial, args.adb_host, args.adb_port, f"device {args.serial}", lambda on: None
        return
    import multiprocessing

    # The simulated phone runs in its own process, as a phone runs on its own hardware: in this process its
    # adbd threads would share the GIL with the code being measured.
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(target=serve_sim_phone, args=(child,), daemon=True)
    process.start()
    try:
        serial, host, port = parent.recv()

        def set_png_encoding(per_call: bool) -> None:
            parent.send(per_call)
            parent.recv()

        yield serial, host, port, "simulated phone 1080x2400 (own process)", set_png_encoding
    finally:
        parent.send(None)
        process.join(timeout=30)


def serve_sim_phone(conn) -> None:
    """Child process: run a SimPhone; a message True/False switches per-call PNG encoding, None stops it."""
    from qwen2vl_agent.envs.sim import SimPhone

    with SimPhone(seed=0, size=(1080, 2400)) as phone:
        conn.send((phone.serial, phone.adb_host, phone.adb_port))
        while (per_call := conn.recv()) is not None:
            # per call: a fresh level-6 encode for every `screencap -p`, as a phone does (the default);
            # otherwise the simulated phone's opt-in cached level-1 PNG
            phone.device.fast_png = not per_call
            conn.send("ok")


def png_encode(image, level: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=level)
    return out.getvalue()


def busy_frame():
    """A 1080x2400 frame with photo-like content (noise over gradients): hard for PNG, like a real feed."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:2400, 0:1080]
    base = np.stack([(x * 255 // 1080), (y * 255 // 2400), ((x + y) % 256)], axis=-1)
    noise = rng.integers(-24, 24, size=base.shape)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def preprocessor():
    from transformers import Qwen2VLImageProcessor

    from qwen2vl_agent.model.vision import DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS

    processor = Qwen2VLImageProcessor(min_pixels=DEFAULT_MIN_PIXELS, max_pixels=DEFAULT_MAX_PIXELS)
    return lambda image: processor(images=[image], return_tensors="pt")


PATHS = ("raw", "png, cached (fast_png)", "png, encoded per call")


def path_functions(env, png: bool, preprocess) -> dict[str, Callable[[], object]]:
    """fetch, decode, preprocess and observe for one capture path (decode/preprocess on a fixed frame)."""
    from qwen2vl_agent.envs.android import decode_png, parse_raw

    data = env.device.screencap(png=png)
    decode = (lambda: decode_png(data)) if png else (lambda: parse_raw(data).to_image())
    image = decode()
    return {
        "fetch": lambda: env.device.screencap(png=png),
        "decode": decode,
        "preprocess": lambda: preprocess(image),
        "observe": env.observe,
        "bytes": lambda: data,
    }


def measure(target_info, runs: int, warmup: int) -> dict[str, dict[str, float]]:
    """Per path: {fetch, decode, preprocess, observe, bytes}; plus adbutils' screenshot() baseline."""
    import adbutils

    from qwen2vl_agent.envs.android import AndroidEnv

    serial, host, port, _, set_png_encoding = target_info
    preprocess = preprocessor()
    open_env = lambda capture: AndroidEnv(serial, host=host, port=port, capture=capture, settle=None)
    rows: dict[str, dict[str, float]] = {}
    with open_env("raw") as raw_env, open_env("png") as png_env:
        raw_env.reset()
        png_env.reset()
        for per_call, names in ((False, ["png, cached (fast_png)"]), (True, ["raw", "png, encoded per call"])):
            set_png_encoding(per_call)
            fns = {}
            for name in names:
                env = raw_env if name == "raw" else png_env
                fns.update({(name, k): f for k, f in path_functions(env, name != "raw", preprocess).items()})
            if per_call:
                fns[("adbutils", "observe")] = adbutils.AdbClient(host=host, port=port).device(serial).screenshot
            sizes = {key: len(fn()) for key, fn in fns.items() if key[1] == "bytes"}
            timed = medians({k: f for k, f in fns.items() if k[1] != "bytes"}, runs, warmup)
            for (name, what), value in {**timed, **sizes}.items():
                rows.setdefault(name, {})[what] = value
    set_png_encoding(False)
    return rows


def measure_busy_frame(runs: int) -> dict[str, float]:
    from qwen2vl_agent.envs.android import decode_png, encode_raw, parse_raw

    frame = busy_frame()
    raw, png = encode_raw(frame, 1, 16), png_encode(frame, level=6)
    return {
        **medians(
            {
                "raw_decode": lambda: parse_raw(raw).to_image(),
                "png_decode": lambda: decode_png(png),
                "png_encode": lambda: png_encode(frame, level=6),
            },
            max(3, runs // 3),
            1,
        ),
        "png_bytes": len(png),
        "raw_bytes": len(raw),
    }


def report(rows: dict[str, dict[str, float]], busy: dict[str, float], where: str, runs: int) -> str:
    ms = lambda v: f"{v * 1000:8.1f}"
    lines = [
        f"AndroidEnv.observe() on the {where}, through the real adb server; medians of {runs} runs, in ms",
        "",
        "| path | bytes | fetch | decode | fetch+decode | preprocess | host work (decode+preprocess) | observe() |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in PATHS:
        r = rows[name]
        lines.append(
            f"| {name} | {int(r['bytes']):,} | {ms(r['fetch'])} | {ms(r['decode'])} | {ms(r['fetch'] + r['decode'])} "
            f"| {ms(r['preprocess'])} | {ms(r['decode'] + r['preprocess'])} | {ms(r['observe'])} |"
        )
    lines.append(f"| adbutils screenshot() (encoded per call) | | | | {ms(rows['adbutils']['observe'])} | | | |")
    raw, png = rows["raw"], rows["png, encoded per call"]
    capture = lambda r: r["fetch"] + r["decode"]
    lines += [
        "",
        f"capture+decode: raw is {capture(png) / capture(raw):.2f}x faster than screencap -p encoded per call "
        f"({rows['adbutils']['observe'] / capture(raw):.2f}x faster than adbutils screenshot(); "
        f"{capture(rows['png, cached (fast_png)']) / capture(raw):.2f}x against the simulated phone's cached PNG)",
        f"observe():      raw is {png['observe'] / raw['observe']:.2f}x faster than screencap -p encoded per call",
        f"host decode:    raw is {png['decode'] / raw['decode']:.2f}x faster than PNG on the simulated UI",
        "",
        "Host-side decode of a busy, photo-like 1080x2400 frame (no adb), in ms:",
        "",
        "| raw bytes | raw decode | PNG bytes (level 6) | PNG decode | PNG encode (what the phone does) |",
        "|---:|---:|---:|---:|---:|",
        f"| {int(busy['raw_bytes']):,} | {ms(busy['raw_decode'])} | {int(busy['png_bytes']):,} "
        f"| {ms(busy['png_decode'])} | {ms(busy['png_encode'])} |",
        "",
        f"busy frame: raw decode is {busy['png_decode'] / busy['raw_decode']:.2f}x faster than PNG decode "
        f"({(busy['png_decode'] + busy['png_encode']) / busy['raw_decode']:.1f}x counting the phone's encode)",
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
    with target(args) as info:
        rows = measure(info, args.runs, args.warmup)
    print(report(rows, measure_busy_frame(args.runs), info[3], args.runs))


if __name__ == "__main__":
    main()
