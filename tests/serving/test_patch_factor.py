"""The OpenAI-compatible backend's image patch factor: 28 for Qwen2-VL and Qwen2.5-VL, 32 for Qwen3-VL (16 px
patches, 2x2 merge), set in the config or read from the served model's name, so the screenshot sent is the
size the server's processor keeps and points in that image map back onto the screen right."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig, patch_factor_for
from qwen2vl_agent.model.spec import spec_from_data
from qwen2vl_agent.model.vision import PixelBudget
from qwen2vl_agent.tools import Frame, Tap, to_screen

QWEN3 = "Qwen/Qwen3-VL-8B-Instruct"


@pytest.mark.parametrize(
    ("name", "factor"),
    [
        (QWEN3, 32), ("Qwen/Qwen3-VL-30B-A3B-Instruct", 32), ("/ckpt/tiny-qwen3_vl", 32), ("qwen3vl-4b-sft", 32),
        ("Qwen/Qwen2.5-VL-7B-Instruct", 28), ("Qwen/Qwen2-VL-2B-Instruct", 28), ("ByteDance-Seed/UI-TARS-1.5-7B", 28),
        ("fake-model", 28), (None, 28),
    ],
)  # fmt: skip
def test_the_factor_is_read_from_the_served_model_name(name: str | None, factor: int) -> None:
    assert patch_factor_for(name) == factor


def _client(url: str, **options) -> OpenAIModel:
    return OpenAIModel(
        OpenAIModelConfig(base_url=url, timeout_s=5.0, connect_timeout_s=2.0, check_prompt_tokens=False, **options)
    )


def _sent_sizes(body: dict) -> list[tuple[int, int]]:
    sizes = []
    for part in body["messages"][-1]["content"]:
        if part["type"] == "image_url":
            data = base64.b64decode(part["image_url"]["url"].partition(",")[2])
            sizes.append(Image.open(io.BytesIO(data)).size)
    return sizes


@pytest.mark.parametrize(
    ("options", "factor"),
    [({}, 28), ({"model": QWEN3}, 32), ({"patch_factor": 32}, 32), ({"model": QWEN3, "patch_factor": 28}, 28)],
)
def test_the_screenshot_is_resized_to_multiples_of_the_factor(fake_server, options: dict, factor: int) -> None:
    shot = Image.new("RGB", (1080, 2400), (9, 9, 9))
    with _client(fake_server.url, **options) as model:
        expected = PixelBudget(factor=factor).resize(1080, 2400)
        assert model.image_size(1080, 2400) == expected
        assert model.describe()["patch_factor"] == factor
        g = model.generate([Message("user", (TextPart("go"), ImagePart(shot)))])
    assert g.image_sizes == [expected] == _sent_sizes(fake_server.bodies()[0])
    assert g.image_tokens == (expected[0] // factor) * (expected[1] // factor)


def test_a_discovered_qwen3vl_model_gets_its_factor(fake_server) -> None:
    fake_server.models = [QWEN3]
    with _client(fake_server.url) as model:
        assert model.model == QWEN3 and model.image_size(1080, 2400) == (672, 1472)  # 28: (672, 1484)


def test_the_factor_is_a_field_of_the_model_spec() -> None:
    spec = spec_from_data({"kind": "openai", "base_url": "http://127.0.0.1:8000/v1", "patch_factor": 32})
    assert isinstance(spec, OpenAIModelConfig) and spec.patch_factor == 32  # a config file's [model] table
    with pytest.raises(ValueError, match="patch_factor"):
        OpenAIModelConfig(base_url="http://127.0.0.1:8000/v1", patch_factor=0)


def test_qwen3vl_points_over_a_server_map_onto_the_screen(fake_server, fakes) -> None:
    """A Qwen3-VL fine-tune answering in pixels of the image it saw (abs_resized): the image is 672x1472,
    not 672x1484, and a point near its bottom lands where it points."""
    reply = (
        '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [600, 1300]}}\n</tool_call>'
    )
    fake_server.models = [QWEN3]
    fake_server.script = [fakes.completion(reply)]
    env = FakeEnv([Image.new("RGB", (1080, 2400), (30, 60, 90))] * 2)
    with _client(fake_server.url) as model:
        policy = QwenPolicy(model, env.action_space, PolicyConfig(convention="abs_resized"))
        assert policy.dialect.name == "qwen3vl"
        run_episode(env, policy, "tap it", LoopConfig(max_steps=1))
    frame = Frame(screen=(1080, 2400), model_image=(672, 1472), convention="abs_resized")
    assert env.executed == [Tap(point=to_screen((600, 1300), frame))] == [Tap(point=(965, 2120))]
