"""The OpenAI-compatible backend against real ``transformers serve`` processes on loopback (see conftest):
the same episode as the in-process backend, the CLI end to end, server-side errors, concurrent requests."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_errors import UnknownModel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def episode(model, task: str, log) -> tuple[object, list]:
    """Three steps of ``task`` on the fake phone; the result and the steps ``log`` (a ``StepLog``) kept."""
    with FakeEnv() as env:
        policy = QwenPolicy(model, env.action_space, PolicyConfig(max_new_tokens=24))
        result = run_episode(env, policy, task, LoopConfig(max_steps=3), [log])
    return result, log.steps


def test_an_episode_through_the_server_sees_and_says_what_the_in_process_backend_does(
    open_server, typing_dir, helpers
) -> None:
    """Same checkpoint, same 1080x2400 screenshots, three steps with growing history: the server gets the
    same prompt tokens and replies the same greedy text (transformers serve trims surrounding whitespace
    from replies, hence ``strip``)."""
    local = load_model(str(typing_dir))
    with load_model(f"openai:{open_server.url}#{typing_dir}", timeout_s=60) as remote:
        assert isinstance(remote, OpenAIModel)
        local_result, local_steps = episode(local, "open the Wi-Fi settings", helpers.StepLog())
        remote_result, remote_steps = episode(remote, "open the Wi-Fi settings", helpers.StepLog())
        assert remote.describe()["send_stop"] is False  # transformers serve fails requests with `stop`
    assert remote_result.status == local_result.status and remote_result.steps == local_result.steps == 3
    for mine, theirs in zip(local_steps, remote_steps, strict=True):
        assert theirs.raw_text.strip() == mine.raw_text.strip() != ""
        assert theirs.prompt_tokens == mine.prompt_tokens > 1272
        assert theirs.image_tokens == mine.image_tokens
        assert theirs.geometry == mine.geometry
    assert len({step.raw_text for step in local_steps}) == 3  # each reply depends on what the model saw
    assert remote_steps[-1].image_tokens == 3 * 1272  # the history grew: three screenshots in the last prompt


def test_the_cli_runs_an_episode_on_a_discovered_model(pinned_server, tmp_path: Path) -> None:
    """``qwen2vl-agent run --model openai:URL --env fake``: the server's only model is found, it taps
    (rel1000 [250, 750] is (270, 1800) on the 1080x2400 fake screen) and then finishes."""
    out = tmp_path / "run"
    argv = ["run", "--env", "fake", "--model", f"openai:{pinned_server.url}", "--max-steps", "4"]
    code = main([*argv, "--max-new-tokens", "40", "--quiet", "--out", str(out), "tap the icon, then finish"])
    result = json.loads((out / "result.json").read_text())
    assert (code, result["status"], result["steps"]) == (0, "success", 2), pinned_server.tail()
    steps = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines()]
    assert steps[0]["calls"][0]["name"] == "Tap"
    assert steps[0]["calls"][0]["executed"]["point"] == [270, 1800]
    assert steps[1]["calls"][0]["name"] == "Terminate"
    assert steps[0]["prompt_tokens"] > 1272 and steps[0]["geometry"]["model_image_size"] == [672, 1484]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model"] == f"openai:{pinned_server.url}"


def test_a_model_the_server_does_not_serve_is_a_typed_error(pinned_server, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        model = load_model(f"openai:{pinned_server.url}#Qwen/Qwen2-VL-7B-Instruct")
    with model, pytest.raises(UnknownModel, match="pinned to"):
        model.generate([Message.text("user", "hi")], max_new_tokens=4)
    assert "does not list" in caplog.text


def test_concurrent_requests_get_their_own_replies(open_server, typing_dir) -> None:
    rng = np.random.default_rng(0)
    conversations = [
        [
            Message(
                "user",
                (ImagePart(Image.fromarray(rng.integers(0, 256, (560, 280, 3), np.uint8))), TextPart(f"task {i}")),
            )
        ]
        for i in range(3)
    ]
    with load_model(f"openai:{open_server.url}#{typing_dir}", send_stop=False) as model:
        together = model.generate_batch(conversations, max_new_tokens=12)
        alone = [model.generate(c, max_new_tokens=12) for c in conversations]
    assert [g.text for g in together] == [g.text for g in alone]
    assert len({g.text for g in alone}) == 3  # the replies depend on the input
