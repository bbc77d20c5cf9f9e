"""The bounded retry wrapper and the settle-wait helper, with scripted failures and a fake clock."""

from __future__ import annotations

import numpy as np
import pytest

from qwen2vl_agent.envs import DeviceLost, EnvError
from qwen2vl_agent.envs.android import AdbDeviceLost, FakeAdb, RetryingTransport, RetryPolicy, ShellResult
from qwen2vl_agent.envs.android.settle import SettlePolicy, changed_fraction, wait_for_quiet, wait_until_settled


def scripted(*answers):
    """A handler returning (or raising) the given answers in order."""
    queue = list(answers)

    def handler(argv):
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


POLICY = RetryPolicy(attempts=3, backoff_s=0.1, max_backoff_s=0.15)


def retrying(*answers, policy=POLICY):
    sleeps: list[float] = []
    fake = FakeAdb(scripted(*answers))
    return RetryingTransport(fake, policy, sleep=sleeps.append), fake, sleeps


def test_transient_failures_are_retried_with_backoff():
    transport, fake, sleeps = retrying(AdbDeviceLost("offline"), AdbDeviceLost("offline"), "ok")
    assert transport.shell(("wm", "size"), timeout=1).out == "ok"
    assert len(fake.calls) == 3 and sleeps == [0.1, 0.15]


def test_retries_are_bounded():
    transport, fake, sleeps = retrying(*[AdbDeviceLost("not found")] * 5)
    with pytest.raises(DeviceLost, match="not found"):
        transport.shell(("wm", "size"), timeout=1)
    assert len(fake.calls) == 3 and len(sleeps) == 2


def test_an_action_that_may_have_run_is_not_repeated():
    transport, fake, _ = retrying(AdbDeviceLost("reset", may_have_run=True), "ok")
    with pytest.raises(AdbDeviceLost):
        transport.shell(("input", "tap", "1", "2"), timeout=1, idempotent=False)
    assert len(fake.calls) == 1


def test_an_action_that_never_reached_the_device_is_retried():
    transport, fake, _ = retrying(AdbDeviceLost("refused", may_have_run=False), "")
    transport.shell(("input", "tap", "1", "2"), timeout=1, idempotent=False)
    assert len(fake.calls) == 2


def test_a_timeout_is_not_retried():
    transport, fake, _ = retrying(AdbDeviceLost("did not answer", transient=False, may_have_run=True), "ok")
    with pytest.raises(AdbDeviceLost, match="did not answer"):
        transport.shell(("screencap",), timeout=1)
    assert len(fake.calls) == 1


def test_other_env_errors_pass_through_unretried():
    transport, fake, _ = retrying(EnvError("unauthorized"), "ok")
    with pytest.raises(EnvError, match="unauthorized"):
        transport.shell(("wm", "size"), timeout=1)
    assert len(fake.calls) == 1


def test_invalid_policy():
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


def test_results_pass_through_unchanged():
    result = ShellResult(b"x", b"y", 3)
    transport, _, _ = retrying(result)
    assert transport.shell(("true",), timeout=1) is result


def frames(*values, cost=0.1, clock=None):
    """A grab function returning 8x8 frames filled with ``values`` (the last one repeats)."""
    queue = list(values)

    def grab():
        clock.now += cost
        value = queue.pop(0) if len(queue) > 1 else queue[0]
        return np.full((8, 8, 3), value, np.uint8)

    return grab


def test_settles_after_consecutive_equal_frames(helpers):
    clock = helpers.FakeClock()
    result = wait_until_settled(frames(1, 2, 3, 3, 3, cost=0.1, clock=clock), SettlePolicy(timeout_s=5, interval_s=0.05, stable_frames=2),
                                clock=clock, sleep=clock.sleep)  # fmt: skip
    assert result.settled and result.frames == 5
    assert result.waited_s == pytest.approx(5 * 0.1 + 4 * 0.05)


