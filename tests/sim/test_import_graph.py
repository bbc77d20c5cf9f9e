"""The simulated phone's import graph has no cycles (``benchmarks/import_cycles.py``, which import-linter's
contracts in pyproject.toml also keep), and the script finds a cycle where there is one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "import_cycles.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}}, [["a", "b", "c"], ["d", "e"]]),
        ({"hub": {"part"}, "part": {"port"}, "port": set()}, []),
    ],
)
def test_cycles_are_the_strongly_connected_components(script, edges, expected) -> None:
    assert script.cycles(edges) == expected


def test_the_simulated_phone_has_no_import_cycle(script) -> None:
    graph = script.import_graph("qwen2vl_agent.envs.sim")
    assert "qwen2vl_agent.envs.sim.device" in graph and "qwen2vl_agent.envs.sim.ports" in graph
    assert script.cycles(graph) == []
