"""Fuzz the whole path from a model's reply text to an executed action, on a fake env.

Each input is one reply, run as a one-step episode through the real policy, parser, coordinate mapping,
``FakeEnv.execute`` and record serialization. Every input must end as an action, a model-facing error or a
final answer, never as an exception or an ``error`` episode, within a per-input deadline, and a final answer
must hold no call-like content. The test suite runs a few hundred inputs (``tests/agent/test_fuzz_path.py``);
this script runs as many as asked and prints the figures:

    python benchmarks/fuzz_replies.py --inputs 100000

Inputs mix the markers and their renderings, every tool name, JSON-ish arguments with hostile values
(huge and fractional numbers, NaN, NUL, lone surrogates, deep nesting), other families' call syntaxes, long
runs of one character (the shape that makes a backtracking regex quadratic) and arbitrary Unicode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwen2vl_agent.agent.calllike import find_call
from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.parser import MAX_REPLY_CHARS
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.records import to_json
from qwen2vl_agent.envs import FakeEnv, make_screens
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.tools import ACTION_TYPES

DEADLINE_S = 2.0  # CPU seconds per input (not wall time, which a loaded machine stretches); quadratic took minutes

MARKERS = [
    "✿FUNCTION✿:", "✿ARGS✿:", "✿RESULT✿:", "✿RETURN✿:", "*FUNCTION*:", "**ARGS**:", "**FUNCTION:**", "✿function✿",
    "✿", "*", "**", ":", "：", "\n", " ", "{", "}", "[", "]", "(", ")", "'", '"', ",", "```", "```json\n",
    "<tool_call>", "</tool_call>", "Action: ", "Thought: ", "<|box_start|>", "<|box_end|>", "<point>",
]  # fmt: skip
NAMES = [cls.tool_name() for cls in ACTION_TYPES] + ["long_press", "open_app", "click", "tap", "Bogus", ""]
KEYS = ["point", "start", "end", "text", "name", "status", "seconds", "direction", "keys", "amount", "duration_ms"]
VALUES = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e308", "9" * 400, "NaN", "-0", "0.5", "[0.348, 0.291]", "(348,291)", "null", "True"]),
    st.text(max_size=40),
    st.sampled_from(["\x00", "\ud800", "a\udcffb", "\u202e", "$(reboot)", "; rm -rf /", "<script>", "\\", "'"]),
)


def _literal(value: object) -> str:
    if isinstance(value, str) and value and value[0] in "[(0123456789-1eNTn" and not value.isalpha():
        return value
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)


ARGUMENTS = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4).map(
        lambda d: "{" + ", ".join(f'"{k}": {_literal(v)}' for k, v in d.items()) + "}"
    ),
    st.lists(st.sampled_from(["[", "]", "{", "}", "(", ")", '"', ",", ":", "1"]), max_size=60).map("".join),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
)
CALL = st.builds(lambda f, n, a, g: f"{f} {n}\n{g} {a}", st.sampled_from(MARKERS[:8]), st.sampled_from(NAMES),
                 ARGUMENTS, st.sampled_from(MARKERS[:8]))  # fmt: skip
VALID = st.one_of(
    st.builds(lambda x, y: f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": [{x}, {y}]}}', st.integers(-50, 1100),
              st.integers(-50, 1100)),
    st.builds(lambda t: f"✿FUNCTION✿: Type\n✿ARGS✿: {json.dumps({'text': t}, ensure_ascii=False)}",
              st.text(max_size=60)),
    st.builds(lambda a, b: f'✿FUNCTION✿: Swipe\n✿ARGS✿: {{"start": [{a}, 500], "end": [{b}, 100]}}',
              st.integers(0, 1000), st.integers(0, 1000)),
    st.sampled_from(["✿FUNCTION✿: Home\n✿ARGS✿: {}", "✿FUNCTION✿: Back\n✿ARGS✿: {}",
                     '✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Settings"}',
                     '✿FUNCTION✿: Wait\n✿ARGS✿: {"seconds": 0.01}',
                     '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
                     '✿FUNCTION✿: Answer\n✿ARGS✿: {"text": "7"}']),
)  # fmt: skip
RUN = st.builds(lambda c, n: c * n, st.sampled_from([" ", "*", "✿", "`", "(", "{", '"', "a", "\n", "="]),
                st.integers(1, 40_000))  # fmt: skip
REPLY = st.lists(
    st.one_of(VALID, CALL, RUN, st.sampled_from(MARKERS), st.sampled_from(NAMES), ARGUMENTS, st.text(max_size=80)),
    max_size=8,
).map("".join)


@dataclass
class Figures:
    """What a fuzz run saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    longest: int = 0
    retried: int = 0

    def line(self) -> str:
        s = sorted(self.seconds)
        p99 = s[int(0.99 * (len(s) - 1))] if s else 0.0
        return (
            f"{len(s)} inputs; outcomes {dict(self.outcomes)}; CPU per input median "
            f"{statistics.median(s) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, max {max(s) * 1000:.1f} ms; "
            f"longest input {self.longest} characters; {self.retried} over the deadline once, under it again"
        )


_ENV_SCREENS = make_screens(2, (540, 1200))


def check_reply(text: str, figures: Figures | None = None) -> str:
    """Run ``text`` as a one-step episode; return its outcome, raising AssertionError if any rule breaks.

    An input over the deadline is run once more: only one that is slow twice fails (a one-off stall, say a
    garbage collection of the fuzzer's own heap, is counted in ``figures.retried``)."""
    outcome, elapsed_cpu = _check_once(text)
    if elapsed_cpu >= DEADLINE_S:
        outcome, elapsed_cpu = _check_once(text)
        assert elapsed_cpu < DEADLINE_S, (elapsed_cpu, len(text), text[:100])
        if figures is not None:
            figures.retried += 1
    if figures is not None:
        figures.outcomes[outcome] += 1
        figures.seconds.append(elapsed_cpu)
        figures.longest = max(figures.longest, len(text))
    return outcome


def _check_once(text: str) -> tuple[str, float]:
    cpu = time.thread_time()
    env = FakeEnv(_ENV_SCREENS)
    steps: list = []

    class Keep:
        def on_start(self, task, obs): ...
        def on_step(self, step, obs):
            steps.append(to_json(step))  # the record always serializes

        def on_end(self, result, obs): ...

    policy = QwenPolicy(ScriptedModel([text]), env.action_space)
    result = run_episode(env, policy, "fuzz", LoopConfig(max_steps=1), [Keep()])
    elapsed_cpu = time.thread_time() - cpu
    assert result.status != "error", (result.reason, text[:300])
    assert len(steps) == 1
    record = json.loads(steps[0])
    assert len(record["raw_text"]) <= MAX_REPLY_CHARS + 100
    if result.status == "answered":  # what the policy got: a backend cuts the reply at the stop markers
        assert find_call(record["raw_text"]) is None, text[:300]
    outcome = "error_told" if record["parse_error"] else "acted" if record["calls"] else result.status
    return outcome, elapsed_cpu


def run(inputs: int, seed: int | None = None) -> Figures:
    figures = Figures()

    @settings(max_examples=inputs, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(REPLY)
    def one(text: str) -> None:
        check_reply(text, figures)

    one()
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inputs", type=int, default=10_000, help="how many replies (default 10000)")
    args = p.parse_args(argv)
    started = time.monotonic()
    figures = run(args.inputs)
    print(figures.line())
    print(f"wall {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
