"""Pieces of the benchmark in isolation: the summary's numbers, the results file, the oracle's replies,
and how the runner scores instances that fail or are not declared done."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from PIL import Image

from qwen2vl_agent.agent import exit_codes
from qwen2vl_agent.agent.bench import (
    BenchRunner,
    EpisodeRecord,
    Instance,
    OracleModel,
    RandomModel,
    ResultsFile,
    RunMismatch,
    RunReport,
    render,
    run_instance,
    summarize,
)
from qwen2vl_agent.agent.bench import runner as runner_module
from qwen2vl_agent.agent.bench.policies import PolicySource
from qwen2vl_agent.agent.cli import main as cli_main
from qwen2vl_agent.agent.commands import bench as bench_command
from qwen2vl_agent.agent.parser import parse_reply
from qwen2vl_agent.envs.tasks import Finish, Launch, Selector, TapOn, Task, TaskDevice, TaskDeviceError, TypeText
from qwen2vl_agent.model import Message, ModelFailed, ModelUnavailable
from qwen2vl_agent.model.base import ImagePart
from qwen2vl_agent.tools import MOBILE_ACTIONS, Frame, OpenApp, Swipe, Tap, Terminate, Type, to_screen


def _record(
    task: str, instance: int, difficulty: str, success: float | None, steps: int, seconds: float, **kw
) -> EpisodeRecord:
    return EpisodeRecord(
        task=task, instance=instance, seed=instance, goal="g", difficulty=difficulty, complexity=1.0, max_steps=10,
        success=success, steps=steps, duration_s=seconds, **kw,
    )  # fmt: skip


def test_summary_numbers_by_task_and_difficulty():
    records = [
        _record("A", 0, "easy", 1.0, 4, 2.0), _record("A", 1, "easy", 0.0, 6, 4.0),
        _record("B", 0, "hard", 0.5, 10, 10.0), _record("B", 1, "hard", 0.0, 0, 1.0, teardown_error="boom"),
    ]  # fmt: skip
    summary = summarize(records, "oracle", wall_s=3.0)
    a, b = summary.by_task
    assert (a.name, a.episodes, a.success_rate, a.mean_steps, a.seconds_per_step, a.errors) == (
        "A",
        2,
        0.5,
        5.0,
        0.6,
        0,
    )
    assert (b.success_rate, b.mean_steps, b.seconds_per_step, b.errors) == (0.25, 5.0, 1.1, 0)  # scored anyway
    assert [r.name for r in summary.by_difficulty] == ["easy", "hard"]
    assert summary.overall.success_rate == 1.5 / 4 and summary.overall.episodes == 4
    text = render(summary)
    assert "| A | easy | 2 | 50.0% | 5.0 | 0.60 | 0 |" in text
    assert "| all | 4 | 37.5% | 5.0 | 0.85 | 0 |" in text


def test_results_file_skips_torn_lines_and_keeps_the_latest(tmp_path):
    results = ResultsFile(tmp_path)
    results.append(_record("A", 0, "easy", 0.0, 1, 1.0))
    results.append(_record("A", 0, "easy", 1.0, 1, 1.0))
    with open(results.path, "a", encoding="utf-8") as f:
        f.write('{"task": "A", "instance": 1, "se')  # a run killed mid-write
    assert [(r.key, r.success) for r in results.read()] == [(("A", 0), 1.0)]
    results.append(_record("B", 0, "easy", 1.0, 1, 1.0))  # the resumed run's first record, after the torn line
    assert [(r.key, r.success) for r in results.read()] == [(("A", 0), 1.0), (("B", 0), 1.0)]
    results.claim({"seed": 1})
    results.claim({"seed": 1})
    with pytest.raises(RunMismatch, match="seed: 1 -> 2"):
        results.claim({"seed": 2})


# ---------------------------------------------------------------- the oracle

XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">
<node text="" resource-id="" class="android.widget.FrameLayout" package="p" content-desc="" clickable="false" bounds="[0,0][1080,2400]">
<node text="" resource-id="p:id/list" class="androidx.recyclerview.widget.RecyclerView" package="p" content-desc="" clickable="false" scrollable="true" bounds="[0,200][1080,2000]">
<node text="Wi-Fi" resource-id="p:id/title" class="android.widget.TextView" package="p" content-desc="" clickable="true" bounds="[100,300][600,400]" />
</node></node></hierarchy>"""


def _conversation(size: tuple[int, int] = (540, 1200)) -> list[Message]:
    return [Message("user", (ImagePart(Image.new("RGB", size)),))]


def _act(model, size=(540, 1200)):
    reply = parse_reply(model.generate(_conversation(size), stop=("✿RESULT✿",)).text, MOBILE_ACTIONS)
    assert len(reply.calls) == 1
    return reply.calls[0].action


