"""The OpenAI-compatible backend against a fake server on loopback that behaves as vLLM does where it differs
from ``transformers serve``: special tokens are stripped from replies unless the request says
``skip_special_tokens: false``, calls come back in ``message.tool_calls``, and the server's own image
budget can shrink screenshots again, which shows only in ``usage.prompt_tokens``. (The exact count, with the
checkpoint's tokenizer, is checked in test_prompt_count.py; a real vLLM in test_vllm_live.py.)"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from typing import Any

import pytest

from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.tool_text import reply_text
from qwen2vl_agent.envs.fake import make_screens
from qwen2vl_agent.model import Generation, ImagePart, Message, ModelFailed, ScriptedModel, TextPart, ToolCall
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig
from qwen2vl_agent.model.openai_errors import BadReply, PromptMismatch
from qwen2vl_agent.tools import MOBILE_ACTIONS, Tap

GROUNDED = "I tap <|box_start|>(348,291)<|box_end|>.<|im_end|>"
SPECIAL = ("<|box_start|>", "<|box_end|>", "<|im_end|>")


def client(url: str, **options: Any) -> OpenAIModel:
    return OpenAIModel(OpenAIModelConfig(base_url=url, **{"timeout_s": 5.0, **options}), sleep=lambda s: None)


def screens(n: int) -> list[Message]:
    """One user message with ``n`` 1080x2400 screenshots (each 1272 tokens at the default budget)."""
    return [Message("user", (*(ImagePart(s) for s in make_screens(n)), TextPart("open the Wi-Fi settings")))]


def vllm_like(fakes, *, prompt_tokens: int = 0, message: dict[str, Any] | None = None):
    """A reply function for the fake server: GROUNDED, its special tokens stripped unless asked."""

    def respond(body: dict[str, Any]):
        text = GROUNDED
        if body.get("skip_special_tokens", True):
            for token in SPECIAL:
                text = text.replace(token, "")
        reply = fakes.completion(text, prompt=prompt_tokens)
        reply.body["choices"][0]["message"].update(message or {})
        return reply

    return respond


# ---------------------------------------------------------------------------------------------- item 1


def test_special_tokens_are_kept_as_the_in_process_backend_keeps_them(fake_server, fakes) -> None:
    fake_server.respond = vllm_like(fakes)
    with client(fake_server.url) as model:
        assert model.generate([Message.text("user", "where?")], max_new_tokens=8).text == GROUNDED
    assert fake_server.bodies()[0]["skip_special_tokens"] is False


def test_a_server_that_refuses_the_field_gets_the_request_again_without_it_once(fake_server, fakes, caplog) -> None:
    def strict(body: dict[str, Any]):
        if "skip_special_tokens" in body:  # transformers serve: unknown fields are a validation error
            detail = [{"type": "extra_forbidden", "loc": ["body", "skip_special_tokens"], "msg": "Extra inputs"}]
            return fakes.Reply(422, {"detail": detail})
        return fakes.completion("plain")

    fake_server.respond = strict
    with caplog.at_level(logging.WARNING), client(fake_server.url) as model:
        assert [model.generate([Message.text("user", "hi")]).text for _ in range(3)] == ["plain"] * 3
        assert model.describe()["default_fields"] == {}
    assert ["skip_special_tokens" in body for body in fake_server.bodies()] == [True, False, False, False]
    assert caplog.text.count("refused `skip_special_tokens`") == 1


def test_requests_in_flight_when_the_field_is_refused_are_each_sent_again(fake_server, fakes, caplog) -> None:
    def strict(body: dict[str, Any]):
        if "skip_special_tokens" in body:
            return fakes.Reply(422, {"detail": "Unexpected fields in the request: {'skip_special_tokens'}"}, delay=0.3)
        return fakes.completion(body["messages"][0]["content"])

    fake_server.respond = strict
    conversations = [[Message.text("user", f"task {i}")] for i in range(4)]
    with caplog.at_level(logging.WARNING), client(fake_server.url) as model:
        assert [g.text for g in model.generate_batch(conversations)] == [f"task {i}" for i in range(4)]
    assert caplog.text.count("refused `skip_special_tokens`") == 1


def test_a_400_about_something_else_is_not_retried(fake_server, fakes) -> None:
    fake_server.script = [fakes.Reply(400, {"error": {"message": "temperature must be non-negative"}})]
    with client(fake_server.url) as model, pytest.raises(ModelFailed, match="temperature"):
        model.generate([Message.text("user", "hi")])
    assert len(fake_server.bodies()) == 1 and fake_server.bodies()[0]["skip_special_tokens"] is False


def test_extra_body_overrides_the_default_and_a_refusal_of_it_is_the_users_error(fake_server, fakes) -> None:
    fake_server.respond = vllm_like(fakes)
    with client(fake_server.url, extra_body={"skip_special_tokens": True, "top_k": 1}) as model:
        assert model.generate([Message.text("user", "where?")]).text == "I tap (348,291)."
    assert fake_server.bodies()[0]["skip_special_tokens"] is True and fake_server.bodies()[0]["top_k"] == 1
    fake_server.respond = lambda body: fakes.Reply(400, {"error": {"message": "skip_special_tokens: unknown"}})
    with client(fake_server.url, extra_body={"skip_special_tokens": True}) as model, pytest.raises(ModelFailed):
        model.generate([Message.text("user", "hi")])


def test_the_cli_passes_extra_request_fields(fake_server, fakes, tmp_path) -> None:
    from qwen2vl_agent.agent.cli import main

    fake_server.script = [fakes.completion('✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}', prompt=2000)]
    extra = json.dumps({"repetition_penalty": 1.05})
    argv = ["run", "--env", "fake", "--model", f"openai:{fake_server.url}#fake-model", "--model-extra-body", extra]
    assert main([*argv, "--max-steps", "1", "--quiet", "--out", str(tmp_path / "run"), "finish"]) == 0
    body = fake_server.bodies()[0]
    assert body["repetition_penalty"] == 1.05 and body["skip_special_tokens"] is False


@pytest.mark.parametrize("value", ["[1, 2]", "not json"])
def test_the_cli_refuses_extra_fields_that_are_not_a_json_object(value: str, capsys) -> None:
    from qwen2vl_agent.agent.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["run", "--env", "fake", "--model", "openai:http://127.0.0.1:9/v1#m", "--model-extra-body", value, "x"])
    assert exit_.value.code == 2 and "--model-extra-body" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- item 2


def test_a_server_that_shrinks_the_screenshots_again_is_a_typed_error(fake_server, fakes) -> None:
    """4 screenshots are 4 x 1272 image tokens as sent; a server at max_pixels 401408 makes them 4 x 512,
    and its count (2048 + the text) is less than the images alone can cost."""
    fake_server.respond = vllm_like(fakes, prompt_tokens=4 * 512 + 40)
    with client(fake_server.url) as model, pytest.raises(PromptMismatch) as caught:
        model.generate(screens(4))
    message = str(caught.value)
    assert "2088 prompt tokens" in message and "between 5088 and" in message
    assert "1272 at 672x1484" in message and "--mm-processor-kwargs" in message and "1003520" in message
    assert caught.value.reported == 2088


def test_a_consistent_count_passes_and_the_check_can_be_switched_off(fake_server, fakes) -> None:
    fake_server.respond = vllm_like(fakes, prompt_tokens=4 * 1272 + 40)
    with client(fake_server.url) as model:
        assert model.generate(screens(4)).prompt_tokens == 5128
        assert model.describe()["prompt_check"] == "bounded"  # no tokenizer for "fake-model" here
    fake_server.respond = vllm_like(fakes, prompt_tokens=99)
    with client(fake_server.url, check_prompt_tokens=False) as model:
        assert model.generate(screens(4)).prompt_tokens == 99
    fake_server.respond = vllm_like(fakes, prompt_tokens=0)  # no usage reported: nothing to compare
    with client(fake_server.url) as model:
        assert model.generate(screens(1)).prompt_tokens == 0


# ---------------------------------------------------------------------------------------------- item 3

TAP = {"id": "c1", "type": "function", "function": {"name": "Tap", "arguments": '{"point": [348, 291]}'}}


def test_tool_calls_are_returned_beside_the_text(fake_server, fakes) -> None:
    fake_server.respond = vllm_like(fakes, message={"content": None, "tool_calls": [TAP]})
    with client(fake_server.url) as model:
        g = model.generate([Message.text("user", "tap it")])
    assert (g.text, g.tool_calls) == ("", (ToolCall("Tap", '{"point": [348, 291]}'),))
    fake_server.respond = vllm_like(fakes, message={"tool_calls": [TAP, {**TAP, "function": {"name": "Home"}}]})
    with client(fake_server.url) as model:
        g = model.generate([Message.text("user", "tap it")])
    assert g.text == GROUNDED and [c.name for c in g.tool_calls] == ["Tap", "Home"]
    assert g.tool_calls[1].arguments == ""


@pytest.mark.parametrize(
    "calls",
    [
        {"function": {"name": "Tap"}},  # not a list
        ["Tap"],
        [{"type": "function"}],
        [{"function": {"name": "", "arguments": "{}"}}],
        [{"function": {"name": "Tap", "arguments": 3}}],
        [TAP] * 33,
        [{"function": {"name": "Type", "arguments": json.dumps({"text": "x" * 200})}}],
    ],
)
def test_malformed_or_oversized_tool_calls_are_a_bad_reply(fake_server, fakes, calls) -> None:
    fake_server.respond = vllm_like(fakes, message={"content": None, "tool_calls": calls})
    with client(fake_server.url, max_reply_chars=100) as model, pytest.raises(BadReply, match="tool call"):
        model.generate([Message.text("user", "tap it")])


def test_a_reply_of_tool_calls_only_is_acted_on_and_recorded_not_an_empty_answer(fake_server, fakes) -> None:
    fake_server.respond = vllm_like(fakes, message={"content": None, "tool_calls": [TAP]})
    with client(fake_server.url) as model:
        policy = QwenPolicy(model, MOBILE_ACTIONS)
        policy.begin("tap it", make_screens(1)[0])
        decision = policy.decide()
    assert decision.text == '<tool_call>\n{"name": "Tap", "arguments": {"point": [348, 291]}}\n</tool_call>'
    assert decision.reply is not None and [type(c.action) for c in decision.reply.calls] == [Tap]


def test_the_record_keeps_calls_sent_outside_the_text_after_a_thought() -> None:
    call = (ToolCall("Home", "{}"),)
    home = '<tool_call>\n{"name": "Home", "arguments": {}}\n</tool_call>'
    assert reply_text(Generation("Going home.\n", tool_calls=call)) == f"Going home.\n{home}"
    assert reply_text(Generation("", tool_calls=call)) == home
    assert reply_text(Generation("just text")) == "just text"


def test_a_call_in_the_text_and_the_same_call_outside_it_runs_once() -> None:
    policy = QwenPolicy(ScriptedModel([]), MOBILE_ACTIONS)
    policy.begin("go home", make_screens(1)[0])
    text = "✿FUNCTION✿: Home\n✿ARGS✿: {}"
    decision = policy.interpret(Generation(text, tool_calls=(ToolCall("Home", "{}"),)))
    assert decision.reply is not None and [type(c.action).__name__ for c in decision.reply.calls] == ["Home"]


# ---------------------------------------------------------------------------------------------- item 4


def test_the_resize_operation_is_imported_when_the_backend_is_made_not_in_the_first_request() -> None:
    pytest.importorskip("torchvision")
    code = (
        "import sys\n"
        "from qwen2vl_agent.model.openai_api import OpenAIModel\n"
        "from qwen2vl_agent.model.openai_config import OpenAIModelConfig\n"
        "assert 'torch' not in sys.modules, 'importing the backend imports torch'\n"
        "OpenAIModel(OpenAIModelConfig(base_url='http://127.0.0.1:9/v1', model='m', probe=False)).close()\n"
        "print('torchvision.transforms.v2.functional' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "True", out.stderr
