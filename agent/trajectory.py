"""Reading an episode directory back (see ``recorder`` for its layout)."""

from __future__ import annotations

import logging
from pathlib import Path

from .records import EpisodeResult, Step

log = logging.getLogger(__name__)


def read_steps(out_dir: str | Path) -> list[Step]:
    """The steps recorded in an episode directory (a torn last line, from a kill mid-write, is skipped)."""
    path = Path(out_dir) / "steps.jsonl"
    steps = []
    if not path.exists():
        return steps
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            steps.append(Step.model_validate_json(line))
        except ValueError:
            log.warning("skipping an unreadable line in %s", path)
    return steps


def read_result(out_dir: str | Path) -> EpisodeResult | None:
    path = Path(out_dir) / "result.json"
    return EpisodeResult.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else None
