"""Reproducing a recorded episode: ``replay`` on the simulated phone, ``render`` of a step's exact model input,
``run --dry-run``; all through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageChops

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.reprompt import Episode
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ImagePart
from qwen2vl_agent.model.scripted import ScriptedModel

CONTACTS = [
    'Open contacts.\n✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Contacts"}',
    '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 300]}',
    '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qwen2vl_agent.agent.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An episode recorded on the simulated phone (seed 0) by `run` with a scripted model."""
    root = tmp_path_factory.mktemp("sim_run")
    (root / "r.json").write_text(json.dumps(CONTACTS), encoding="utf-8")
    out = root / "run"
    proc = cli("run", "look at contacts", "--env", "sim", "--model", f"scripted:{root / 'r.json'}", "--out", str(out),
               "--quiet")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


def test_replay_reproduces_a_sim_episode(sim_run: Path) -> None:
    proc = cli("replay", str(sim_run), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["divergent"] == 0
    assert [s["step"] for s in out["screens"]] == [0, 1, 2, "final"]


def test_replay_with_another_seed_names_the_first_divergent_step(sim_run: Path) -> None:
    proc = cli("replay", str(sim_run), "--seed", "7")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "step 0: same"  # the home screen does not depend on the seed; the contacts do
    assert lines[1].startswith("step 1: DIVERGES")
    assert lines[-1].endswith("first at step 1")


def test_replay_of_a_directory_without_an_episode_is_a_setup_error(tmp_path: Path) -> None:
    proc = cli("replay", str(tmp_path))
    assert proc.returncode == 2
    assert "not an episode directory" in proc.stderr


def test_render_prints_the_step_input_with_image_sizes(sim_run: Path) -> None:
    proc = cli("render", str(sim_run), "--step", "2", "--images")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.count("<image 1080x2400 as 1080x2400>") == 3
    assert '✿ARGS✿: {"name": "Contacts"}' in text and text.rstrip().endswith("image: " + str(sim_run / "step_002.png"))
    assert cli("render", str(sim_run), "--step", "9").returncode == 2


@pytest.mark.parametrize("history_images", [1, 2, 4])
def test_rebuilt_prompts_equal_what_the_model_was_sent(tmp_path: Path, history_images: int) -> None:
    replies = [
        'Tap.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}',
        '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [2000, 5]}',  # off the screen: an error the model hears
        '✿FUNCTION✿: Swipe\n✿ARGS✿: {"start": [10, 10], "end": [20, 20]}',
        "✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿FUNCTION✿: Back\n✿ARGS✿: {}",
        '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
    ]
    model = ScriptedModel(replies)
    config = PolicyConfig(history_images=history_images)
    recorder = TrajectoryRecorder(tmp_path, {"policy": config.model_dump(), "env": {"kind": "fake"}}, html=False)
    with FakeEnv() as env:
        run_episode(env, QwenPolicy(model, env.action_space, config), "do it", LoopConfig(), [recorder])
    prompts = list(Episode(tmp_path).prompts())
    assert len(prompts) == len(model.seen) == 5
    for prompt, seen in zip(prompts, model.seen, strict=True):
        assert render_text(prompt.messages) == render_text(seen)
        rebuilt = [p.image for m in prompt.messages for p in m.content if isinstance(p, ImagePart)]
        sent = [p.image for m in seen for p in m.content if isinstance(p, ImagePart)]
        assert len(rebuilt) == len(sent) == len(prompt.image_paths)
        assert all(
            ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None
            for a, b in zip(rebuilt, sent, strict=True)
        )


def test_dry_run_maps_and_shows_every_call_and_executes_nothing(tmp_path: Path) -> None:
    replies = [
        'Open it.\n✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Contacts"}',
        '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 250]}\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [1500, 5]}',
        '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
    ]
    (tmp_path / "r.json").write_text(json.dumps(replies), encoding="utf-8")
    out = tmp_path / "run"
    proc = cli("run", "t", "--env", "sim", "--model", f"scripted:{tmp_path / 'r.json'}", "--out", str(out),
               "--dry-run", "--quiet")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert 'step 0: OpenApp {"name": "Contacts"} -> {"type": "OpenApp", "name": "Contacts"}' in lines
    assert 'step 1: Tap {"point": [500, 250]} -> {"type": "Tap", "point": [540, 600]}' in lines
    assert any(line.startswith('step 1: Tap {"point": [1500, 5]} -> ') and "outside" in line for line in lines), lines
    assert lines[-2] == "dry run ended: success after 3 steps; nothing was executed"
    steps = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines()]
    assert steps[0]["calls"][0]["result"] == "Dry run: not executed."
    # nothing happened on the phone: every screen the model saw is the launcher it started on
    assert {s["foreground"] for s in steps} == {steps[0]["foreground"]}
    assert json.loads((out / "meta.json").read_text())["dry_run"] is True
