"""AndroidWorld-style benchmark episodes on the simulated phone: the runner, the reference policies
(oracle and random), the results checkpoint and the summary. ``qwen2vl-agent bench`` is the front end.

The names below load their module on first use, so ``bench.config`` (what the command line is built from)
can be imported without the runner, the phones and the task suites.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "BenchConfig": "config", "Instance": "config", "selection_tag": "config", "run_instance": "instance",
    "OracleModel": "oracle", "RandomModel": "random_policy", "EpisodeRecord": "results", "ResultsFile": "results",
    "RunMismatch": "results", "BenchRunner": "runner", "RunReport": "runner", "plan_instances": "runner",
    "Summary": "summary", "render": "summary", "summarize": "summary",
}  # fmt: skip
__all__ = [
    "BenchConfig", "BenchRunner", "EpisodeRecord", "Instance", "OracleModel", "RandomModel", "ResultsFile",
    "RunMismatch", "RunReport", "Summary", "plan_instances", "render", "run_instance", "selection_tag", "summarize",
]  # fmt: skip

if TYPE_CHECKING:
    from .config import BenchConfig, Instance, selection_tag
    from .instance import run_instance
    from .oracle import OracleModel
    from .random_policy import RandomModel
    from .results import EpisodeRecord, ResultsFile, RunMismatch
    from .runner import BenchRunner, RunReport, plan_instances
    from .summary import Summary, render, summarize


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
