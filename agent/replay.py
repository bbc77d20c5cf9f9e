"""Replaying a recorded episode without a model: its executed actions, in order, on a fresh device, with each
screen compared to the recorded one by its fingerprint (``envs.screen.fingerprint``).

Step N's recorded screenshot is the screen before step N's calls, so replay observes, compares, then executes
step N's actions (``CallRecord.executed``: already in screenshot pixels, exactly what the env was sent); the
screen after the last step is compared with ``final.png``. Calls that never reached the env (``Answer``,
``Terminate``, a rejected point) have no ``executed`` and are skipped, as they were then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from qwen2vl_agent.envs import Env
from qwen2vl_agent.envs.screen import fingerprint
from qwen2vl_agent.tools import ACTION_ADAPTER, ModelError

from .records import Step

FINAL = "final"


@dataclass(frozen=True)
class ScreenMatch:
    """One compared screen: ``step`` is a step index, or ``FINAL`` for the screen after the last step."""

    step: int | str
    recorded: str
    replayed: str
    errors: tuple[str, ...] = ()  # model-facing errors the replayed actions met (the recording met none)

    @property
    def same(self) -> bool:
        return self.recorded == self.replayed and not self.errors


@dataclass
class ReplayReport:
    screens: list[ScreenMatch] = field(default_factory=list)

    @property
    def divergent(self) -> list[ScreenMatch]:
        return [s for s in self.screens if not s.same]

    @property
    def first_divergent(self) -> ScreenMatch | None:
        return next(iter(self.divergent), None)


def replay(
    env: Env, run_dir: Path, steps: Sequence[Step], *, seed: int | None = None, options: dict[str, Any] | None = None
) -> ReplayReport:
    """Reset ``env`` (with ``seed`` and ``options``: a benchmark's task), then replay ``steps`` recorded in
    ``run_dir`` on it, comparing screens."""
    report = ReplayReport()
    obs = env.reset(seed=seed, options=options)
    errors: tuple[str, ...] = ()
    for step in steps:
        recorded = _recorded(run_dir / step.screenshot)
        report.screens.append(ScreenMatch(step.index, recorded, fingerprint(obs.screenshot), errors))
        errors = tuple(_execute(env, step))
        obs = env.observe()
    final = run_dir / "final.png"
    if final.exists():
        report.screens.append(ScreenMatch(FINAL, _recorded(final), fingerprint(obs.screenshot), errors))
    return report


def _recorded(path: Path) -> str:
    with Image.open(path) as image:
        return fingerprint(image)


def _execute(env: Env, step: Step) -> list[str]:
    """Run the step's executed actions; the errors the recording did not have (a point the env now rejects)."""
    errors = []
    for call in step.calls:
        if call.executed is None:
            continue
        try:
            env.execute(ACTION_ADAPTER.validate_python(call.executed))
        except ModelError as e:
            if call.error is None:
                errors.append(f"{call.name}: {e}")
    return errors
