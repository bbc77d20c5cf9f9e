"""What the episode's animation costs at the end of an episode: ``animation.write_gif`` for episodes of N steps
of 1080x2400 screenshots (each with a tap drawn on it), and the size of the GIF.

    python benchmarks/report_gif.py [--steps 10,50]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from qwen2vl_agent.agent.animation import GIF, write_gif
from qwen2vl_agent.agent.records import CallRecord, Geometry, Step


def episode(out: Path, steps: int) -> None:
    lines = []
    for i in range(steps):
        shot = Image.new("RGB", (1080, 2400), (30 + 4 * i % 200, 60, 90))
        ImageDraw.Draw(shot).rectangle((100, 200 + 30 * i % 1800, 980, 400 + 30 * i % 1800), fill=(240, 240, 240))
        shot.save(out / f"step_{i:03d}.png", compress_level=1)
        step = Step(
            index=i, started_at=1e9 + i, screenshot=f"step_{i:03d}.png", raw_text="tap",
            geometry=Geometry(screen_size=(1080, 2400), screenshot_size=(1080, 2400), model_image_size=(812, 1792),
                              convention="rel1000"),
            calls=[CallRecord(name="Tap", raw_arguments="{}", executed={"type": "Tap", "point": [270, 1800]})],
        )  # fmt: skip
        lines.append(step.model_dump_json())
    (out / "steps.jsonl").write_text("\n".join(lines) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", default="10,50")
    args = p.parse_args()
    print("| steps | write_gif (s) | GIF (KiB) |\n|---|---|---|")
    for n in (int(s) for s in args.steps.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            episode(Path(tmp), n)
            started = time.perf_counter()
            write_gif(tmp)
            took = time.perf_counter() - started
            print(f"| {n} | {took:.2f} | {(Path(tmp) / GIF).stat().st_size / 1024:.0f} |")


if __name__ == "__main__":
    main()