def test_oracle_replies_are_model_replies_that_land_on_the_element():
    plan = [Launch(app="Settings"), TapOn(target=Selector(text="Wi-Fi")), TypeText(text="Zoë ☕"), Finish()]
    oracle = OracleModel(plan, lambda: XML)
    assert _act(oracle) == OpenApp(name="Settings")
    tap = _act(oracle)  # a screenshot at half the display size: the point is still the element's centre
    assert isinstance(tap, Tap)
    x, y = to_screen(tap.point, Frame(screen=(540, 1200), model_image=(540, 1200)))
    assert abs(x - 175) <= 1 and abs(y - 175) <= 1
    assert _act(oracle) == Type(text="Zoë ☕")
    assert _act(oracle) == Terminate(status="success")
    assert _act(oracle) == Terminate(status="failure")  # past the end of the plan


def test_oracle_scrolls_when_told_and_gives_up_otherwise():
    scrolling = OracleModel([TapOn(target=Selector(text="Bluetooth"), scroll="down", max_swipes=2)], lambda: XML)
    first, second = _act(scrolling), _act(scrolling)
    assert isinstance(first, Swipe) and first == second and first.start[1] > first.end[1]  # finger moves up
    assert _act(scrolling) == Terminate(status="failure")
    blind = OracleModel([TapOn(target=Selector(text="Bluetooth"))], lambda: XML)
    generation = blind.generate(_conversation())
    assert "cannot find" in generation.text and "Terminate" in generation.text
    with pytest.raises(ModelFailed, match="one episode"):
        blind.generate_batch([_conversation(), _conversation()])


def test_random_model_is_seeded_and_parseable():
    a, b = RandomModel(seed=5), RandomModel(seed=5)
    texts = [a.generate(_conversation()).text for _ in range(50)]
    assert texts == [b.generate(_conversation()).text for _ in range(50)]
    kinds = {type(parse_reply(t, MOBILE_ACTIONS).calls[0].action).__name__ for t in texts}
    assert {"Tap", "Swipe", "Terminate"} <= kinds


class _ClosableModel(RandomModel):
    """A stand-in for a backend that holds resources (an HTTP client, threads) until ``close()``."""

    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("spec", "parallel"), [("openai:http://127.0.0.1:9/v1#m", 4), ("a/checkpoint", 4), ("a/checkpoint", 1)]
)
def test_closing_the_policy_source_closes_the_shared_model(monkeypatch, spec, parallel):
    model = _ClosableModel()
    monkeypatch.setattr("qwen2vl_agent.agent.factory.load_model", lambda spec, **overrides: model)
    source = PolicySource("model", spec, parallel=parallel)
    assert source.shared is not None
    source.close()
    assert model.closed


# ---------------------------------------------------------------- the runner's scoring


class _AlwaysMet(Task):
    """A task whose goal is met from the start: only the agent's own declaration may count."""

    name = "TestAlwaysMet"
    template = "Do nothing ({word})."

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"word": rng.choice(("a", "b"))}

    def check(self, device, answer):
        return True

    def plan(self):
        return [Finish(status="failure")]


class _BrokenSetup(_AlwaysMet):
    name = "TestBrokenSetup"

    def prepare(self, device):
        device.shell("no-such-tool")


def test_success_counts_only_when_the_agent_declares_done(bench_phone, small_config):
    config = small_config()
    record = run_instance(bench_phone, Instance(_AlwaysMet, 0, 1), PolicySource("oracle"), config)
    assert (record.status, record.declared_done, record.success, record.exception) == ("failure", False, 0.0, None)
    assert record.outcome == "scored"
    assert (config.out / record.trajectory / "steps.jsonl").exists()


def test_a_device_fault_is_an_error_not_a_failed_score(bench_phone, small_config):
    record = run_instance(bench_phone, Instance(_BrokenSetup, 0, 1), PolicySource("oracle"), small_config())
    assert (record.outcome, record.error_kind, record.success, record.status) == ("error", "infrastructure", None, None)
    assert "TaskDeviceError" in record.exception and "no-such-tool" in record.exception
    assert EpisodeRecord.model_validate_json(record.model_dump_json()) == record


class _BuggyCheck(_AlwaysMet):
    """A checker with a bug in it (our code, not the agent's doing)."""

    name = "TestBuggyCheck"

    def check(self, device, answer):
        return {}["missing"]

    def plan(self):
        return [Finish()]


def test_our_own_exception_is_an_internal_error_with_its_place(bench_phone, small_config):
    record = run_instance(bench_phone, Instance(_BuggyCheck, 0, 1), PolicySource("oracle"), small_config())
    assert (record.outcome, record.error_kind, record.success) == ("error", "internal", None)
    assert record.status == "success"  # the agent's own verdict is kept, but not scored
    assert record.exception.startswith("KeyError: 'missing'") and "test_units.py" in record.exception


