"""What the runtime reports is what happened: points, cut-off replies, faults mid-step, prompt = log, bad text."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.parser import MAX_REPLY_CHARS, ParseError, parse_reply
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.trajectory import read_steps
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import Generation, ScriptedModel

HOME = "✿FUNCTION✿: Home\n✿ARGS✿: {}"
TAP = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}'


# ---------------------------------------------------------------- points


@pytest.mark.parametrize(
    "point",
    ["[0.348, 0.291]", "[348.6, 291.2]", '"(0.5,0.5)"', "[1, 2.5]", '"<|box_start|>(0.1,0.2),(0.3,0.4)<|box_end|>"'],
)
def test_non_integer_coordinates_are_a_model_error_not_rounded(point: str) -> None:
    with pytest.raises(ParseError, match="integer"):
        parse_reply(f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": {point}}}')


def test_integral_floats_and_box_centres_are_still_points() -> None:
    assert parse_reply('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [348.0, 291.0]}').calls[0].arguments == {"point": [348, 291]}
    box = '"<|box_start|>(100,200),(301,401)<|box_end|>"'
    assert parse_reply(f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": {box}}}').calls[0].arguments == {"point": [200, 300]}


@pytest.mark.parametrize(
    "point",
    ["[1e308, 1e308, 1e308, 1e308]", "[" + "9" * 400 + ", 1]", '"' + "9" * 400 + ',1"', "[1e999, 1]", "[NaN, 1]"],
)
def test_huge_or_odd_numbers_are_a_parse_error_not_a_crash(point: str) -> None:
    with pytest.raises(ParseError):
        parse_reply(f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": {point}}}')


# ---------------------------------------------------------------- cut-off replies


class _Cut(ScriptedModel):
    """Every reply reports that it stopped at the token limit."""

    def generate(self, messages, *, stop=(), max_new_tokens=256):
        gen = super().generate(messages, stop=stop, max_new_tokens=max_new_tokens)
        return Generation(text=gen.text, output_tokens=max_new_tokens, stop_reason="length")


def test_a_reply_cut_off_by_the_token_limit_is_told_to_the_model_and_recorded(tmp_path: Path) -> None:
    model = _Cut(['I will tap the settings icon which is\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [5', HOME, HOME])
    env = FakeEnv()
    run_episode(env, QwenPolicy(model, env.action_space), "t", LoopConfig(max_steps=2), [TrajectoryRecorder(tmp_path)])
    step = read_steps(tmp_path)[0]
    assert step.stop_reason == "length"
    assert "cut off" in step.parse_error
    assert "cut off" in render_text(model.seen[1])


def test_a_cut_off_reply_without_a_call_is_not_a_final_answer() -> None:
    model = _Cut(["I can see the settings icon, so the next thing I will do is", HOME, HOME])
    env = FakeEnv()
    result = run_episode(env, QwenPolicy(model, env.action_space), "t", LoopConfig(max_steps=2))
    assert result.status != "answered"


# ---------------------------------------------------------------- the step in flight


def test_the_step_that_hit_an_env_fault_is_recorded(tmp_path: Path) -> None:
    env = FakeEnv(fail_on=["Home"])
    model = ScriptedModel([TAP, "Going home.\n" + HOME])
    result = run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    assert result.status == "error"
    steps = read_steps(tmp_path)
    assert len(steps) == 2 == result.steps
    last = steps[-1]
    assert last.raw_text == "Going home.\n" + HOME
    assert [c.name for c in last.calls] == ["Home"]
    assert "fake failure" in last.fault


def test_the_step_whose_model_call_failed_is_recorded(tmp_path: Path) -> None:
    env = FakeEnv()
    model = ScriptedModel([TAP])  # the second generate raises ModelFailed
    result = run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    assert result.status == "error"
    steps = read_steps(tmp_path)
    assert len(steps) == 2
    assert steps[-1].raw_text == ""
    assert "ModelFailed" in steps[-1].fault


class _Boom(FakeEnv):
    def execute(self, action):
        raise RuntimeError("a bug in our own code")


def test_a_bug_in_our_code_ends_as_error_with_the_step_recorded(tmp_path: Path) -> None:
    env = _Boom()
    model = ScriptedModel([TAP])
    result = run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    assert result.status == "error"
    assert "RuntimeError: a bug in our own code" in result.reason
    assert "RuntimeError" in read_steps(tmp_path)[0].fault
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "error"


def test_an_interrupt_mid_step_records_the_step_and_the_verdict(tmp_path: Path) -> None:
    class _Interrupted(FakeEnv):
        def execute(self, action):
            if action.type == "Home":
                raise KeyboardInterrupt
            return super().execute(action)

    env = _Interrupted()
    model = ScriptedModel([TAP, HOME])
    with pytest.raises(KeyboardInterrupt):
        run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    assert [s.raw_text for s in read_steps(tmp_path)] == [TAP, HOME]
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "interrupted"


# ---------------------------------------------------------------- one record, two views


def test_what_the_model_is_told_is_what_the_trajectory_says(tmp_path: Path) -> None:
    env = FakeEnv(static=True)
    model = ScriptedModel([TAP] * 6)
    run_episode(env, QwenPolicy(model, env.action_space), "t", LoopConfig(max_steps=5), [TrajectoryRecorder(tmp_path)])
    steps = read_steps(tmp_path)
    noted = [s for s in steps if s.notes and s.index + 1 < len(model.seen)]
    assert noted, "the no-progress note was never given"
    for step in noted:
        result = step.calls[-1].result
        assert all(note in result for note in step.notes)
        assert result in render_text(model.seen[step.index + 1])


def test_every_shown_result_comes_from_the_record(tmp_path: Path) -> None:
    env = FakeEnv(reject=["Back"])
    replies = [TAP, "✿FUNCTION✿: Back\n✿ARGS✿: {}", "✿FUNCTION✿: Bogus\n✿ARGS✿: {}", "oops ✿ARGS✿: {}", HOME]
    model = ScriptedModel(replies)
    run_episode(env, QwenPolicy(model, env.action_space), "t", LoopConfig(max_steps=5), [TrajectoryRecorder(tmp_path)])
    steps = read_steps(tmp_path)
    final_prompt = render_text(model.seen[-1])
    for step in steps[:-1]:
        for call in step.calls:
            assert f"✿RESULT✿: {call.result}" in final_prompt


# ---------------------------------------------------------------- bad text, big text


def test_a_lone_surrogate_in_a_reply_does_not_lose_the_step(tmp_path: Path) -> None:
    env = FakeEnv()
    model = ScriptedModel(["bad \ud800 text\n" + HOME, "the end \udcff"])
    result = run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    assert result.status == "answered"
    steps = read_steps(tmp_path)
    assert len(steps) == 2
    assert steps[0].raw_text.startswith("bad ")
    json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))


def test_a_huge_reply_is_refused_quickly_and_recorded_capped(tmp_path: Path) -> None:
    huge = "x" * (5 * 1024 * 1024)
    env = FakeEnv()
    model = ScriptedModel([huge, huge, HOME])
    started = time.monotonic()
    run_episode(env, QwenPolicy(model, env.action_space), "t", LoopConfig(max_steps=3), [TrajectoryRecorder(tmp_path)])
    assert time.monotonic() - started < 30  # generous: the point is seconds, not minutes
    steps = read_steps(tmp_path)
    assert "too long" in steps[0].parse_error
    assert len(steps[0].raw_text) <= MAX_REPLY_CHARS + 200
    assert (tmp_path / "steps.jsonl").stat().st_size < 1_000_000
    assert len(render_text(model.seen[-1])) < 3 * MAX_REPLY_CHARS


@pytest.mark.parametrize(
    "reply",
    [
        '✿FUNCTION✿: Type ✿ARGS✿: {"text": "a' + " " * 40_000 + 'b"}',
        "✿FUNCTION✿: Type ✿ARGS✿: " + " " * 30_000 + "x",
        "*" * 15_000 + " " * 15_000,
        "✿" * 15_000 + " " * 15_000 + "x",
        "`" * 30_000,
        "(" * 15_000 + "=" * 15_000,
        '{"' * 10_000,
    ],
)
def test_pathological_replies_parse_in_linear_time(reply: str) -> None:
    started = time.monotonic()
    with contextlib.suppress(ParseError):
        parse_reply(reply)
    assert time.monotonic() - started < 1.0  # quadratic regexes took 6-10 s on the first of these


def test_the_live_view_shows_a_cut_off_reply_and_the_fault() -> None:
    import io

    from qwen2vl_agent.agent.console import ConsoleView

    out = io.StringIO()
    env = FakeEnv(fail_on=["Home"])
    model = _Cut(["Going home.\n" + HOME])
    run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[ConsoleView(out)])
    text = out.getvalue()
    assert "cut off at the token limit" in text
    assert "fault: EnvError: fake failure while executing Home" in text


def test_the_report_shows_the_fault_and_a_cut_off_reply(tmp_path: Path) -> None:
    env = FakeEnv(fail_on=["Home"])
    model = _Cut(["Going home.\n" + HOME])
    run_episode(env, QwenPolicy(model, env.action_space), "t", hooks=[TrajectoryRecorder(tmp_path)])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "cut off at the token limit" in html
    assert "Fault:</b> EnvError: fake failure while executing Home" in html
