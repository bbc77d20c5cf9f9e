"""The exact prompt-token check: a fake server on loopback that counts prompt tokens as a real one does (the
checkpoint's own processor, transformers' conversion of the request, the server's own pixel budget), and a
client that counts them with the checkpoint's tokenizer and chat template (``model.prompt_count``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qwen2vl_agent.envs.fake import make_screens
from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig
from qwen2vl_agent.model.openai_errors import PromptMismatch
from qwen2vl_agent.model.prompt_count import bound, find_counter
from qwen2vl_agent.model.vision import PixelBudget

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def counting(fakes, checkpoint: Path, max_pixels: int):
    """A reply function: ``usage.prompt_tokens`` as a server whose processor has ``max_pixels`` counts it."""
    from transformers import AutoProcessor
    from transformers.cli.serving.utils import BaseHandler, Modality
    from transformers.image_utils import SizeDict

    processor = AutoProcessor.from_pretrained(checkpoint)
    processor.image_processor.size = SizeDict(shortest_edge=56 * 56, longest_edge=max_pixels)

    def respond(body: dict[str, Any]):
        inputs = BaseHandler.get_processor_inputs_from_messages(body["messages"], Modality.VLM)
        ids = processor.apply_chat_template(inputs, add_generation_prompt=True, tokenize=True, return_dict=True)
        return fakes.completion("ok", prompt=len(ids["input_ids"][0]))

    return respond


def episode_like(images: int) -> list[Message]:
    """A system prompt about as long as the agent's (~1,000 tokens), a task and ``images`` screenshots."""
    shots = make_screens(images)
    system = 'You operate a phone. ✿FUNCTION✿: Tap ✿ARGS✿: {"point": [x, y]}\n' * 60
    return [
        Message.text("system", system),
        Message("user", (TextPart("(Uploaded ![image](screen0.png)) Task: open Wi-Fi"), *map(ImagePart, shots))),
    ]


@pytest.fixture
def served(fake_server, tiny_dir: Path):
    fake_server.models = [str(tiny_dir)]  # vLLM names the model by the directory it serves
    return fake_server


def client(url: str) -> OpenAIModel:
    return OpenAIModel(OpenAIModelConfig(base_url=url, timeout_s=30))


@pytest.mark.parametrize("images", [0, 1, 3])
def test_a_server_with_the_clients_budget_counts_what_we_count(served, fakes, tiny_dir, images) -> None:
    served.respond = counting(fakes, tiny_dir, 1280 * 28 * 28)
    with client(served.url) as model:
        assert model.describe()["prompt_check"] == "exact"
        g = model.generate(episode_like(images) if images else [Message.text("user", "hi")])  # default system
    assert g.prompt_tokens > images * 1272


def test_one_screenshot_shrunk_again_is_caught_exactly(served, fakes, tiny_dir) -> None:
    """One 1080x2400 screenshot: 1272 tokens as sent, fewer at the server's 401408 pixels. The text costs
    more than the difference, so a count that knows only the images would let it pass."""
    served.respond = counting(fakes, tiny_dir, 401408)
    with client(served.url) as model, pytest.raises(PromptMismatch) as caught:
        model.generate(episode_like(1))
    counter = find_counter(str(tiny_dir))
    assert counter is not None
    ours = counter.count(episode_like(1), [1272])
    shrunk = PixelBudget(max_pixels=401408).tokens(1080, 2400)
    assert ours.exact and caught.value.expected == str(ours.low)
    assert caught.value.reported == ours.low - 1272 + shrunk < ours.low
    assert f"counted {caught.value.reported} prompt tokens; the request holds {ours.low}" in str(caught.value)
    assert bound(episode_like(1), [1272]).admits(caught.value.reported)


def test_a_tokenizer_that_is_not_there_leaves_the_bounded_check(tmp_path) -> None:
    assert find_counter(str(tmp_path)) is None and find_counter("no-such/model") is None and find_counter(None) is None
