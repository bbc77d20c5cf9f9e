"""The loop end to end on fakes: how episodes end, and what the model is told along the way."""

from __future__ import annotations

import pytest

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ModelFailed, ScriptedModel
from qwen2vl_agent.tools import Answer, Tap, Terminate, Type

HOME = "✿FUNCTION✿: Home\n✿ARGS✿: {}"
TAP_CENTRE = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}'
DONE = 'Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'


def run(replies: list[str], env: FakeEnv | None = None, **config):
    env = env or FakeEnv()
    model = ScriptedModel(replies)
    result = run_episode(env, QwenPolicy(model, env.action_space), "do it", LoopConfig(**config))
    return result, env, model


def last_prompt(model: ScriptedModel) -> str:
    return render_text(model.seen[-1])


def test_terminate_success_maps_points_and_executes() -> None:
    result, env, _ = run(["Tap the middle.\n" + TAP_CENTRE, 'Type.\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "hi"}', DONE])
    assert (result.status, result.steps) == ("success", 3)
    assert result.declared_done
    assert env.executed == [Tap(point=(540, 1200)), Type(text="hi")]  # 1080x2400 screen, rel1000 points
    assert Terminate not in {type(a) for a in env.executed}


def test_terminate_failure() -> None:
    result, _, _ = run(['✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "failure"}'])
    assert (result.status, result.declared_done) == ("failure", False)


def test_final_answer_without_a_call_ends_the_episode() -> None:
    result, env, _ = run([HOME, "The alarm is set for 7:00."])
    assert (result.status, result.answer, result.steps) == ("answered", "The alarm is set for 7:00.", 2)
    assert result.declared_done


def test_answer_is_recorded_and_never_sent_to_the_env() -> None:
    result, env, model = run(['✿FUNCTION✿: Answer\n✿ARGS✿: {"text": "3"}', DONE])
    assert result.answer == "3"
    assert not any(isinstance(a, Answer) for a in env.executed)
    assert "✿RESULT✿: Answer recorded." in last_prompt(model)


def test_max_steps() -> None:
    result, env, _ = run([HOME, TAP_CENTRE, HOME, TAP_CENTRE], max_steps=3)
    assert (result.status, result.steps, len(env.executed)) == ("max_steps", 3, 3)


def test_parse_error_goes_back_to_the_model_and_it_recovers() -> None:
    result, env, model = run(["✿FUNCTION✿: Tapp\n✿ARGS✿: {}", DONE])
    assert result.status == "success"
    prompt = last_prompt(model)
    assert '✿FUNCTION✿: Tapp\n✿ARGS✿: {}\n✿RESULT✿: Error: Unknown tool "Tapp"' in prompt
    assert env.executed == []


def test_failed_action_goes_back_to_the_model() -> None:
    result, env, model = run([HOME, DONE], env=FakeEnv(reject=["Home"]))
    assert result.status == "success"
    assert "✿RESULT✿: Error: Home cannot be done on this screen" in last_prompt(model)


def test_point_off_screen_is_a_model_error_not_a_crash() -> None:
    result, env, model = run(['✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [1500, 10]}', DONE])
    assert result.status == "success"
    assert "The point [1500, 10] is outside the screen" in last_prompt(model)
    assert env.executed == []


def test_too_many_consecutive_errors_end_the_episode() -> None:
    result, _, _ = run(["✿FUNCTION✿: X\n✿ARGS✿: {}"] * 5, max_consecutive_errors=3)
    assert (result.status, result.steps) == ("model_errors", 3)


def test_errors_reset_after_a_good_step() -> None:
    bad = "✿FUNCTION✿: X\n✿ARGS✿: {}"
    result, _, _ = run([bad, bad, HOME, bad, bad, DONE], max_consecutive_errors=3)
    assert result.status == "success"


def test_no_progress_is_reported_then_stops() -> None:
    result, env, model = run([TAP_CENTRE] * 10, env=FakeEnv(static=True), repeat_warn=3, repeat_stop=5)
    assert (result.status, result.steps) == ("stuck", 5)
    assert "the same action 3 times in a row" in render_text(model.seen[3])
    assert "the same action" not in render_text(model.seen[2])


def test_changing_screen_is_progress() -> None:
    result, _, _ = run([TAP_CENTRE] * 4 + [DONE], repeat_warn=2, repeat_stop=3)
    assert result.status == "success"


def test_a_second_call_after_a_failure_is_skipped() -> None:
    reply = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [2000, 1]}\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "x"}'
    result, env, model = run([reply, DONE])
    assert env.executed == []
    assert "Not executed, because an earlier call of this reply failed." in last_prompt(model)


def test_infrastructure_errors_stop_the_run_with_a_message() -> None:
    result, _, _ = run([HOME, DONE], env=FakeEnv(fail_on=["Home"]))
    assert result.status == "error"
    assert "fake failure while executing Home" in result.reason


def test_model_failure_stops_the_run() -> None:
    result, _, _ = run([HOME])  # the script runs out: the model "crashes"
    assert (result.status, result.steps) == ("error", 2)  # the step in flight counts: it is on record
    assert ModelFailed.__name__ in result.reason


def test_the_model_sees_the_new_screenshot_after_each_action() -> None:
    env = FakeEnv()
    _, _, model = run([HOME, HOME, DONE], env=env)
    images = [p.image for p in model.seen[2][1].content if hasattr(p, "image")]
    assert images == env.screens[:3]


@pytest.mark.parametrize("steps", [1, 2])
def test_hooks_see_every_step(steps: int) -> None:
    seen = []

    class Hook:
        def on_start(self, task, observation):
            seen.append("start")

        def on_step(self, step, observation):
            seen.append(step.index)

        def on_end(self, result, observation):
            seen.append(result.status)

    env = FakeEnv()
    run_episode(env, QwenPolicy(ScriptedModel([HOME] * (steps - 1) + [DONE]), env.action_space), "t", hooks=[Hook()])
    assert seen == ["start", *range(steps), "success"]


def test_empty_reply_is_an_error_shown_without_a_fake_call() -> None:
    result, _, model = run(["\n\n\n", DONE])
    assert result.status == "success"
    prompt = last_prompt(model)
    assert "\n✿RESULT✿: Error: Your reply was empty." in prompt
    assert "✿FUNCTION✿: \n" not in prompt


def test_each_screenshot_is_fingerprinted_once(monkeypatch) -> None:
    """The screen after step n is the screen before step n+1: progress detection digests it once."""
    from qwen2vl_agent.envs import screen

    real, seen = screen.fingerprint, []
    monkeypatch.setattr(screen, "fingerprint", lambda image: seen.append(id(image)) or real(image))
    result, _, _ = run([TAP_CENTRE] * 4 + [DONE])
    assert result.status == "success"
    assert len(seen) == len(set(seen)) == 5  # the first screen and the one after each of the four taps
