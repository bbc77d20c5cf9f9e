"""The trajectory recorder: one directory per episode, written as the episode runs.

Layout of an episode directory:

``meta.json``     the task, when it started, and whatever the caller describes (env, model, config).
``steps.jsonl``   one ``records.Step`` per line, appended and flushed (and fsync'ed) after its screenshot is
                  on disk, so a killed run keeps every finished step and never names a missing image.
``step_NNN.png``  the screenshot the model saw at step NNN.
``final.png``     the last screenshot, when there is one.
``result.json``   the ``records.EpisodeResult``, written at the end.
``score.json``    a benchmark checker's ``trajectory.CheckerScore``, written after the end (``report.record_score``).
``report.html``   a self-contained page of every step, extended in place after each step (open it to watch a
                  run); see ``report``.

The screenshots, step lines and page updates of ``on_step`` are written by a background ``writer.StepWriter``
(PNG encoding is the slow part), in order, each with its frame of the episode's animation (drawn from the
image in memory, so the end of the episode reads no screenshot back); ``on_end`` waits for them before it
writes the result.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from qwen2vl_agent.envs import Observation

from . import animation, overlay
from .records import EpisodeResult, Step, to_json
from .report import append_step, finish_report, write_report
from .writer import StepWriter

log = logging.getLogger(__name__)


class TrajectoryRecorder:
    """A loop hook that writes the episode directory described in the module docstring."""

    def __init__(
        self,
        out_dir: str | Path,
        meta: dict[str, Any] | None = None,
        *,
        html: bool = True,
        replace: bool = False,
        video: bool = True,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.meta = dict(meta or {})
        self.html = html
        self.replace = replace  # True: an earlier episode's steps and result in out_dir are discarded
        self.video = video  # episode.mp4 beside episode.gif (when imageio-ffmpeg is installed)
        self._refused = False  # out_dir holds another episode: write nothing, touch nothing of it
        self._writer: StepWriter | None = None
        self._frames: dict[str, Any] = {}  # the animation's frames, drawn on the writer thread (``animation``)

    def on_start(self, task: str, observation: Observation) -> None:
        self._frames = {}
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for stale in ("steps.jsonl", "result.json", "score.json"):
            if self.replace:
                (self.out_dir / stale).unlink(missing_ok=True)
            elif (self.out_dir / stale).exists():  # never mix two episodes, never overwrite one silently
                self._refused = True
                raise FileExistsError(f"{self.out_dir} already holds an episode ({stale})")
        meta = {"task": task, "started_at": time.time(), **self.meta}
        _write_json(self.out_dir / "meta.json", meta)
        if self.html:
            write_report(self.out_dir)

    def on_step(self, step: Step, observation: Observation) -> None:
        if self._refused:
            return
        if self._writer is None:
            self._writer = StepWriter()
        image, line = observation.screenshot, to_json(step) + "\n"
        self._writer.submit(lambda: self._write_step(step, image, line))

    def _write_step(self, step: Step, image: Any, line: str) -> None:
        """On the writer thread: the screenshot first, then the line that names it, then the page."""
        path = self.out_dir / step.screenshot
        tmp = path.with_name(path.name + ".tmp")
        image.save(tmp, format="PNG", compress_level=1)
        os.replace(tmp, path)
        with open(self.out_dir / "steps.jsonl", "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        if self.html:
            append_step(self.out_dir, step)
            if len(self._frames) < animation.KEPT:
                self._keep_frame(step.screenshot, image, overlay.marks(step.calls))

    def _keep_frame(self, name: str, image: Any, marks: list[overlay.Mark]) -> None:
        """Draw the animation's frame of ``image`` now (a failure only leaves it to be drawn from disk)."""
        first = next(iter(self._frames.values()), None)
        try:
            self._frames[name] = animation.frame(image, marks, first.size if first else None)
        except Exception:  # the animation is a nicety: the steps are written whatever happens to it
            log.warning("%s: could not draw the animation's frame of %s", self.out_dir, name, exc_info=True)

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        if self._refused:
            return
        if self._writer is not None:
            writer, self._writer = self._writer, None
            try:
                writer.close()
                writer.drain()
            except Exception:  # a step could not be written: the verdict is still worth writing
                log.exception("%s: some steps of this episode could not be written", self.out_dir)
        if not self.out_dir.exists():  # the episode failed before it started
            self.out_dir.mkdir(parents=True, exist_ok=True)
        if observation is not None:
            observation.screenshot.save(self.out_dir / "final.png", compress_level=1)
        result.out_dir = str(self.out_dir)
        _write_json(self.out_dir / "result.json", json.loads(to_json(result)))
        if self.html:
            if observation is not None:
                self._keep_frame("final.png", observation.screenshot, [])
            finish_report(self.out_dir, frames=self._frames, video=self.video)
            self._frames = {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
