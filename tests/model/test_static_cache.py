"""The static-cache option: same replies as the growing cache, with and without a cached prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.generation import STATIC_BUCKET, static_cache
from qwen2vl_agent.model.prefix import Prepared

SYSTEM = " ".join(f"Tool {i}: tap, swipe or type on the phone screen, number {i}." for i in range(12))


def chat(task: str, images: list) -> list[Message]:
    parts = (TextPart(task), *(ImagePart(image) for image in images))
    return [Message.text("system", SYSTEM), Message("user", parts)]


@pytest.mark.parametrize("prefix_cache", [4, 0])
def test_static_cache_replies_equal_the_growing_cache(tiny_dir: Path, helpers, prefix_cache: int) -> None:
    static = load_model(str(tiny_dir), static_cache=True, prefix_cache=prefix_cache)
    growing = load_model(str(tiny_dir), prefix_cache=prefix_cache)
    conversations = [
        chat("Task: open the settings.", [helpers.noise(540, 1200, seed=1)]),
        chat("Task: call Bob, then text him.", [helpers.noise(300, 300, seed=2), helpers.noise(200, 400, seed=3)]),
        chat("Task: say hello.", []),
    ]
    for _ in range(2):  # the second round starts from stored prefixes and screenshots
        got = static.generate_batch(conversations, max_new_tokens=20)
        want = growing.generate_batch(conversations, max_new_tokens=20)
        assert [(g.text, g.output_tokens, g.cached_tokens) for g in got] == [
            (g.text, g.output_tokens, g.cached_tokens) for g in want
        ]
    assert [static.generate(c, max_new_tokens=20).text for c in conversations] == [g.text for g in want]
    assert static.describe()["static_cache"] is True


def test_static_cache_is_sized_in_buckets(tiny_model, helpers) -> None:
    inputs, _, _, _ = tiny_model._preprocess([chat("Task: x.", [helpers.noise(200, 200)])], 8)
    width = inputs["input_ids"].shape[1]
    cache = static_cache(tiny_model.model.config, Prepared(dict(inputs), None, 0), 8)
    length = cache.layers[0].max_cache_len
    assert length % STATIC_BUCKET == 0 and width + 8 <= length < width + 8 + STATIC_BUCKET


def test_static_cache_starts_with_the_cached_prefix(tiny_dir: Path, helpers) -> None:
    import torch

    model = load_model(str(tiny_dir), static_cache=True)
    conversations = [chat("Task: a.", [helpers.noise(200, 200, seed=4)]), chat("Task: b c.", [])]
    inputs, _, _, _ = model._preprocess(conversations, 4)
    prepared = model.prefix_cache.prepare(inputs)
    n = prepared.cached_tokens
    assert n > 40
    static = static_cache(model.model.config, prepared, 4)
    assert int(static.get_seq_length()) == n  # generate prefills only what follows
    for source, target in zip(prepared.cache.layers, static.layers, strict=True):
        assert torch.equal(target.keys[:, :, :n], source.keys) and torch.equal(target.values[:, :, :n], source.values)