def test_records_without_an_outcome_read_as_before():
    """Lines written before outcomes existed: an episode that never ran or ended in a fault is an error."""
    base = {"task": "A", "instance": 0, "seed": 0, "goal": "g", "difficulty": "easy", "complexity": 1.0,
            "max_steps": 10}  # fmt: skip
    scored = EpisodeRecord.model_validate({**base, "success": 0.0, "status": "failure"})
    fault = EpisodeRecord.model_validate({**base, "success": 0.0, "status": "error", "reason": "DeviceLost: x"})
    never = EpisodeRecord.model_validate({**base, "success": 0.0, "exception": "TaskDeviceError: y"})
    assert (scored.outcome, scored.success) == ("scored", 0.0)
    assert [(r.outcome, r.success) for r in (fault, never)] == [("error", None), ("error", None)]
    with pytest.raises(ValueError, match="score"):
        EpisodeRecord.model_validate({**base, "status": "failure"})  # scored without a score


def test_summary_leaves_errors_and_missing_instances_out_of_the_rate():
    records = [
        _record("A", 0, "easy", 1.0, 4, 2.0), _record("A", 1, "easy", 0.0, 6, 4.0),
        _record("A", 2, "easy", None, 3, 9.0, outcome="error", error_kind="infrastructure", exception="x"),
        _record("B", 0, "hard", None, 0, 1.0, outcome="error", error_kind="internal", exception="y"),
    ]  # fmt: skip
    summary = summarize(records, "oracle", selected=6)
    a, b = summary.by_task
    assert (a.episodes, a.errors, a.success_rate, a.mean_steps, a.seconds_per_step) == (2, 1, 0.5, 5.0, 0.6)
    assert (b.episodes, b.errors, b.success_rate) == (0, 1, 0.0)
    assert (summary.overall.episodes, summary.overall.errors, summary.overall.success_rate) == (2, 2, 0.5)
    assert (summary.selected, summary.missing) == (6, 2)
    text = render(summary)
    assert "| all | 2 | 50.0% | 5.0 | 0.60 | 2 |" in text
    assert "2 errors (not scored)" in text and "2 not run yet" in text


class _FlakySetup(_AlwaysMet):
    """Setup fails (a device fault) on the first ``fail`` attempts, then the task runs normally."""

    name = "TestFlakySetup"
    fail = 1
    attempts = 0

    def prepare(self, device):
        type(self).attempts += 1
        if type(self).attempts <= self.fail:
            raise TaskDeviceError("the phone went away")

    def plan(self):
        return [Finish()]


@pytest.mark.parametrize(("fail", "outcome", "attempts"), [(1, "scored", 2), (5, "error", 3)])
def test_runner_retries_faults_on_a_fresh_phone(monkeypatch, small_config, fail, outcome, attempts):
    flaky = type("TestFlaky", (_FlakySetup,), {"name": "TestFlaky", "fail": fail, "attempts": 0})
    monkeypatch.setattr(runner_module, "plan_instances", lambda config: [Instance(flaky, 0, 7)])
    config = small_config(retries=2)
    report = BenchRunner(config).run()
    (record,) = report.records
    assert (record.outcome, record.attempts) == (outcome, attempts)
    assert report.summary.overall.errors == (outcome == "error")
    assert bench_command.exit_code(report) == (exit_codes.DONE if outcome == "scored" else exit_codes.FAULT)
    if outcome == "error":  # resuming runs the error again (and only that)
        flaky.fail = 0
        again = BenchRunner(config).run()
        assert (again.ran, again.skipped, again.records[0].outcome) == (1, 0, "scored")
        assert bench_command.exit_code(again) == exit_codes.DONE


def test_an_internal_error_is_not_retried(monkeypatch, small_config):
    monkeypatch.setattr(runner_module, "plan_instances", lambda config: [Instance(_BuggyCheck, 0, 7)])
    report = BenchRunner(small_config(retries=2)).run()
    assert [(r.outcome, r.error_kind, r.attempts) for r in report.records] == [("error", "internal", 1)]


def test_the_selection_is_part_of_a_run_directory(small_config, tmp_path):
    one = small_config(tasks=("SystemWifi",))
    ResultsFile(one.out).claim(one.identity())
    ResultsFile(one.out).claim(small_config(tasks=("SystemWifi",)).identity())  # resuming it is fine
    for other in (small_config(tasks=("SystemWifi", "SystemBluetooth")), small_config(tasks=("SystemWifi",),
                                                                                       combinations=2)):  # fmt: skip
        with pytest.raises(RunMismatch, match="selection"):
            ResultsFile(one.out).claim(other.identity())


