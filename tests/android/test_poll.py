"""wait_for: the one poll loop (ask, sleep, ask again until an answer or the deadline), on a fake clock."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.poll import wait_for


def test_the_first_answer_is_returned_without_sleeping(helpers) -> None:
    clock = helpers.FakeClock()
    assert wait_for(lambda: "ready", 5.0, 0.5, clock=clock, sleep=clock.sleep) == "ready"
    assert clock.sleeps == []


def test_none_means_not_yet_and_the_wait_ends_at_the_answer(helpers) -> None:
    clock, answers = helpers.FakeClock(), iter([None, None, 7])
    assert wait_for(lambda: next(answers), 5.0, 0.5, clock=clock, sleep=clock.sleep) == 7
    assert clock.sleeps == [0.5, 0.5]


@pytest.mark.parametrize("timeout", [0.0, 1.0, 1.2])
def test_a_timeout_is_none_after_one_last_look_past_the_deadline(timeout: float, helpers) -> None:
    clock, looked = helpers.FakeClock(), []
    assert wait_for(lambda: looked.append(clock.now), timeout, 0.5, clock=clock, sleep=clock.sleep) is None
    assert looked[0] == 0.0 and looked[-1] >= timeout and all(t < timeout for t in looked[:-1])


def test_a_false_answer_is_an_answer(helpers) -> None:
    clock = helpers.FakeClock()
    assert wait_for(lambda: False, 5.0, clock=clock, sleep=clock.sleep) is False
