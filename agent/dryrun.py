"""``run --dry-run``: each step's calls as parsed and mapped, printed on stdout; the env is wrapped in
``envs.wrappers.DryRun``, so nothing reaches the device."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from qwen2vl_agent.envs import Observation

from .records import EpisodeResult, Step


class DryRunView:
    """A loop hook: one line per call, ``step N: Name ARGS -> ACTION`` (the action as the env would get it,
    in screenshot pixels), or the error the model was told."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def on_start(self, task: str, observation: Observation) -> None:
        print(f"dry run: {task}", file=self.stream, flush=True)

    def on_step(self, step: Step, observation: Observation) -> None:
        if step.parse_error:
            print(f"step {step.index}: unusable reply: {step.parse_error.splitlines()[0]}", file=self.stream)
        for call in step.calls:
            args = json.dumps(call.arguments, ensure_ascii=False) if call.arguments is not None else call.raw_arguments
            mapped = json.dumps(call.executed, ensure_ascii=False) if call.executed else call.error or call.result
            print(f"step {step.index}: {call.name} {args} -> {mapped}", file=self.stream, flush=True)

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        print(f"dry run ended: {result.status} after {result.steps} steps; nothing was executed", file=self.stream)