def test_the_default_run_directory_names_the_selection():
    plain = bench_command.default_out("oracle", None, "default", 0, (), 1)
    narrowed = bench_command.default_out("oracle", None, "default", 0, ("SystemWifi",), 1)
    same = bench_command.default_out("oracle", None, "default", 0, ("SystemWi*",), 1)
    wider = bench_command.default_out("oracle", None, "default", 0, ("SystemWifi",), 3)
    assert plain.name == "oracle-default-s0"
    assert len({plain, narrowed, wider}) == 3 and same == narrowed
    assert narrowed.name.startswith("oracle-default-s0-")


def test_exit_codes_of_a_benchmark_run():
    def report(records, selected, interrupted=False):
        return RunReport(summarize(records, selected=selected), records, len(records), 0, 1.0, interrupted)

    ok = _record("A", 0, "easy", 1.0, 1, 1.0)
    failed = _record("A", 1, "easy", 0.0, 1, 1.0)
    fault = _record("A", 2, "easy", None, 1, 1.0, outcome="error", error_kind="infrastructure", exception="x")
    assert bench_command.exit_code(report([ok, failed], 2)) == exit_codes.DONE  # a failed task is still scored
    assert bench_command.exit_code(report([ok, fault], 2)) == exit_codes.FAULT
    assert bench_command.exit_code(report([ok], 2)) == exit_codes.FAULT  # an instance never ran
    assert bench_command.exit_code(report([ok], 2, interrupted=True)) == exit_codes.INTERRUPTED


def test_bench_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        cli_main(["bench", "--help"])
    assert exit_codes.DESCRIPTION in " ".join(capsys.readouterr().out.split())  # argparse wraps the epilog


def test_phones_that_cannot_start_are_a_setup_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("QWEN2VL_AGENT_SIM_ADB", str(tmp_path / "no-adb-here"))
    code = cli_main(["bench", "--tasks", "SystemWifi", "--out", str(tmp_path / "run"), "-q"])
    assert code == exit_codes.SETUP
    assert "no-adb-here" in capsys.readouterr().err


@pytest.mark.parametrize("call", ["shell", "exists", "read_file", "sqlite_rows"])
def test_a_frozen_phone_fails_task_device_calls_within_their_timeout(bench_phone, call):
    device = TaskDevice.connect(bench_phone.serial, bench_phone.adb_host, bench_phone.adb_port, timeout_s=1.0)
    calls = {
        "shell": lambda: device.shell("echo", "hi"),
        "exists": lambda: device.exists("/sdcard"),
        "read_file": lambda: device.read_file("/data/system/x.db"),
        "sqlite_rows": lambda: device.sqlite_rows("/data/data/com.android.providers.settings/x.db", "select 1"),
    }
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            calls[call]()
            outcome.append(None)
        except BaseException as e:
            outcome.append(e)

    bench_phone.freeze()
    try:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(30)  # a generous deadline: the call itself gives up after about 1 s
    finally:
        bench_phone.thaw()
    assert outcome and isinstance(outcome[0], TaskDeviceError), outcome


class _DownModel(RandomModel):
    """A model server that went away (or fails every request)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(seed=0)
        self.error = error

    def generate(self, messages, **kwargs):
        raise self.error


@pytest.mark.parametrize("error", [ModelUnavailable("connection refused"), ModelFailed("engine error")])
def test_a_model_server_fault_is_an_error_not_a_failed_score(monkeypatch, bench_phone, small_config, error):
    monkeypatch.setattr("qwen2vl_agent.agent.factory.load_model", lambda spec, **overrides: _DownModel(error))
    source = PolicySource("model", "openai:http://127.0.0.1:9/v1#m")
    record = run_instance(bench_phone, Instance(_AlwaysMet, 0, 1), source, small_config())
    assert (record.outcome, record.error_kind, record.success, record.status) == (
        "error", "infrastructure", None, "error",
    )  # fmt: skip
    assert type(error).__name__ in record.exception


def test_a_bug_inside_the_episode_is_an_internal_error_not_a_fault(bench_phone, small_config, monkeypatch):
    from qwen2vl_agent.agent.policy import QwenPolicy

    def broken(self):
        raise ZeroDivisionError("a bug in the policy")

    monkeypatch.setattr(QwenPolicy, "decide", broken)
    record = run_instance(bench_phone, Instance(_BuggyCheck, 0, 1), PolicySource("oracle"), small_config())
    assert (record.outcome, record.error_kind, record.success) == ("error", "internal", None)
    assert "ZeroDivisionError: a bug in the policy" in record.exception
