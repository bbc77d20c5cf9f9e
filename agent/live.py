"""The live view on a terminal, with rich: what is happening now, and how far the run has got.

On a terminal, ``run`` shows a status line (the phase and how long it has lasted: the model is thinking for
most of it) under a progress bar against ``--max-steps``, and above it each step as it finishes: the call,
the point it was mapped to, the thought, and the time the model, the action and the next screenshot took
(with the model's decoding speed in tokens/s when the backend measures it). While a backend that streams
(``model.streaming``: the transformers one) generates, the status line also counts its tokens and shows the
running rate; for any other it shows the elapsed time alone.
``bench`` shows a bar with an ETA and the running pass rate, and one line per finished episode.

Anywhere else (a pipe, a file, ``--quiet``) the output is the plain lines of ``console.ConsoleView`` and
``bench``'s own, exactly as before: they are meant to be parsed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

from qwen2vl_agent.envs import Observation

from .console import ConsoleView
from .records import EpisodeResult, Step

if TYPE_CHECKING:
    from rich.progress import Task

    from .bench import EpisodeRecord


class _Phase(ProgressColumn):
    """The phase and its elapsed time, redrawn on every refresh (so it moves while the model thinks), with
    the tokens generated so far and their rate once a streaming backend reports them."""

    def render(self, task: Task) -> Text:
        since = task.fields.get("since")
        elapsed = f" {time.monotonic() - since:5.1f} s" if since is not None else ""
        return Text(f"{task.fields.get('phase', '')}{elapsed}{_rate(task)}", style="cyan")


def _rate(task: Task) -> str:
    tokens, decode = task.fields.get("tokens", 0), task.fields.get("decode_s", 0.0)
    if not tokens:
        return ""
    speed = f" at {(tokens - 1) / decode:.1f} tokens/s" if decode > 0 and tokens > 1 else ""
    return f", {tokens} token{'s' if tokens != 1 else ''}{speed}"


def _timings(step: Step) -> str:
    t = step.timings
    parts = []
    if "model_total" in t:
        decode = t.get("model_decode", 0.0)
        speed = f" ({(step.output_tokens - 1) / decode:.1f} tokens/s)" if decode > 0 and step.output_tokens > 1 else ""
        parts.append(f"model {t['model_total']:.2f} s{speed}")
    parts += [f"{name} {t[key]:.2f} s" for key, name in (("act", "act"), ("observe", "observe")) if key in t]
    return ", ".join(parts)


class RichView(ConsoleView):
    """``ConsoleView``'s lines, printed above a live status line and a step bar; a context manager."""

    def __init__(self, stream: TextIO, max_steps: int, *, force_terminal: bool | None = None) -> None:
        super().__init__(stream)
        self.console = Console(file=stream, force_terminal=force_terminal, highlight=False)
        self.progress = Progress(
            TextColumn("[bold]steps"), BarColumn(), MofNCompleteColumn(), _Phase(), console=self.console,
            transient=True,
        )  # fmt: skip
        self.bar = self.progress.add_task("steps", total=max_steps, phase="starting", since=time.monotonic())

    def __enter__(self) -> RichView:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def _print(self, line: str) -> None:
        self.console.print(line, markup=False, soft_wrap=True)

    def _phase(self, text: str) -> None:
        self.progress.update(self.bar, phase=text, since=time.monotonic(), tokens=0, decode_s=0.0)

    def on_tokens(self, tokens: int, decode_s: float) -> None:
        """``streaming.TokenObserver``: the model's count so far, shown on the status line."""
        self.progress.update(self.bar, tokens=tokens, decode_s=decode_s)

    def on_start(self, task: str, observation: Observation) -> None:
        super().on_start(task, observation)
        self._phase("step 0: the model is thinking")

    def on_step(self, step: Step, observation: Observation) -> None:
        super().on_step(step, observation)
        if timings := _timings(step):
            self._print(f"      {timings}")
        self.progress.advance(self.bar)
        self._phase(f"step {step.index + 1}: the model is thinking")

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        self.progress.stop()
        super().on_end(result, observation)


@contextlib.contextmanager
def live_view(stream: TextIO | None, max_steps: int) -> Iterator[ConsoleView | None]:
    """The live view for ``run``: none (``stream`` None: quiet), rich on a terminal, else the plain lines."""
    if stream is None:
        yield None
    elif not stream.isatty():
        yield ConsoleView(stream)
    else:
        with RichView(stream, max_steps) as view:
            yield view


EpisodeLine = Callable[["EpisodeRecord", int, int], None]


class BenchView:
    """``bench``'s progress on a terminal: a bar with the ETA and the running pass rate, and ``line`` (the
    plain per-episode line) printed above it for every finished episode; a context manager."""

    def __init__(self, stream: TextIO, line: Callable[[EpisodeRecord, int, int], str], *,
                 force_terminal: bool | None = None) -> None:  # fmt: skip
        self.console = Console(file=stream, force_terminal=force_terminal, highlight=False)
        self.line = line
        self.progress = Progress(
            TextColumn("[bold]episodes"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=True,
        )  # fmt: skip
        self.bar = self.progress.add_task("episodes", total=None, rate="")
        self.score = 0.0
        self.scored = 0

    def __enter__(self) -> BenchView:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, record: EpisodeRecord, done: int, total: int) -> None:
        if record.outcome != "error":  # errors are never scored
            self.scored += 1
            self.score += record.success
        rate = f"pass {self.score / self.scored:.0%} of {self.scored}" if self.scored else "none scored yet"
        self.progress.update(self.bar, total=total, completed=done, rate=rate)
        self.console.print(self.line(record, done, total), markup=False, soft_wrap=True)
