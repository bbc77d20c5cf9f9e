"""AndroidWorld-style benchmark episodes on the simulated phone: the runner, the reference policies
(oracle and random), the results checkpoint and the summary. ``qwen2vl-agent bench`` is the front end."""

from .config import BenchConfig, Instance, selection_tag
from .instance import run_instance
from .oracle import OracleModel
from .random_policy import RandomModel
from .results import EpisodeRecord, ResultsFile, RunMismatch
from .runner import BenchRunner, RunReport, plan_instances
from .summary import Summary, render, summarize

__all__ = [
    "BenchConfig", "BenchRunner", "EpisodeRecord", "Instance", "OracleModel", "RandomModel", "ResultsFile",
    "RunMismatch", "RunReport", "Summary", "plan_instances", "render", "run_instance", "selection_tag", "summarize",
]  # fmt: skip
