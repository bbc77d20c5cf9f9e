"""The request the OpenAI-compatible backend sends: Qwen's reference rendering, images resized exactly as
the in-process processor resizes them, replies read back; configuration and the ``openai:`` spec."""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from qwen2vl_agent.agent.prompt import CallTurn, Exchange, build_messages, render_text, system_message
from qwen2vl_agent.model import ModelFailed, ModelUnavailable
from qwen2vl_agent.model.openai_config import OpenAIModelConfig, normalise_base_url, parse_spec
from qwen2vl_agent.model.openai_request import ImageEncoder, read_reply, request_messages
from qwen2vl_agent.model.vision import PixelBudget

AGENT_DATA = Path(__file__).parents[1] / "agent" / "data"  # Qwen-Agent's own rendering (reference data)
PAD = "<|vision_start|><|image_pad|><|vision_end|>"
REF_TAP, REF_HOME = json.loads((AGENT_DATA / "qwen_agent_tools.json").read_text(encoding="utf-8"))


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def decode(url: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :])))


def wire_text(wire: list[dict]) -> str:
    """ChatML of a request, images as Qwen2-VL's placeholder: what the server's template renders."""
    out = []
    for message in wire:
        content = message["content"]
        if isinstance(content, str):
            body = content
        else:
            body = "".join(PAD if p["type"] == "image_url" else p["text"] for p in content)
        out.append(f"<|im_start|>{message['role']}\n{body}<|im_end|>\n")
    return "".join(out) + "<|im_start|>assistant\n"


def two_step_episode() -> tuple[list, list[Image.Image]]:
    shots = [noise(1080, 2400, seed) for seed in range(3)]
    exchanges = [
        Exchange(
            "The Settings icon is visible; I will tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", shots[1])]
        ),
        Exchange("Now home.", [CallTurn("Home", "{}", "", shots[2])]),
    ]
    system = system_message([REF_TAP, REF_HOME], None)
    return build_messages(system, "open the Settings app.", shots[0], exchanges), shots


def test_a_one_step_request_renders_byte_exact_as_qwen_agent() -> None:
    shots = [noise(1080, 2400, s) for s in range(2)]
    exchanges = [
        Exchange(
            "The Settings icon is visible; I will tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", shots[1])]
        )
    ]
    messages = build_messages(system_message([REF_TAP, REF_HOME], None), "open the Settings app.", shots[0], exchanges)
    wire, _ = request_messages(messages, ImageEncoder(PixelBudget()).encode)
    assert wire_text(wire) == (AGENT_DATA / "qwen_agent_step1.txt").read_text(encoding="utf-8")


def test_a_two_step_request_has_the_structure_of_qwens_rendering() -> None:
    messages, shots = two_step_episode()
    wire, images = request_messages(messages, ImageEncoder(PixelBudget()).encode)
    assert [m["role"] for m in wire] == ["system", "user"]
    assert wire[0]["content"] == system_message([REF_TAP, REF_HOME], None)  # text-only: a plain string
    parts = wire[1]["content"]
    kinds = [p["type"] for p in parts]
    assert kinds == ["text", "image_url", "text", "image_url", "text", "image_url", "text"]
    texts = [p["text"] for p in parts if p["type"] == "text"]
    assert texts[0] == "(Uploaded ![image](screen0.png)) Task: open the Settings app."
    assert texts[1] == (
        '\n\nThe Settings icon is visible; I will tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [348, 291]}\n✿RESULT✿: '
    )
    assert texts[2] == "\n✿RETURN✿: Now home.\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RESULT✿: "
    assert texts[3] == "\n✿RETURN✿"  # the model continues with ": ..."
    # Each image part is the screenshot of its place, resized to its smart-resize size.
    sent = [decode(p["image_url"]["url"]) for p in parts if p["type"] == "image_url"]
    assert [im.size for im in sent] == [(672, 1484)] * 3 == [im.size for im in images]
    for shot, image in zip(shots, sent, strict=True):
        assert np.abs(np.asarray(shot.resize((672, 1484))).astype(int) - np.asarray(image)).mean() < 40
    assert len({im.tobytes() for im in sent}) == 3
    # The same text the in-process chat template gets.
    assert wire_text(wire) == render_text(messages)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # transformers decodes images with torchvision.io
