"""Reading an episode directory back (see ``recorder`` for its layout)."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .records import EpisodeResult, Step

log = logging.getLogger(__name__)

SCORE = "score.json"


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


class CheckerScore(BaseModel):
    """What a benchmark's checker made of an episode (``score.json``), written after the episode ends.

    ``checked`` is False when the checker did not run because the agent never declared the task done (the
    score is then 0 by rule, not by the checker's verdict).
    """

    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0.0, le=1.0)
    checked: bool = True
    note: str = ""


def read_score(out_dir: str | Path) -> CheckerScore | None:
    path = Path(out_dir) / SCORE
    return CheckerScore.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else None
