"""wait_for: the one poll loop (ask, sleep, ask again until an answer or the deadline), on a fake clock."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.poll import wait_for


class Clock:
    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def test_the_first_answer_is_returned_without_sleeping() -> None:
    clock = Clock()
    assert wait_for(lambda: "ready", 5.0, 0.5, clock=clock, sleep=clock.sleep) == "ready"
    assert clock.sleeps == []


def test_none_means_not_yet_and_the_wait_ends_at_the_answer() -> None:
    clock, answers = Clock(), iter([None, None, 7])
    assert wait_for(lambda: next(answers), 5.0, 0.5, clock=clock, sleep=clock.sleep) == 7
    assert clock.sleeps == [0.5, 0.5]


@pytest.mark.parametrize("timeout", [0.0, 1.0, 1.2])
def test_a_timeout_is_none_after_one_last_look_past_the_deadline(timeout: float) -> None:
    clock, looked = Clock(), []
    assert wait_for(lambda: looked.append(clock.now), timeout, 0.5, clock=clock, sleep=clock.sleep) is None
    assert looked[0] == 0.0 and looked[-1] >= timeout and all(t < timeout for t in looked[:-1])


def test_a_false_answer_is_an_answer() -> None:
    clock = Clock()
    assert wait_for(lambda: False, 5.0, clock=clock, sleep=clock.sleep) is False
