"""The fuzz of the whole reply -> action path (``benchmarks/fuzz_replies.py``), bounded for the test command."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_replies.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("fuzz_replies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_any_reply_ends_as_an_action_an_error_for_the_model_or_an_answer(fuzz) -> None:
    figures = fuzz.run(300)
    assert sum(figures.outcomes.values()) == 300
    assert figures.outcomes["error_told"] > 0 and figures.outcomes["acted"] > 0 and figures.outcomes["answered"] > 0


@pytest.mark.parametrize(
    "reply",
    [
        '✿FUNCTION✿: Type ✿ARGS✿: {"text": "a' + " " * 40_000 + 'b"}',
        '✿FUNCTION✿: Tap ✿ARGS✿: {"point": [1e308, 1e308, 1e308, 1e308]}',
        '✿FUNCTION✿: Tap ✿ARGS✿: {"point": [' + "9" * 400 + ", 1]}",
        '✿FUNCTION✿: Type ✿ARGS✿: {"text": "nul \x00 and \ud800"}',
        "x" * 5_000_000,
        "✿FUNCTION✿: Tap ✿ARGS✿: " + "[" * 3000,
    ],
)
def test_known_hostile_replies(fuzz, reply: str) -> None:
    assert fuzz.check_reply(reply) in {"error_told", "acted", "answered"}
