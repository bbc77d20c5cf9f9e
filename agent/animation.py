"""The episode as an animated GIF (``episode.gif``) and an MP4 (``episode.mp4``, H.264): each step's screenshot
with what it did drawn on it (``overlay``), then the last screen. Written once, when the episode has ended; a
screenshot that is not on disk is left out, and no frames means no file (the page never names a missing image).
The recorder draws each frame on its writer thread as it writes the screenshot (``frame``), so the end of an
episode decodes no PNG.

The MP4 needs imageio and the ffmpeg it ships in the imageio-ffmpeg wheel (the ``video`` extra); without them
there is no MP4 and no error (``doctor`` says so). Its frame rate is constant, so each step's frame is repeated
for as long as the GIF shows it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from PIL import Image

from . import overlay
from .trajectory import read_steps

log = logging.getLogger(__name__)

GIF = "episode.gif"
MP4 = "episode.mp4"
MP4_FPS = 10
FRAME_WIDTH = 320  # pixels; a phone screenshot scaled to this stays small enough to mail
FRAME_MS = 900
KEPT = 120  # frames a recorder keeps drawn per episode (~230 KB each); later ones are drawn from disk at the end


def frame(image: Image.Image, found: list[overlay.Mark], size: tuple[int, int] | None = None) -> Image.Image:
    """One frame of the animation: ``image`` with ``found`` drawn on it, scaled to ``FRAME_WIDTH`` (or fitted
    to ``size``, the first frame's), in the palette the GIF writer would give it (the same conversion, done
    here so a frame made while the episode runs costs nothing at its end)."""
    drawn = overlay.draw(image, found)
    if size is None:
        scale = FRAME_WIDTH / max(drawn.width, 1)
        size = (FRAME_WIDTH, max(1, round(drawn.height * scale)))
    # reduce by whole factors first (box averages), then bilinear for the rest: a 1080x2400 screenshot to 320
    # wide in ~3 ms instead of ~14; then the fast octree palette (~3 ms against ~17 for median cut, and UI
    # screens have few colours). See benchmarks/report_gif.py.
    small = drawn.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)
    return small.quantize(256, method=Image.Quantize.FASTOCTREE)


def _frame(path: Path, found: list[overlay.Mark], size: tuple[int, int] | None) -> Image.Image | None:
    try:
        with Image.open(path) as image:
            return frame(image, found, size)
    except (OSError, ValueError):  # not written (yet), or torn by a kill
        return None


def mp4_missing() -> str | None:
    """What is missing to write MP4s (a module to install), or None when they can be written."""
    for module in ("imageio", "imageio_ffmpeg"):
        if importlib.util.find_spec(module) is None:
            return module.replace("_", "-")
    return None


def write_gif(out_dir: str | Path, made: Mapping[str, Image.Image] | None = None, *, video: bool = True) -> Path | None:
    """Write ``episode.gif`` in ``out_dir``, and ``episode.mp4`` when ``video`` and ``mp4_missing()`` is None
    (an MP4 costs about half a second of ffmpeg per episode); the GIF's path, or None when there was no screenshot
    to show.

    ``made``: frames already drawn (``frame``), by screenshot file name, e.g. by the recorder as it wrote
    each screenshot; the others are drawn from the files. A screenshot not on disk is left out either way."""
    out_dir = Path(out_dir)
    shown: list[Image.Image] = []
    for name, found in [*((s.screenshot, overlay.marks(s.calls)) for s in read_steps(out_dir)), ("final.png", [])]:
        size = shown[0].size if shown else None
        ready = (made or {}).get(name)
        if ready is not None and (out_dir / name).exists():
            shown.append(ready if size is None or ready.size == size else ready.resize(size))
        elif (drawn := _frame(out_dir / name, found, size)) is not None:
            shown.append(drawn)
    path = out_dir / GIF
    if not shown:
        path.unlink(missing_ok=True)  # an earlier episode's: it would show the wrong run
        (out_dir / MP4).unlink(missing_ok=True)
        return None
    tmp = path.with_suffix(".tmp")
    durations = [FRAME_MS] * (len(shown) - 1) + [FRAME_MS * 3]  # linger on the end
    shown[0].save(tmp, format="GIF", save_all=True, append_images=shown[1:], duration=durations, loop=0)
    os.replace(tmp, path)
    (out_dir / MP4).unlink(missing_ok=True)  # an earlier episode's: it would show the wrong run
    if video and mp4_missing() is None:
        write_mp4(out_dir / MP4, shown, durations)
    return path


def write_mp4(path: Path, frames: Sequence[Image.Image], durations_ms: Sequence[int]) -> None:
    """``frames`` as an H.264 MP4 (yuv420p, which players expect), each shown for its duration."""
    import imageio.v2 as imageio
    import numpy as np

    width, height = frames[0].size
    size = (width + width % 2, height + height % 2)  # yuv420p needs even sides
    tmp = path.with_name(path.stem + ".tmp.mp4")  # ffmpeg picks the container from the name
    writer = imageio.get_writer(tmp, format="FFMPEG", mode="I", fps=MP4_FPS, codec="libx264", pixelformat="yuv420p",
                                macro_block_size=1, ffmpeg_log_level="error")  # fmt: skip
    with writer:
        for shot, ms in zip(frames, durations_ms, strict=True):
            rgb = shot.convert("RGB")
            pixels = np.asarray(rgb if rgb.size == size else rgb.resize(size))
            for _ in range(max(1, round(ms * MP4_FPS / 1000))):
                writer.append_data(pixels)
    os.replace(tmp, path)
