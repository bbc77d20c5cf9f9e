"""Counting tokens while transformers generates: the streamer, and ``watching`` choosing when to watch."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.model.streaming import watching
from qwen2vl_agent.model.token_count import CountingStreamer


class Seen:
    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def on_tokens(self, tokens: int, decode_s: float) -> None:
        self.calls.append((tokens, decode_s))


def test_the_streamer_counts_steps_not_the_prompt_and_clocks_from_the_first_token() -> None:
    times = iter([10.0, 10.5, 11.25, 12.0])
    seen = Seen()
    streamer = CountingStreamer(seen, clock=lambda: next(times))
    streamer.put(torch.tensor([[1, 2, 3, 4, 5], [0, 0, 3, 4, 5]]))  # the prompt of a batch of two
    assert seen.calls == [] and streamer.tokens == 0
    streamer.put(torch.tensor([7, 9]))  # one step: one token in each row
    streamer.put(torch.tensor([8, 2]))
    streamer.put(torch.tensor([[1, 2, 3], [4, 5, 6]]))  # assisted decoding: three tokens in one step
    streamer.put(torch.tensor([6, 6]))
    streamer.end()
    assert seen.calls == [(1, 0.0), (2, 0.5), (5, 1.25), (6, 2.0)]


class Streaming:
    def __init__(self) -> None:
        self.watched: list[object] = []

    @contextlib.contextmanager
    def watch(self, observer) -> Iterator[None]:
        self.watched.append(observer)
        yield


def test_watching_needs_a_backend_that_streams_and_an_observer_of_tokens() -> None:
    model, seen = Streaming(), Seen()
    with watching(model, seen):
        pass
    assert model.watched == [seen]
    with watching(model, object()):  # a plain console view: nothing to tell it
        pass
    assert model.watched == [seen]
    with watching(ScriptedModel(["done"]), seen):  # a backend that does not stream: nothing happens
        pass
