"""The OpenAI-compatible backend against a fake server on loopback: stop handling, retries, typed errors
for every way a server fails (down, slow, 5xx, 4xx), all bounded in time, and concurrent requests."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from qwen2vl_agent.model import Message, ModelFailed, ModelUnavailable
from qwen2vl_agent.model.openai_api import OpenAIModel
from qwen2vl_agent.model.openai_config import OpenAIModelConfig
from qwen2vl_agent.model.openai_errors import (
    AuthenticationFailed,
    ContextTooLong,
    RequestRejected,
    ServerError,
    ServerTimeout,
    ServerUnreachable,
    TooManyImages,
    UnknownModel,
    error_for_status,
    server_message,
)

STOP = ("✿RESULT✿", "✿RETURN✿")


def conversation(images: int = 1, text: str = "Task: open the settings.") -> list[Message]:
    from qwen2vl_agent.model import ImagePart, TextPart

    shots = tuple(ImagePart(Image.new("RGB", (1080, 2400), (i, 0, 0))) for i in range(images))
    return [Message.text("system", "You are a phone agent."), Message("user", (TextPart(text), *shots))]


def client(url: str, sleeps: list[float] | None = None, **options) -> OpenAIModel:
    # The fake's replies report a fixed prompt count (11); test_vllm_like.py checks real counts.
    defaults = {"timeout_s": 5.0, "connect_timeout_s": 2.0, "check_prompt_tokens": False}
    config = OpenAIModelConfig(base_url=url, **{**defaults, **options})
    return OpenAIModel(config, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_a_reply_is_cut_client_side_and_the_request_is_what_was_asked(fake_server, fakes) -> None:
    fake_server.script = [fakes.completion("a\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RESULT✿: more", finish="length")]
    with client(fake_server.url, max_new_tokens=100) as model:
        g = model.generate(conversation(2), stop=STOP, max_new_tokens=300)
    assert g.text == "a\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n" and g.stop_reason == "stop"
    assert g.image_sizes == [(672, 1484)] * 2 and g.image_tokens == 2 * 1272
    assert (g.prompt_tokens, g.output_tokens) == (11, 7)
    assert set(g.timings) == {"preprocess", "request", "total"}
    body = fake_server.bodies()[0]
    assert body["model"] == "fake-model" and body["max_tokens"] == 100 and body["temperature"] == 0.0
    assert body["stop"] == list(STOP)
    assert [p["type"] for p in body["messages"][1]["content"]] == ["text", "image_url", "image_url"]


def test_auto_stop_falls_back_once_when_the_server_fails_requests_with_stop(fake_server, fakes) -> None:
    # transformers serve answers HTTP 500 to any Qwen2-VL request with `stop`.
    fake_server.script = [fakes.Reply(500, "Internal Server Error"), fakes.completion("x ✿RESULT✿ y")]
    sleeps: list[float] = []
    with client(fake_server.url, sleeps) as model:
        assert model.generate(conversation(), stop=STOP).text == "x "
        assert model.generate(conversation(), stop=STOP).text == "x "
        assert model.describe()["send_stop"] is False
    assert ["stop" in body for body in fake_server.bodies()] == [True, False, False]
    assert sleeps == []  # the fallback is immediate, not a backoff retry


def test_a_4xx_about_stop_also_switches_it_off(fake_server, fakes) -> None:
    fake_server.script = [
        fakes.Reply(422, {"detail": "Unexpected fields in the request: {'stop'}"}),
        fakes.completion("ok"),
    ]
    with client(fake_server.url) as model:
        assert model.generate(conversation(), stop=STOP).text == "ok"
    assert ["stop" in body for body in fake_server.bodies()] == [True, False]


@pytest.mark.parametrize(("send_stop", "sent"), [(True, [True, True]), (False, [False, False])])
def test_send_stop_can_be_forced(fake_server, send_stop: bool, sent: list[bool]) -> None:
    with client(fake_server.url, send_stop=send_stop) as model:
        model.generate(conversation(), stop=STOP)
        model.generate(conversation(), stop=STOP)
    assert ["stop" in body for body in fake_server.bodies()] == sent


def test_5xx_and_429_replies_are_retried_with_backoff(fake_server, fakes) -> None:
    fake_server.script = [
        fakes.Reply(503, {"message": "busy"}),
        fakes.Reply(429, {"message": "slow down"}),
        fakes.Reply(502, "bad gateway"),
        fakes.completion("ok"),
    ]
    sleeps: list[float] = []
    with client(fake_server.url, sleeps, send_stop=True, retries=3, backoff_s=0.25) as model:
        assert model.generate(conversation(), stop=STOP).text == "ok"
    assert sleeps == [0.25, 0.5, 1.0]


def test_persistent_5xx_gives_a_server_error_after_the_retries(fake_server, fakes) -> None:
    fake_server.script = [fakes.Reply(500, {"object": "error", "message": "CUDA out of memory", "code": 500})]
    sleeps: list[float] = []
    model = client(fake_server.url, sleeps, send_stop=False, retries=2, backoff_s=1.0, max_backoff_s=1.5)
    with model, pytest.raises(ServerError, match="HTTP 500: CUDA out of memory") as e:
        model.generate(conversation(), stop=STOP)
    assert e.value.status == 500 and isinstance(e.value, ModelFailed)
    assert len(fake_server.bodies()) == 3 and sleeps == [1.0, 1.5]


def test_a_dropped_connection_is_retried(fake_server, fakes) -> None:
    fake_server.script = [fakes.Reply(drop=True), fakes.completion("ok")]
    with client(fake_server.url, send_stop=False) as model:
        assert model.generate(conversation()).text == "ok"
    assert len(fake_server.bodies()) == 2


def test_a_slow_server_times_out_once_and_is_not_resent(fake_server, fakes) -> None:
    fake_server.script = [fakes.Reply(delay=30)]
    with client(fake_server.url, send_stop=False, timeout_s=0.5) as model:
        started = time.monotonic()
        with pytest.raises(ServerTimeout, match=r"no complete reply within 0\.5 s"):
            model.generate(conversation())
        assert time.monotonic() - started < 5
    assert len(fake_server.bodies()) == 1


def test_a_server_that_is_down_is_unreachable_within_bounded_time(fakes) -> None:
    url = f"http://127.0.0.1:{fakes.free_port()}/v1"  # nothing listens there
    sleeps: list[float] = []
    started = time.monotonic()
    with pytest.raises(ServerUnreachable, match="cannot reach the model server") as e:
        client(url, sleeps, retries=2)
    assert isinstance(e.value, ModelUnavailable)
    assert len(sleeps) == 2 and time.monotonic() - started < 5


def test_a_server_that_goes_away_mid_run_is_unreachable(fake_server, fakes) -> None:
    model = client(fake_server.url, send_stop=False, retries=1)
    model._client.base_url = f"http://127.0.0.1:{fakes.free_port()}/v1"  # as if the server had gone
    with pytest.raises(ServerUnreachable):
        model.generate(conversation())
    model.close()


@pytest.mark.parametrize(
    ("status", "body", "error", "advice"),
    [
        (
            404,
            {"object": "error", "message": "The model `Qwen/Qwen2-VL-7B` does not exist.", "code": 404},
            UnknownModel,
            "name a served model",
        ),
        (400, {"detail": "Server is pinned to '/ckpt'; requested 'other'."}, UnknownModel, "name a served model"),
        (
            400,
            {
                "object": "error",
                "message": "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
            },
            ContextTooLong,
            "--max-model-len",
        ),
        (
            400,
            {
                "error": {
                    "message": "The decoder prompt (length 40000) is longer than the maximum model length of 32768."
                }
            },
            ContextTooLong,
            "--history-images",
        ),
        (
            400,
            {"object": "error", "message": "At most 1 image(s) may be provided in one prompt."},
            TooManyImages,
            "--limit-mm-per-prompt '{\"image\": 3}'",
        ),
        (401, {"error": {"message": "Invalid API key"}}, AuthenticationFailed, "QWEN2VL_AGENT_API_KEY"),
        (400, {"object": "error", "message": "temperature must be non-negative"}, RequestRejected, "temperature"),
    ],
)
def test_4xx_replies_become_typed_errors_with_advice(fake_server, fakes, status, body, error, advice) -> None:
    fake_server.script = [fakes.Reply(status, body)]
    with client(fake_server.url, send_stop=False) as model:
        started = time.monotonic()
        with pytest.raises(error) as e:
            model.generate(conversation(3))
        assert time.monotonic() - started < 5
    assert advice in str(e.value) and f"HTTP {status}" in str(e.value)
    assert len(fake_server.bodies()) == 1  # a 4xx is never retried


def test_the_model_is_discovered_or_checked(fake_server, caplog) -> None:
    with client(fake_server.url) as model:
        assert model.model == "fake-model" and model.name == f"openai:{fake_server.url}#fake-model"
    fake_server.models = ["a", "b"]
    with pytest.raises(UnknownModel, match=r"serves 2 models \(a, b\); name one"):
        client(fake_server.url)
    with client(fake_server.url, model="c") as model:  # not listed: a warning, the request decides
        assert model.model == "c"
    assert "does not list 'c'" in caplog.text
    with pytest.raises(ModelUnavailable, match="name the model"):
        client(fake_server.url, probe=False)


def test_the_api_key_comes_from_the_environment(fake_server, monkeypatch) -> None:
    monkeypatch.delenv("QWEN2VL_AGENT_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with client(fake_server.url) as model:
        model.generate(conversation())
        assert "sk-test" not in str(model.describe())
    headers = fake_server.requests[-1][3]
    assert headers["Authorization"] == "Bearer sk-test"


def test_batches_are_sent_concurrently_and_answered_in_order(fake_server, fakes) -> None:
    fake_server.script = [fakes.Reply(body=fakes.completion("same").body, delay=0.3)]
    with client(fake_server.url, send_stop=False, max_concurrency=4) as model:
        results = model.generate_batch([conversation(1, f"task {i}") for i in range(6)])
    assert [r.text for r in results] == ["same"] * 6
    assert fake_server.peak_in_flight >= 2
    tasks = sorted(b["messages"][1]["content"][0]["text"] for b in fake_server.bodies())
    assert tasks == [f"task {i}" for i in range(6)]


def test_requests_over_the_concurrency_bound_wait_their_turn_outside_their_deadline(fake_server, fakes) -> None:
    # 6 phones share one client bounded to 2 requests in flight; each reply takes 0.6 s, so the last pair
    # starts 1.2 s after the first: longer than timeout_s. A wait for a turn is not the server being slow.
    fake_server.script = [fakes.Reply(body=fakes.completion("ok").body, delay=0.6)]
    model = client(fake_server.url, send_stop=False, max_concurrency=2, timeout_s=1.0)
    with model, ThreadPoolExecutor(6) as phones:
        replies = list(phones.map(lambda i: model.generate(conversation(1, f"task {i}")).text, range(6)))
    assert replies == ["ok"] * 6
    assert fake_server.peak_in_flight == 2


def test_batches_from_several_threads_share_one_pool_that_close_shuts_down(fake_server, monkeypatch) -> None:
    from qwen2vl_agent.model import openai_api

    pools: list[ThreadPoolExecutor] = []

    class CountedPool(ThreadPoolExecutor):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(openai_api, "ThreadPoolExecutor", CountedPool)
    together = threading.Barrier(3)  # the three batches start at once, each finding the pool already made

    def batch(model: OpenAIModel) -> None:
        together.wait(30)
        model.generate_batch([conversation()])

    with client(fake_server.url, send_stop=False) as model:
        assert len(pools) == 1  # made with the client: there is no "no pool yet" for batches to race on
        threads = [threading.Thread(target=batch, args=(model,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert len(fake_server.bodies()) == 3
    assert len(pools) == 1 and pools[0]._shutdown


def test_threads_share_one_client(fake_server) -> None:
    errors: list[BaseException] = []
    with client(fake_server.url, send_stop=False) as model:

        def episode() -> None:
            try:
                for _ in range(3):
                    assert model.generate(conversation()).text == "ok"
            except BaseException as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=episode) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors and len(fake_server.bodies()) == 12


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"object": "error", "message": "m1", "code": 400}', "m1"),
        ('{"error": {"message": "m2", "type": "invalid_request_error"}}', "m2"),
        ('{"detail": "m3"}', "m3"),
        ('{"detail": [{"loc": ["body"], "msg": "m4"}]}', '[{"loc": ["body"], "msg": "m4"}]'),
        ("Internal Server Error", "Internal Server Error"),
        ("", "(empty body)"),
    ],
)
def test_server_messages_are_read_from_every_shape(body: str, message: str) -> None:
    assert server_message(body.encode()) == message


def test_a_404_without_a_model_message_points_at_the_url() -> None:
    error = error_for_status(404, "Not Found", url="http://h:8000", model="m", images=0)
    assert type(error) is ModelUnavailable and "ends in /v1" in str(error)


def test_a_query_in_the_base_url_goes_on_every_request(fake_server) -> None:
    with client(fake_server.url + "?api-version=2024-06-01", send_stop=False) as model:
        model.generate(conversation())
    assert [path for _, path, _, _ in fake_server.requests] == [
        "/v1/models?api-version=2024-06-01",
        "/v1/chat/completions?api-version=2024-06-01",
    ]
