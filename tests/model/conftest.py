"""Shared fixtures: the tiny checkpoint (``tiny_dir``, with the other shared helpers in tests/conftest.py)
loaded through the same factory and backend as a real checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.hf import HFModel


@pytest.fixture(scope="session")
def tiny_model(tiny_dir: Path) -> HFModel:
    model = load_model(str(tiny_dir))
    assert isinstance(model, HFModel)
    return model
