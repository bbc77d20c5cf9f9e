"""The agent loop on the fake env with the tiny checkpoint through the real transformers backend, and
``qwen2vl-agent run --env fake --model tiny`` with the network cut off."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.envs.fake import make_screens
from qwen2vl_agent.model.factory import CACHE_ENV
from qwen2vl_agent.tools import Tap


def test_gibberish_replies_do_not_break_the_loop(tiny_model, helpers) -> None:
    env, log = FakeEnv(), helpers.StepLog()
    policy = QwenPolicy(tiny_model, env.action_space, PolicyConfig(max_new_tokens=12))
    result = run_episode(env, policy, "open the settings", LoopConfig(max_steps=2), [log])
    assert result.status in ("model_errors", "max_steps", "stuck", "answered", "success", "failure")
    assert result.steps == len(log.steps) >= 1
    first = log.steps[0]
    assert first.geometry.model_image_size == (672, 1484)  # 1080x2400 at the default budget
    assert first.image_tokens == 1272
    assert set(first.timings) >= {"model_prefill", "model_decode"}


def test_the_tiny_model_taps_through_the_real_stack(tiny_model, helpers) -> None:
    env = FakeEnv(make_screens(3, size=(360, 800)))
    policy = QwenPolicy(tiny_model, env.action_space, PolicyConfig(max_new_tokens=48))
    reply = 'I tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}\n✿RESULT✿: junk'
    with helpers.forced_reply(tiny_model, reply):
        result = run_episode(env, policy, "tap it", LoopConfig(max_steps=2))
    assert result.steps == 2
    assert env.executed == [Tap(point=(90, 600))] * 2  # rel1000 on a 360x800 screen


def test_run_command_offline_with_the_tiny_model(tmp_path: Path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))  # empty: the tiny checkpoint is built here
    out = tmp_path / "run"
    argv = ["run", "--env", "fake", "--model", "tiny", "--max-steps", "1", "--max-new-tokens", "8", "--quiet"]
    code = main([*argv, "--out", str(out), "open the settings"])
    assert code in (0, 1)  # 1: the gibberish did not finish the task, which is expected
    result = json.loads((out / "result.json").read_text())
    assert result["steps"] == 1 and result["status"] != "error"
    assert (tmp_path / "cache" / "tiny-qwen2vl" / "model.safetensors").is_file()


def test_caches_across_an_episode_change_nothing_the_agent_does(tiny_dir: Path, helpers) -> None:
    # Five steps showing the last 2 screenshots: from step 3 on, older screenshots are text, so the
    # cacheable prefix grows; each screenshot is encoded once. With both caches off, the same episode.
    from qwen2vl_agent.model.factory import load_model

    reply = 'I tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}\n✿RESULT✿: junk'
    runs = []
    for caches in ({}, {"prefix_cache": 0, "vision_cache": 0}):
        model = load_model(str(tiny_dir), **caches)
        env, log = FakeEnv(make_screens(5, size=(360, 800))), helpers.StepLog()
        policy = QwenPolicy(model, env.action_space, PolicyConfig(max_new_tokens=48, history_images=2))
        with helpers.forced_reply(model, reply):
            result = run_episode(env, policy, "tap it", LoopConfig(max_steps=5), [log])
        runs.append((model, result, env.executed, log.steps))
    (cached, result, executed, steps), (_, plain_result, plain_executed, plain_steps) = runs
    assert (result.steps, result.status, executed) == (plain_result.steps, plain_result.status, plain_executed)
    assert [s.raw_text for s in steps] == [s.raw_text for s in plain_steps]
    assert [s.prompt_tokens for s in steps] == [s.prompt_tokens for s in plain_steps]
    assert all(s.cached_tokens == 0 for s in plain_steps)
    cached_tokens = [s.cached_tokens for s in steps]
    assert cached_tokens[0] > 1000  # the system turn with the tool section
    assert cached_tokens[0] == cached_tokens[1] < cached_tokens[2] < cached_tokens[3] < cached_tokens[4]
    shown = [1, 2, 2, 2, 2]  # screenshots shown as images per step
    assert cached.vision_cache.misses == 5 and cached.vision_cache.hits == sum(shown) - 5
