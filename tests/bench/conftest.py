"""Benchmark runs on small phones (540x1200 at 210 dpi: the 1080x2400 layout in dp, a quarter of the pixels)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qwen2vl_agent.agent.bench import BenchConfig
from qwen2vl_agent.envs.sim import SimPhone

SMALL = {"screen_size": (540, 1200), "density": 210, "html": False}


@pytest.fixture
def small_config(tmp_path: Path):
    def make(**kwargs) -> BenchConfig:
        return BenchConfig(**{"out": tmp_path / "run", **SMALL, **kwargs})

    return make


@pytest.fixture(scope="session")
def bench_phone() -> Iterator[SimPhone]:
    with SimPhone(seed=0, size=(540, 1200), density=210) as phone:
        yield phone
