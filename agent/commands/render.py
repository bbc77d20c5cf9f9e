"""``qwen2vl-agent render RUN_DIR --step N``: print the exact model input of a recorded step.

The prompt is rebuilt from the step records and screenshots the way the policy built it during the run
(``agent/reprompt.py``): the ChatML text, with each image as a placeholder naming the screenshot's size and
the size the model saw it at. ``--images`` lists the screenshot files in order instead of nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import exit_codes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="print the exact model input of a recorded step", description=__doc__)
    p.add_argument("run_dir", type=Path, help="an episode directory")
    p.add_argument("--step", type=int, default=0, help="the step whose input to print")
    p.add_argument("--images", action="store_true", help="after the text, list the image files in order")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..reprompt import Episode, _RecordedSizes, described

    try:
        episode = Episode(args.run_dir)
        prompt = episode.prompt(args.step)
    except (ValueError, OSError) as e:
        print(f"qwen2vl-agent render: {e}", file=sys.stderr)
        return exit_codes.SETUP
    sys.stdout.write(described(prompt.messages, _RecordedSizes(episode.steps).image_size) + "\n")
    if args.images:
        for path in prompt.image_paths:
            print(f"image: {path}")
    return exit_codes.DONE