def test_gives_up_at_the_timeout(helpers):
    clock = helpers.FakeClock()
    changing = iter(range(1000))
    grab = lambda: (setattr(clock, "now", clock.now + 0.1), np.full((4, 4), next(changing) % 256, np.uint8))[1]
    result = wait_until_settled(grab, SettlePolicy(timeout_s=1.0, interval_s=0.0), clock=clock, sleep=clock.sleep)
    assert not result.settled and 1.0 <= result.waited_s <= 1.2


def test_tolerance_ignores_a_blinking_cursor(helpers):
    a = np.zeros((100, 100, 3), np.uint8)
    b = a.copy()
    b[10, 10] = 255  # one sampled pixel of 10 000
    assert changed_fraction(a, b) == pytest.approx(1e-4)
    assert changed_fraction(a, np.zeros((100, 99, 3), np.uint8)) == 1.0
    clock = helpers.FakeClock()
    grab_values = [a, b, a, b, a]
    grab = lambda: grab_values.pop(0) if len(grab_values) > 1 else grab_values[0]
    assert wait_until_settled(grab, SettlePolicy(tolerance=0.001), clock=clock, sleep=clock.sleep).settled


def test_frame_timestamps_settle_when_no_new_frame_came_for_quiet_s(helpers):
    clock = helpers.FakeClock()
    stamps = iter([5, 6, 7, 7])  # an animation presenting frames, then none for quiet_s
    grabbed = []
    result, seen = wait_for_quiet(lambda: next(stamps), 4, lambda: grabbed.append(1), SettlePolicy(quiet_s=0.05),
                                  clock=clock, sleep=clock.sleep)  # fmt: skip
    assert result.settled and result.probes == 4 and result.signal == "timestamps" and seen == 7
    assert grabbed == [1] and result.waited_s == pytest.approx(3 * 0.05)


def test_frame_timestamps_on_a_static_screen_cost_one_probe_and_give_up_at_the_timeout(helpers):
    clock = helpers.FakeClock()
    result, _ = wait_for_quiet(lambda: 9, 9, lambda: None, SettlePolicy(), clock=clock, sleep=clock.sleep)
    assert result.settled and result.probes == 1 and result.waited_s == 0
    stamps = iter(range(10**6))
    result, _ = wait_for_quiet(lambda: next(stamps), None, lambda: None, SettlePolicy(timeout_s=1.0, quiet_s=0.1),
                               clock=clock, sleep=clock.sleep)  # fmt: skip
    assert not result.settled and 1.0 <= result.waited_s <= 1.1
    assert wait_for_quiet(lambda: None, None, lambda: None, SettlePolicy()) is None  # no timestamps: fall back


def test_speculating_a_screen_that_changed_once_grabs_inside_the_quiet_window(helpers):
    clock = helpers.FakeClock()
    stamps, grabbed = iter([5, 5]), []
    grab = lambda: (clock.sleep(0.01), grabbed.append(clock.now))  # a capture of 10 ms
    result, seen = wait_for_quiet(lambda: next(stamps), 4, grab, SettlePolicy(quiet_s=0.05), clock=clock,
                                  sleep=clock.sleep, speculate=True)  # fmt: skip
    assert result.settled and result.probes == 2 and result.frames == 1 and seen == 5
    assert len(grabbed) == 1 and result.waited_s == pytest.approx(0.05)  # the window, not the window + a grab


def test_speculation_drops_its_grab_when_frames_keep_coming(helpers):
    clock = helpers.FakeClock()
    stamps, grabbed = iter([5, 6, 7, 7]), []
    grab = lambda: (clock.sleep(0.01), grabbed.append(clock.now))
    result, seen = wait_for_quiet(lambda: next(stamps), 4, grab, SettlePolicy(quiet_s=0.05), clock=clock,
                                  sleep=clock.sleep, speculate=True)  # fmt: skip
    assert result.settled and result.probes == 4 and result.frames == 2 and seen == 7
    assert grabbed[-1] == pytest.approx(result.waited_s)  # the frame handed out was grabbed after the quiet window


