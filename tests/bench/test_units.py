"""Pieces of the benchmark in isolation: the summary's numbers, the results file, the oracle's replies,
and how the runner scores instances that fail or are not declared done."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from PIL import Image

from qwen2vl_agent.agent.bench import (
    EpisodeRecord,
    Instance,
    OracleModel,
    RandomModel,
    ResultsFile,
    RunMismatch,
    render,
    run_instance,
    summarize,
)
from qwen2vl_agent.agent.bench.policies import PolicySource
from qwen2vl_agent.agent.parser import parse_reply
from qwen2vl_agent.envs.tasks import Finish, Launch, Selector, TapOn, Task, TypeText
from qwen2vl_agent.model import Message, ModelFailed
from qwen2vl_agent.model.base import ImagePart
from qwen2vl_agent.tools import MOBILE_ACTIONS, Frame, OpenApp, Swipe, Tap, Terminate, Type, to_screen


def _record(
    task: str, instance: int, difficulty: str, success: float, steps: int, seconds: float, **kw
) -> EpisodeRecord:
    return EpisodeRecord(
        task=task, instance=instance, seed=instance, goal="g", difficulty=difficulty, complexity=1.0, max_steps=10,
        success=success, steps=steps, duration_s=seconds, **kw,
    )  # fmt: skip


def test_summary_numbers_by_task_and_difficulty():
    records = [
        _record("A", 0, "easy", 1.0, 4, 2.0), _record("A", 1, "easy", 0.0, 6, 4.0),
        _record("B", 0, "hard", 0.5, 10, 10.0), _record("B", 1, "hard", 0.0, 0, 1.0, exception="boom"),
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
    assert (b.success_rate, b.mean_steps, b.seconds_per_step, b.errors) == (0.25, 5.0, 1.1, 1)
    assert [r.name for r in summary.by_difficulty] == ["easy", "hard"]
    assert summary.overall.success_rate == 1.5 / 4 and summary.overall.episodes == 4
    text = render(summary)
    assert "| A | easy | 2 | 50.0% | 5.0 | 0.60 | 0 |" in text
    assert "| all | 4 | 37.5% | 5.0 | 0.85 | 1 |" in text


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
    assert (config.out / record.trajectory / "steps.jsonl").exists()


def test_exceptions_become_failed_records(bench_phone, small_config):
    record = run_instance(bench_phone, Instance(_BrokenSetup, 0, 1), PolicySource("oracle"), small_config())
    assert record.success == 0.0 and record.status is None
    assert "TaskDeviceError" in record.exception and "no-such-tool" in record.exception
    json.loads(record.model_dump_json())
