"""Benchmark: desktop screenshot capture and conversion latency on a private Xvfb.

For each screen size (default 1280x800 and 1920x1080) it starts its own Xvfb (``VirtualDisplay``), puts a
busy full-screen image on it, and reports medians over ``--runs`` rounds after ``--warmup``:

- ``mss grab``: ``mss.MSS().grab()`` of the monitor (XShmGetImage), BGRX bytes;
- ``BGRX -> RGB``: those bytes into an RGB PIL image (``capture.to_rgb``);
- ``MssCapture.grab``: the two together, as the env does them;
- ``DesktopEnv.observe()``: a whole observation (capture, conversion, monitor list, window title);
- ``pixel -> pointer``: mapping one screenshot pixel to pointer coordinates (``ScreenMap.to_pointer``);
- ``PIL ImageGrab`` (baseline): Pillow's own X11 grab.

Run: ``python benchmarks/desktop_capture.py [--runs 200] [--warmup 20] [--sizes 1280x800,1920x1080]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

from _timing import medians

_SHOW_IMAGE = """
import sys, tkinter as tk
from PIL import Image, ImageTk
w, h = int(sys.argv[1]), int(sys.argv[2])
root = tk.Tk(); root.geometry(f"{w}x{h}+0+0")
photo = ImageTk.PhotoImage(Image.effect_mandelbrot((w, h), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB"))
tk.Label(root, image=photo, bd=0).place(x=0, y=0)
root.update(); print("ready", flush=True); sys.stdin.read()
"""


@contextlib.contextmanager
def busy_screen(display: str, size: tuple[int, int]) -> Iterator[None]:
    """A full-screen Tk window showing a detailed image, so the screenshot is not a flat black root."""
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SHOW_IMAGE, *map(str, size)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env=env, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield
    finally:
        proc.communicate("", timeout=10)


def measure(size: tuple[int, int], runs: int, warmup: int) -> dict[str, float]:
    import mss
    from PIL import ImageGrab

    from qwen2vl_agent.envs.desktop import DesktopEnv, MssCapture, VirtualDisplay
    from qwen2vl_agent.envs.desktop.capture import to_rgb

    with VirtualDisplay(size) as server, busy_screen(server.name, size), DesktopEnv(server.name) as env:
        env.reset()
        sct = mss.MSS(display=server.name)
        monitor = sct.monitors[1]
        shot = sct.grab(monitor)
        capture = MssCapture(server.name)
        region = capture.monitors()[1]
        screen_map = env._map
        assert screen_map is not None
        fns: dict[str, Callable[[], object]] = {
            "mss grab": lambda: sct.grab(monitor),
            "BGRX -> RGB": lambda: to_rgb(shot.size, shot.raw),
            "MssCapture.grab": lambda: capture.grab(region),
            "DesktopEnv.observe()": env.observe,
            "pixel -> pointer": lambda: screen_map.to_pointer((size[0] // 3, size[1] // 3)),
            "PIL ImageGrab (baseline)": lambda: ImageGrab.grab(xdisplay=server.name),
        }
        try:
            return medians(fns, runs, warmup)
        finally:
            capture.close()
            sct.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sizes", default="1280x800,1920x1080")
    args = parser.parse_args()
    sizes = [_size(s) for s in args.sizes.split(",")]
    results = {s: measure(s, args.runs, args.warmup) for s in sizes}
    names = list(next(iter(results.values())))
    header = f"| median of {args.runs} | " + " | ".join(f"{w}x{h}" for w, h in sizes) + " |"
    print(header)
    print("|" + "---|" * (len(sizes) + 1))
    for name in names:
        cells = [_fmt(results[s][name]) for s in sizes]
        print(f"| {name} | " + " | ".join(cells) + " |")


def _size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-4 else f"{seconds * 1e6:.1f} us"


if __name__ == "__main__":
    main()
