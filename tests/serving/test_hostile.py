"""The OpenAI-compatible backend against hostile or broken servers on loopback: replies whose content is
not a string, servers that trickle bytes, redirect, or send huge bodies; where the API key may go; and
secrets in the URL kept out of names, descriptions, errors and the run's records."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from PIL import Image

from qwen2vl_agent.model import ImagePart, Message, ModelFailed, ModelUnavailable, TextPart
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig, redact_spec, redact_url
from qwen2vl_agent.model.openai_errors import ServerRedirected, ServerTimeout, ServerUnreachable

STOP = ("✿RESULT✿", "✿RETURN✿")


def conversation() -> list[Message]:
    shot = ImagePart(Image.new("RGB", (108, 240), (9, 0, 0)))
    return [Message.text("system", "You are a phone agent."), Message("user", (TextPart("Task: x."), shot))]


def client(url: str, **options) -> OpenAIModel:
    # The fake's replies report a fixed prompt count (11); test_vllm_like.py checks real counts.
    defaults = {"timeout_s": 5.0, "connect_timeout_s": 2.0, "check_prompt_tokens": False}
    config = OpenAIModelConfig(base_url=url, **{**defaults, **options})
    return OpenAIModel(config, sleep=lambda s: None)


def with_content(fakes, content, finish: str = "stop"):
    reply = fakes.completion("placeholder", finish=finish)
    reply.body["choices"][0]["message"]["content"] = content
    return reply


# ---------------------------------------------------------------------------------------------- content


def test_content_as_a_list_of_text_parts_is_joined(fake_server, fakes) -> None:
    parts = [{"type": "text", "text": "I tap.\n✿FUNCTION✿: Home\n"}, {"type": "text", "text": "✿ARGS✿: {}\n✿RESULT✿ x"}]
    fake_server.script = [with_content(fakes, parts)]
    with client(fake_server.url, send_stop=False) as model:
        g = model.generate(conversation(), stop=STOP)
    assert g.text == "I tap.\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n" and g.stop_reason == "stop"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (42, "a number"),
        (True, "a boolean"),
        ({"text": "hi"}, "an object"),
        ([{"type": "image_url", "image_url": {"url": "x"}}], "a part of type 'image_url'"),
        ([{"type": "text", "text": 7}], "a part of type 'text'"),
        (["plain"], "a part that is a string"),
        (None, "no content"),
    ],
)
def test_content_that_is_not_text_is_a_clear_model_failure(fake_server, fakes, content, said) -> None:
    fake_server.script = [with_content(fakes, content)]
    with client(fake_server.url, send_stop=False) as model, pytest.raises(ModelFailed, match="content") as e:
        model.generate(conversation(), stop=STOP)
    assert said in str(e.value)


def test_no_content_after_running_out_of_tokens_is_an_empty_reply(fake_server, fakes) -> None:
    fake_server.script = [with_content(fakes, None, finish="length")]
    with client(fake_server.url, send_stop=False) as model:
        g = model.generate(conversation(), stop=STOP)
    assert (g.text, g.stop_reason) == ("", "length")


# ---------------------------------------------------------------------------------------------- time


def test_a_trickling_server_fails_after_timeout_s_for_the_whole_request(fake_server, fakes) -> None:
    # One byte every 50 ms: every read is well within timeout_s, the whole reply would take ~20 s.
    fake_server.script = [fakes.Reply(body=fakes.completion("ok").body, trickle=0.05)]
    with client(fake_server.url, send_stop=False, timeout_s=1.0, retries=2) as model:
        started = time.monotonic()
        with pytest.raises(ServerTimeout, match=r"no complete reply within 1 s"):
            model.generate([Message.text("user", "x")])  # no image: the time is the request's alone
        assert time.monotonic() - started < 4  # ~1 s; generous slack for a loaded machine
    assert len(fake_server.bodies()) == 1  # never resent


# ---------------------------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [307, 302, 301, 308])
def test_a_redirect_is_a_clear_error_and_is_never_followed(fake_server, other_server, fakes, monkeypatch, status):
    monkeypatch.setenv("QWEN2VL_AGENT_API_KEY", "sk-secret")
    location = other_server.url + "/chat/completions"
    fake_server.script = [fakes.Reply(status, "", headers={"Location": location})]
    with client(fake_server.url, send_stop=False) as model, pytest.raises(ServerRedirected) as e:
        model.generate(conversation())
    assert f"HTTP {status}" in str(e.value) and location in str(e.value) and "base URL" in str(e.value)
    assert isinstance(e.value, ModelUnavailable)
    assert other_server.requests == []  # the key never went to the other origin
    assert len(fake_server.bodies()) == 1


def test_a_redirected_model_list_stops_the_probe_with_its_location(fake_server, other_server, fakes) -> None:
    fake_server.models_reply = fakes.Reply(307, "", headers={"Location": other_server.url + "/models?k=v"})
    for named in (None, "fake-model"):  # even when the model is named, a redirect is not a warning
        with pytest.raises(ServerRedirected, match=r"HTTP 307, a redirect to .*/models\?k=\*\*\*") as e:
            client(fake_server.url, model=named)
        assert "Expecting value" not in str(e.value)
    assert other_server.requests == []


# ---------------------------------------------------------------------------------------------- size


@pytest.mark.parametrize("chunked", [False, True])
def test_a_huge_body_is_refused_after_a_bounded_read(fake_server, fakes, chunked) -> None:
    fake_server.script = [fakes.Reply(body=fakes.completion("x" * 2_000_000).body, chunked=chunked)]
    model = client(fake_server.url, send_stop=False, max_response_bytes=100_000)
    with model, pytest.raises(ModelFailed, match=r"larger than 100000 bytes"):
        model.generate(conversation())


def test_the_default_body_cap_holds_without_a_content_length(fake_server, fakes) -> None:
    default = OpenAIModelConfig.model_fields["max_response_bytes"].default
    assert 1_000_000 <= default <= 16_000_000
    fake_server.script = [fakes.Reply(body=fakes.completion("x" * (default + 10)).body, chunked=True)]
    with client(fake_server.url, send_stop=False) as model, pytest.raises(ModelFailed, match="larger than"):
        model.generate(conversation())


def test_a_reply_text_beyond_the_cap_is_a_model_failure(fake_server, fakes) -> None:
    fake_server.script = [fakes.completion("y" * 5001)]
    model = client(fake_server.url, send_stop=False, max_reply_chars=5000)
    with model, pytest.raises(ModelFailed, match=r"5001 characters.*max_reply_chars \(5000\)"):
        model.generate(conversation())
    fake_server.script = [fakes.completion("y" * 5000)]
    with client(fake_server.url, send_stop=False, max_reply_chars=5000) as model:
        assert len(model.generate(conversation()).text) == 5000


# ---------------------------------------------------------------------------------------------- the API key


def recording_transport(seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": [{"id": "m", "object": "model"}]})

    return httpx.MockTransport(answer)  # no network: these hosts are never contacted


@pytest.mark.parametrize("url", ["http://gpu-box:8000/v1", "http://10.0.0.7:8000/v1", "http://u:pw@gpu-box.example/v1"])
def test_the_api_key_is_not_sent_over_plain_http_to_another_host(monkeypatch, url) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.delenv("QWEN2VL_AGENT_ALLOW_INSECURE_KEY", raising=False)
    seen: list[httpx.Request] = []
    with pytest.raises(ModelUnavailable, match=r"plain http.*https.*QWEN2VL_AGENT_ALLOW_INSECURE_KEY=1") as e:
        OpenAIModel(OpenAIModelConfig(base_url=url), transport=recording_transport(seen))
    assert seen == [] and "sk-secret" not in str(e.value) and "pw" not in str(e.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://gpu-box:8000/v1",
        "http://127.0.0.1:8000/v1",
        "http://127.8.9.10:8000/v1",
        "http://localhost:8000/v1",
        "http://[::1]:8000/v1",
    ],
)
def test_the_api_key_goes_to_https_and_loopback(monkeypatch, url) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.delenv("QWEN2VL_AGENT_ALLOW_INSECURE_KEY", raising=False)
    seen: list[httpx.Request] = []
    OpenAIModel(OpenAIModelConfig(base_url=url), transport=recording_transport(seen)).close()
    assert seen[0].headers["Authorization"] == "Bearer sk-secret"


def test_plain_http_with_the_key_is_allowed_when_asked_for(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    url = "http://gpu-box:8000/v1"
    for opt_in in ({"allow_insecure_key": True}, {}):
        if not opt_in:
            monkeypatch.setenv("QWEN2VL_AGENT_ALLOW_INSECURE_KEY", "1")
        seen: list[httpx.Request] = []
        OpenAIModel(OpenAIModelConfig(base_url=url, **opt_in), transport=recording_transport(seen)).close()
        assert seen[0].headers["Authorization"] == "Bearer sk-secret"


def test_without_a_key_plain_http_to_another_host_is_fine(monkeypatch) -> None:
    for name in ("OPENAI_API_KEY", "QWEN2VL_AGENT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    seen: list[httpx.Request] = []
    OpenAIModel(OpenAIModelConfig(base_url="http://gpu-box:8000/v1"), transport=recording_transport(seen)).close()
    assert "Authorization" not in seen[0].headers


# ---------------------------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("https://h/v1?api-version=2024-06-01", "https://h/v1?api-version=2024-06-01"),
        ("https://h/v1?api-key=SECRET&api-version=1", "https://h/v1?api-key=***&api-version=1"),
        ("https://h/v1?key=SECRET&sig=S2", "https://h/v1?key=***&sig=***"),
        ("https://user:SECRET@h:8/v1", "https://***@h:8/v1"),
        ("https://SECRET@h/v1", "https://***@h/v1"),
        ("https://h/v1?SECRET", "https://h/v1?***"),
        ("not a url ?token=SECRET", "not a url ?token=***"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


@pytest.mark.parametrize(
    ("spec", "redacted"),
    [
        (
            "openai:https://u:SECRET@h/v1?api-key=SECRET#Qwen/Qwen2-VL",
            "openai:https://***@h/v1?api-key=***#Qwen/Qwen2-VL",
        ),
        ("tiny", "tiny"),
        ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2-VL-2B-Instruct"),
        ("scripted:/tmp/replies.json", "scripted:/tmp/replies.json"),
    ],
)
def test_redact_spec(spec: str, redacted: str) -> None:
    assert redact_spec(spec) == redacted


def test_secrets_in_the_url_stay_out_of_names_descriptions_and_errors(fake_server, fakes, caplog) -> None:
    url = fake_server.url.replace("http://", "http://user:HUNTER2@") + "?api-version=1&api-key=SECRET"
    fake_server.script = [fakes.Reply(404, {"detail": "Not Found"})]
    with client(url, send_stop=False) as model:
        with pytest.raises(ModelUnavailable) as e:
            model.generate(conversation())
        shown = [model.name, json.dumps(model.describe()), str(e.value)]
    dead = f"http://user:HUNTER2@127.0.0.1:{fakes.free_port()}/v1?api-key=SECRET"
    with pytest.raises(ServerUnreachable) as unreachable:
        client(dead, retries=1)
    shown += [str(unreachable.value), caplog.text]
    assert all("HUNTER2" not in s and "SECRET" not in s for s in shown), shown
    assert "api-key=***" in model.name and "***@" in model.name


def test_the_cli_records_no_url_secret_in_meta_or_report(fake_server, fakes, tmp_path) -> None:
    from qwen2vl_agent.agent.cli import main

    done = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'
    fake_server.script = [fakes.completion(done, prompt=2000)]  # one screenshot (1272) and the prompt's text
    out = tmp_path / "run"
    spec = f"openai:{fake_server.url}?api-key=SECRET#fake-model"
    argv = ["run", "--env", "fake", "--model", spec, "--max-steps", "2", "--quiet", "--out", str(out), "finish"]
    assert main(argv) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model"] == f"openai:{fake_server.url}?api-key=***#fake-model"
    for path in out.iterdir():
        if path.suffix in (".json", ".jsonl", ".html"):
            assert "SECRET" not in path.read_text(errors="replace"), path.name


def test_the_benchmark_records_no_url_secret(fake_server, tmp_path) -> None:
    from qwen2vl_agent.agent.bench import BenchConfig
    from qwen2vl_agent.agent.bench.policies import PolicySource
    from qwen2vl_agent.agent.commands.bench import default_out

    spec = f"openai:{fake_server.url}?api-key=SECRET#fake-model"
    redacted = f"openai:{fake_server.url}?api-key=***#fake-model"
    assert BenchConfig(out=tmp_path, policy="model", model=spec).identity()["model"] == redacted
    assert "SECRET" not in str(default_out("model", spec, "default", 0))
    source = PolicySource("model", spec)
    try:
        assert source.label == redacted  # what each episode's meta.json and report.html name
    finally:
        source.close()
