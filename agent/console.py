"""The live view on the terminal: one line per step, then how the episode ended."""

from __future__ import annotations

import sys
from typing import TextIO

from qwen2vl_agent.envs import Observation

from .records import EpisodeResult, Step


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class ConsoleView:
    """A loop hook that prints each step as it finishes."""

    def __init__(self, stream: TextIO | None = None, width: int = 100) -> None:
        self.stream = stream or sys.stderr
        self.width = width

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def on_start(self, task: str, observation: Observation) -> None:
        w, h = observation.screenshot.size
        self._print(f"task: {task}  (screen {w}x{h})")

    def on_step(self, step: Step, observation: Observation) -> None:
        seconds = sum(v for k, v in step.timings.items() if k in ("model_total", "act", "observe"))
        if step.parse_error:
            what = "unusable reply: " + step.parse_error.splitlines()[0]
        elif step.final_answer is not None:
            what = "final answer: " + step.final_answer
        else:
            parts = []
            for call in step.calls:
                where = call.executed or {}
                pixel = next((where[k] for k in ("point", "start") if k in where), None)
                desc = f"{call.name} {_shorten(call.raw_arguments, 40)}" + (f" -> {pixel}" if pixel else "")
                parts.append(desc + (f"  [{call.error}]" if call.error else ""))
            what = "; ".join(parts)
        self._print(f"[{step.index:>3}] {_shorten(what, self.width)}  ({seconds:.2f} s)")
        if step.thought:
            self._print(f"      {_shorten(step.thought, self.width)}")
        for note in step.notes:
            self._print(f"      {_shorten(note, self.width)}")
        if step.stop_reason == "length":
            self._print("      (the reply was cut off at the token limit)")
        if step.fault:
            self._print(f"      fault: {_shorten(step.fault, self.width)}")

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        where = f"  trajectory: {result.out_dir}" if result.out_dir else ""
        self._print(f"{result.status}: {result.reason} after {result.steps} steps ({result.duration_s:.1f} s){where}")