@pytest.mark.parametrize(("cost", "speculated"), [(0.0, True), (0.03, False)])  # under / over half of quiet_s
def test_the_settle_wait_speculates_once_it_knows_its_grabs_are_short(cost: float, speculated: bool):
    import time

    from qwen2vl_agent.envs.android.settle import SettleWait

    stamps, events = iter([1, 1, 2, 2]), []
    grab = lambda: (time.sleep(cost), events.append("grab"))
    probe = lambda: (events.append("probe"), next(stamps))[1]
    wait = SettleWait(SettlePolicy(quiet_s=0.05), grab, probe)
    first, _ = wait.wait()  # nothing known of the grabs yet: grab after the quiet window
    assert first.settled and events == ["probe", "probe", "grab"]
    events.clear()
    second, _ = wait.wait()
    assert second.settled and second.probes == 2 and second.frames == 1
    assert events == (["probe", "grab", "probe"] if speculated else ["probe", "probe", "grab"])


def counting_wait(counts, stamps=None):
    """A ``SettleWait`` over scripted page-flip counts (and timestamps), whose grabs are numbered frames."""
    from qwen2vl_agent.envs.android.settle import SettleWait

    counts, stamps, grabs = iter(counts), iter(stamps or []), []

    def grab():
        grabs.append(len(grabs) + 1)
        return grabs[-1]

    wait = SettleWait(SettlePolicy(quiet_s=0.01), grab, lambda: next(stamps), page_flips=lambda: next(counts))
    return wait, grabs


def test_an_unchanged_page_flip_count_ends_the_wait_on_the_kept_frame_with_no_grab():
    wait, grabs = counting_wait([6, 7, 7, 7, 9, 9])
    first, frame = wait.wait()  # nothing kept yet: wait for a quiet count (it moved: 6, 7, 7), then grab
    assert (first.signal, first.frames, frame, grabs) == ("page_flips", 1, 1, [1])
    second, frame = wait.wait()  # the count has not moved since frame 1 was grabbed: it is the screen
    assert (second.settled, second.frames, second.probes, frame, grabs) == (True, 0, 1, 1, [1])
    third, frame = wait.wait()  # frames were composed: a new grab
    assert third.settled and third.frames == 1 and frame == 2 and grabs == [1, 2]


def test_a_frame_composed_while_the_kept_one_was_grabbed_is_never_served_stale():
    """The count is read before each grab, so a frame composed between the read and the grab (or after it)
    shows as a changed count at the next wait, which then grabs afresh."""
    wait, grabs = counting_wait([2, 3, 3, 4, 4])  # the count read before frame 1 was 3; the screen changed since
    wait.wait()
    settled, frame = wait.wait()
    assert frame == 2 and settled.frames == 1 and grabs == [1, 2]


def test_a_device_without_a_page_flip_count_reads_timestamps_and_always_grabs():
    wait, grabs = counting_wait([None], stamps=[5, 5, 5, 5])
    first, _ = wait.wait()
    assert first.signal == "timestamps" and grabs == [1]
    second, frame = wait.wait()  # timestamps need not cover every window: a static screen still costs a grab
    assert (second.signal, second.frames, frame) == ("timestamps", 1, 2)  # and the count was asked only once


def test_forget_drops_the_kept_frame():
    wait, grabs = counting_wait([1, 1, 1, 1])
    wait.wait()
    wait.forget()  # e.g. a reset: the screen may have changed behind the wait's back
    _, frame = wait.wait()
    assert frame == 2


def test_a_count_never_seen_to_move_never_stands_for_the_screen():
    """A reply that stays the same whatever the screen does (a transaction some release answers otherwise)
    costs a grab per wait, as timestamps do: the kept frame is reused only once the count has moved."""
    wait, grabs = counting_wait([5, 5, 5, 5, 5])
    wait.wait()
    settled, frame = wait.wait()
    assert (settled.signal, settled.frames, frame, grabs) == ("page_flips", 1, 2, [1, 2])
    assert not wait.count_moves
