"""A conversation that ends in an assistant turn (``qwen2vl-inline``) is sent with vLLM's chat-template options to
continue that turn; any other conversation gets a fresh assistant turn, with no extra fields."""

from __future__ import annotations

from PIL import Image

from qwen2vl_agent.agent.dialects import get_dialect
from qwen2vl_agent.agent.prompt import CallTurn, Exchange
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig

SHOT = Image.new("RGB", (1080, 2400), (40, 40, 40))
EPISODE = [Exchange("I tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", Image.new("RGB", (1080, 2400)))])]


def _body(url: str, server, dialect: str, exchanges: list[Exchange]) -> dict:
    messages = get_dialect(dialect).messages("S", "open the settings", SHOT, exchanges, 4)
    with OpenAIModel(OpenAIModelConfig(base_url=url, timeout_s=5.0, check_prompt_tokens=False)) as model:
        model.generate(messages)
    return server.bodies()[-1]


def test_an_open_assistant_turn_is_continued(fake_server) -> None:
    body = _body(fake_server.url, fake_server, "qwen2vl-inline", EPISODE)
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
    last = body["messages"][-1]
    assert last["role"] == "assistant" and last["content"][-1]["text"].endswith("\n✿RETURN✿")


def test_other_conversations_carry_no_continuation_fields(fake_server) -> None:
    for dialect, exchanges in (("qwen2vl", EPISODE), ("qwen2vl-inline", []), ("qwen25vl", EPISODE)):
        body = _body(fake_server.url, fake_server, dialect, exchanges)
        assert "continue_final_message" not in body and "add_generation_prompt" not in body, dialect