def test_the_server_side_rendering_of_the_request_equals_the_in_process_one(tiny_dir: Path) -> None:
    """transformers serve's own conversion of a request, rendered by the checkpoint's processor, gives the
    token ids and pixel values the in-process backend computes from the original screenshots."""
    from transformers import AutoProcessor
    from transformers.cli.serving.utils import BaseHandler, Modality
    from transformers.image_utils import SizeDict

    from qwen2vl_agent.model.chat import template_messages

    server_processor = AutoProcessor.from_pretrained(tiny_dir)  # the checkpoint's own (official) budget
    assert server_processor.image_processor.size["longest_edge"] == 16384 * 28 * 28
    processor = AutoProcessor.from_pretrained(tiny_dir)  # set up as the in-process backend sets it up
    budget = PixelBudget()
    processor.image_processor.size = SizeDict(shortest_edge=budget.min_pixels, longest_edge=budget.max_pixels)
    messages, _ = two_step_episode()
    wire, _ = request_messages(messages, ImageEncoder(budget).encode)
    served = server_processor.apply_chat_template(
        BaseHandler.get_processor_inputs_from_messages(wire, Modality.VLM),
        add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt",
    )  # fmt: skip
    rendered, images = template_messages(messages)
    text = processor.apply_chat_template(rendered, add_generation_prompt=True, tokenize=False)
    local = processor(text=[text], images=images, return_tensors="pt")
    assert served["input_ids"].tolist() == local["input_ids"].tolist()
    assert served["image_grid_thw"].tolist() == local["image_grid_thw"].tolist() == [[1, 106, 48]] * 3
    assert (served["pixel_values"] == local["pixel_values"]).all()


def test_images_are_rgb_within_the_budget_and_encoded_once() -> None:
    budget = PixelBudget(max_pixels=256 * 28 * 28)
    encoder = ImageEncoder(budget)
    rgba = Image.new("RGBA", (1080, 2400), (255, 0, 0, 0))  # fully transparent: white, as the processor does
    first = encoder.encode(rgba)
    assert first.size == budget.resize(1080, 2400) == decode(first.url).size
    assert decode(first.url).mode == "RGB" and decode(first.url).getpixel((5, 5)) == (255, 255, 255)
    assert encoder.encode(rgba) is first  # cached: the history resends the same screenshot every step
    small = noise(112, 56)
    assert decode(encoder.encode(small).url).tobytes() == small.tobytes()  # already a fixed point: untouched


def test_a_reply_is_cut_at_the_stop_words_client_side() -> None:
    budget, stop = PixelBudget(), ["✿RESULT✿", "✿RETURN✿"]
    data = {
        "choices": [
            {"message": {"content": "t\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RESULT✿: junk"}, "finish_reason": "length"}
        ],
        "usage": {"prompt_tokens": 1300, "completion_tokens": 20},
    }
    g = read_reply(data, stop, [], budget)
    assert (g.text, g.stop_reason, g.prompt_tokens, g.output_tokens) == (
        "t\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n",
        "stop",
        1300,
        20,
    )
    vllm = {"choices": [{"message": {"content": "x"}, "finish_reason": "stop", "stop_reason": "✿RESULT✿"}]}
    assert read_reply(vllm, stop, [], budget).stop_reason == "stop"
    assert (
        read_reply({"choices": [{"message": {"content": None}, "finish_reason": "length"}]}, stop, [], budget).text
        == ""
    )
    assert (
        read_reply({"choices": [{"message": {"content": "a"}, "finish_reason": "stop"}]}, stop, [], budget).stop_reason
        == "eos"
    )
    with pytest.raises(ModelFailed, match="not a chat completion"):
        read_reply({"detail": "nope"}, stop, [], budget)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/v1"),
        ("http://gpu-box:8000", "http://gpu-box:8000/v1"),
        ("https://example.com/openai/v1?api-version=1", "https://example.com/openai/v1?api-version=1"),
    ],
)
def test_base_urls_are_normalised(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://x/v1", "http:///v1", ""])
def test_bad_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        normalise_base_url(url)


def test_the_spec_names_the_url_and_maybe_the_model() -> None:
    assert parse_spec("openai:http://h:8000/v1#Qwen/Qwen2-VL-7B-Instruct") == {
        "base_url": "http://h:8000/v1", "model": "Qwen/Qwen2-VL-7B-Instruct",
    }  # fmt: skip
    assert parse_spec("http://h:8000/v1") == {"base_url": "http://h:8000/v1"}
    with pytest.raises(ValueError, match="max_pixels"):
        OpenAIModelConfig(base_url="http://h/v1", min_pixels=10_000_000, max_pixels=1_000_000)
    with pytest.raises(ValueError, match="extra"):
        OpenAIModelConfig(base_url="http://h/v1", api_key="secret")  # secrets come from the environment only


def test_the_factory_routes_openai_specs(fake_server, caplog) -> None:
    from qwen2vl_agent.model.factory import load_model
    from qwen2vl_agent.model.openai_api import OpenAIModel

    with caplog.at_level(logging.WARNING):
        model = load_model(f"openai:{fake_server.url}", device="cuda", dtype="bfloat16", max_pixels=512 * 28 * 28)
    assert isinstance(model, OpenAIModel)
    assert model.model == "fake-model" and model.image_size(1080, 2400) == PixelBudget(max_pixels=512 * 28 * 28).resize(
        1080, 2400
    )
    assert "ignoring device, dtype" in caplog.text
    model.close()
    with pytest.raises(ModelUnavailable, match="bad model options: retries"):
        load_model(f"openai:{fake_server.url}", retries=-1)
