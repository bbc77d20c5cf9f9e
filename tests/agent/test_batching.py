"""BatchingModel: concurrent episodes share backend calls, and nobody gets someone else's reply."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from qwen2vl_agent.model import Generation, Message, ModelFailed
from qwen2vl_agent.model.batching import BatchingModel


class EchoModel:
    """Replies with the conversation's own text, so a mix-up would show."""

    name = "echo"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.batches: list[int] = []

    def generate(self, messages: Sequence[Message], *, stop=(), max_new_tokens=256) -> Generation:
        return self.generate_batch([messages], stop=stop, max_new_tokens=max_new_tokens)[0]

    def generate_batch(self, conversations, *, stop=(), max_new_tokens=256) -> list[Generation]:
        if self.fail:
            raise ModelFailed("boom")
        self.batches.append(len(conversations))
        return [Generation(text=f"{c[0].content[0].text}|{max_new_tokens}") for c in conversations]

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height


def _parallel(model: BatchingModel, n: int, tokens=lambda i: 16) -> list[str]:
    out: list[str] = [""] * n
    barrier = threading.Barrier(n)

    def worker(i: int) -> None:
        barrier.wait()
        out[i] = model.generate([Message.text("user", f"q{i}")], max_new_tokens=tokens(i)).text

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


def test_concurrent_calls_are_batched_and_answered_correctly() -> None:
    backend = EchoModel()
    with BatchingModel(backend, max_batch=8, max_wait_s=0.5) as model:
        assert _parallel(model, 8) == [f"q{i}|16" for i in range(8)]
    assert sum(backend.batches) == 8 and max(backend.batches) > 1


def test_batches_are_uniform_in_settings() -> None:
    backend = EchoModel()
    with BatchingModel(backend, max_batch=8, max_wait_s=0.3) as model:
        out = _parallel(model, 6, tokens=lambda i: 8 if i % 2 else 16)
    assert out == [f"q{i}|{8 if i % 2 else 16}" for i in range(6)]


def test_errors_reach_every_caller() -> None:
    with BatchingModel(EchoModel(fail=True), max_wait_s=0.01) as model, pytest.raises(ModelFailed, match="boom"):
        model.generate([Message.text("user", "x")])


def test_closed_model_refuses() -> None:
    model = BatchingModel(EchoModel())
    model.close()
    with pytest.raises(ModelFailed, match="closed"):
        model.generate([Message.text("user", "x")])


def test_batch_statistics_stay_bounded() -> None:
    """A long benchmark makes unboundedly many backend calls; the wrapper keeps counters and a short tail."""
    from qwen2vl_agent.model.batching import RECENT_BATCHES

    backend = EchoModel()
    with BatchingModel(backend, max_batch=1, max_wait_s=0.0) as model:
        for i in range(RECENT_BATCHES + 5):
            model.generate([Message.text("user", f"q{i}")])
    assert len(model.batch_sizes) == RECENT_BATCHES and set(model.batch_sizes) == {1}
    assert (model.calls, model.served) == (RECENT_BATCHES + 5, RECENT_BATCHES + 5)
