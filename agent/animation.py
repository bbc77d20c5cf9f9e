"""The episode as an animated GIF (``episode.gif``): each step's screenshot with what it did drawn on it
(``overlay``), then the last screen. Written once, when the episode has ended, from the files on disk; a
screenshot that is not there is left out, and no frames means no file (the page never names a missing
image).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PIL import Image

from . import overlay
from .trajectory import read_steps

log = logging.getLogger(__name__)

GIF = "episode.gif"
FRAME_WIDTH = 320  # pixels; a phone screenshot scaled to this stays small enough to mail
FRAME_MS = 900


def _frame(path: Path, found: list[overlay.Mark]) -> Image.Image | None:
    try:
        with Image.open(path) as image:
            drawn = overlay.draw(image, found)
    except (OSError, ValueError):  # not written (yet), or torn by a kill
        return None
    scale = FRAME_WIDTH / max(drawn.width, 1)
    size = (FRAME_WIDTH, max(1, round(drawn.height * scale)))
    # reduce first: twice as fast as LANCZOS on a phone screenshot (benchmarks/report_gif.py)
    return drawn.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def write_gif(out_dir: str | Path) -> Path | None:
    """Write ``episode.gif`` in ``out_dir``; its path, or None when there was no screenshot to show."""
    out_dir = Path(out_dir)
    frames = [_frame(out_dir / s.screenshot, overlay.marks(s.calls)) for s in read_steps(out_dir)]
    frames.append(_frame(out_dir / "final.png", []))
    shown = [f for f in frames if f is not None]
    path = out_dir / GIF
    if not shown:
        path.unlink(missing_ok=True)  # an earlier episode's: it would show the wrong run
        return None
    size = shown[0].size  # a screen that changed size (a rotation) is fitted to the first one
    shown = [f if f.size == size else f.resize(size) for f in shown]
    tmp = path.with_suffix(".tmp")
    durations = [FRAME_MS] * (len(shown) - 1) + [FRAME_MS * 3]  # linger on the end
    shown[0].save(tmp, format="GIF", save_all=True, append_images=shown[1:], duration=durations, loop=0)
    os.replace(tmp, path)
    return path
