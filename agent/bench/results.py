"""Per-episode benchmark records and the ``results.jsonl`` checkpoint they are appended to.

One ``EpisodeRecord`` per finished task instance, one JSON object per line, appended and fsync'ed as soon
as the instance finishes: a killed run loses at most the instances still in flight, and the next run with
the same output directory skips every instance already recorded (a torn last line is ignored).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict

from ..records import Status

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN = "run.json"


class EpisodeRecord(BaseModel):
    """One task instance, run once. ``success`` counts only when the agent declared the task done."""

    model_config = ConfigDict(extra="forbid")

    task: str
    instance: int
    seed: int
    goal: str
    difficulty: str
    complexity: float
    max_steps: int
    success: float  # 0..1, from the task's checker (0 when the agent did not declare the task done)
    declared_done: bool = False
    status: Status | None = None  # how the episode ended; None when it never started
    reason: str = ""
    answer: str | None = None
    steps: int = 0
    duration_s: float = 0.0
    seconds_per_step: float = 0.0
    exception: str | None = None  # set when setup, the episode or the check raised
    trajectory: str = ""  # the episode directory, relative to the run directory
    policy: str = ""
    started_at: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return self.task, self.instance


class RunMismatch(ValueError):
    """The output directory holds a run made with different settings; resuming it would mix results."""


class ResultsFile:
    """``results.jsonl`` in a run directory: read what finished, append what finishes (thread-safe)."""

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / RESULTS
        self._lock = threading.Lock()

    def read(self) -> list[EpisodeRecord]:
        """Every complete record, the latest per instance (a torn or foreign line is skipped)."""
        latest: dict[tuple[str, int], EpisodeRecord] = {}
        if not self.path.exists():
            return []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = EpisodeRecord.model_validate_json(line)
            except ValueError:
                log.warning("%s:%d: skipping an unreadable line (a run killed mid-write?)", self.path, n)
                continue
            latest[record.key] = record
        return list(latest.values())

    def append(self, record: EpisodeRecord) -> None:
        data = (record.model_dump_json() + "\n").encode("utf-8")
        with self._lock:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as f:
                if _ends_torn(f):  # end the torn line first, or this record would be unreadable too
                    data = b"\n" + data
                f.write(data)
                f.flush()
                os.fsync(f.fileno())

    def claim(self, identity: dict[str, Any]) -> None:
        """Record the settings that define this run (``run.json``), or check they match the recorded ones."""
        path = self.run_dir / RUN
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if path.exists():
            recorded = json.loads(path.read_text(encoding="utf-8"))
            changed = {k: (recorded.get(k), v) for k, v in identity.items() if recorded.get(k) != v}
            if changed:
                shown = ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in changed.items())
                raise RunMismatch(f"{self.run_dir} holds a run with other settings ({shown}); use another --out")
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(identity, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


def _ends_torn(f: BinaryIO) -> bool:
    """Whether the file's last line lacks its newline (a run killed mid-write)."""
    end = f.seek(0, os.SEEK_END)
    if end == 0:
        return False
    f.seek(end - 1)
    return f.read(1) != b"\n"
