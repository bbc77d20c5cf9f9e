"""What one step costs the episode report: rendering the whole page (``write_report``, what every step
paid before the page was extended in place) vs. adding the step in place (``append_step``).

    python benchmarks/report_step.py [--runs N]

For an episode already N steps long, each row gives the median milliseconds of each way and the bytes it
writes. ``append_step`` should stay flat as N grows; ``write_report`` grows with N.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _timing import medians

from qwen2vl_agent.agent.records import CallRecord, Geometry, Step
from qwen2vl_agent.agent.report import append_step, step_html, write_report


def make_step(index: int) -> Step:
    return Step(
        index=index, started_at=1e9 + index, screenshot=f"step_{index:03d}.png",
        geometry=Geometry(screen_size=(1080, 2400), screenshot_size=(1080, 2400), model_image_size=(812, 1792),
                          convention="rel1000"),
        raw_text='Tap the button.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}',
        calls=[CallRecord(name="Tap", raw_arguments='{"point": [250, 750]}',
                          executed={"type": "Tap", "point": [270, 1800]})],
        timings={"model_generate": 0.5, "act": 0.01},
    )  # fmt: skip


def episode(root: Path, steps: int) -> Path:
    out = root / f"ep{steps}"
    out.mkdir()
    (out / "meta.json").write_text('{"task": "benchmark"}')
    (out / "steps.jsonl").write_text("".join(make_step(i).model_dump_json() + "\n" for i in range(steps)))
    write_report(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"{'steps':>6} {'write_report ms':>16} {'append_step ms':>15} {'page bytes':>11} {'step bytes':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 100, 200, 500, 1000):
            print(row(episode(Path(tmp), n), n, args.runs))


def row(out: Path, n: int, runs: int) -> str:
    step = make_step(n)
    # round-robin: each full render puts the page back to n steps, each append adds step n to it
    t = medians({"full": lambda: write_report(out), "append": lambda: append_step(out, step)}, runs, 2)
    page, fragment = len(write_report(out).read_bytes()), len(step_html(step).encode())
    return f"{n:>6} {t['full'] * 1000:>16.2f} {t['append'] * 1000:>15.3f} {page:>11} {fragment:>11}"


if __name__ == "__main__":
    main()
