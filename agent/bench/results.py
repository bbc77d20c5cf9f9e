"""Per-episode benchmark records and the ``results.jsonl`` checkpoint they are appended to.

One ``EpisodeRecord`` per finished task instance, one JSON object per line, appended and fsync'ed as soon
as the instance finishes: a killed run loses at most the instances still in flight, and the next run with
the same output directory skips every instance already scored (a torn last line is ignored) and runs
again every instance recorded as an ``error``; the latest record of an instance is the one that counts.

An instance's ``outcome`` is ``scored`` when the agent's episode ended on its own terms (whatever its
verdict; the checker gave ``success``) and ``error`` when it could not be scored: an infrastructure fault
(device, adb server or model server gone; ``error_kind="infrastructure"``) or an exception in the
runtime itself (``"internal"``). Errors have no score and stay out of the success rate.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..records import Status

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN = "run.json"

Outcome = Literal["scored", "error"]
ErrorKind = Literal["infrastructure", "internal"]


class EpisodeRecord(BaseModel):
    """One task instance, run once (after ``attempts`` tries). ``success`` counts only when the agent
    declared the task done; it is None exactly when ``outcome`` is ``error``."""

    model_config = ConfigDict(extra="forbid")

    task: str
    instance: int
    seed: int
    goal: str
    difficulty: str
    complexity: float
    max_steps: int
    success: float | None = None  # 0..1 from the task's checker (0 when not declared done); None: an error
    outcome: Outcome = "scored"
    error_kind: ErrorKind | None = None  # set exactly when outcome is "error"
    attempts: int = Field(1, ge=1)  # tries it took; each retry ran on a fresh phone
    declared_done: bool = False
    status: Status | None = None  # how the episode ended; None when it never started
    reason: str = ""
    answer: str | None = None
    steps: int = 0
    duration_s: float = 0.0
    seconds_per_step: float = 0.0
    exception: str | None = None  # the fault or the exception that made this an error (one line)
    teardown_error: str | None = None  # the score stands; the phone was replaced before the next instance
    trajectory: str = ""  # the episode directory, relative to the run directory
    policy: str = ""
    started_at: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return self.task, self.instance

    @model_validator(mode="before")
    @classmethod
    def _legacy_outcome(cls, data: Any) -> Any:
        """Records written before outcomes existed: a fault or an episode that never ended is an error."""
        if not isinstance(data, dict) or "outcome" in data:
            return data
        if data.get("status") == "error" or (data.get("status") is None and data.get("exception")):
            data = {**data, "outcome": "error", "success": None, "error_kind": "infrastructure"}
        return data

    @model_validator(mode="after")
    def _score_matches_outcome(self) -> EpisodeRecord:
        if (self.outcome == "scored") != (self.success is not None):
            raise ValueError(f"a {self.outcome} record {'needs' if self.outcome == 'scored' else 'has no'} score")
        if (self.outcome == "error") != (self.error_kind is not None):
            raise ValueError("error_kind is set exactly on errors")
        return self


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
