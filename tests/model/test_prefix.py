"""The prefix cache and the matmul patch embedding change speed, never results: the tiny checkpoint
through the real classes, with and without them, down to the logits."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.patch_embed import use_linear_patch_embed
from qwen2vl_agent.model.prefix import PrefixCache

# A system turn long enough to be worth caching (the real one is ~1300 tokens).
SYSTEM = " ".join(f"Tool {i}: tap, swipe, type or press key number {i} on the phone screen." for i in range(12))


def chat(helpers, *, task: str, images: list, replies: list[str] = (), system: str = SYSTEM) -> list[Message]:
    """system, user(task + first image), then (assistant reply, user(image)) for the other images."""
    first = (TextPart(task),) + ((ImagePart(images[0]),) if images else ())
    messages = [Message.text("system", system), Message("user", first)]
    for reply, image in zip(replies, images[1:], strict=True):
        messages += [Message.text("assistant", reply), Message("user", (TextPart("Result:"), ImagePart(image)))]
    return messages


@pytest.fixture(scope="module")
def pair(tiny_dir: Path):
    """(with the prefix cache, without it): two backends over their own copies of the same weights."""
    return load_model(str(tiny_dir)), load_model(str(tiny_dir), prefix_cache=0)


def replies(model, conversations, tokens: int = 16):
    return [(g.text, g.output_tokens) for g in model.generate_batch(conversations, max_new_tokens=tokens)]


def test_cached_batches_equal_uncached_and_one_at_a_time(pair, helpers) -> None:
    cached, plain = pair
    conversations = [
        chat(helpers, task="Task: open the settings.", images=[helpers.noise(1080, 2400, seed=1)]),
        chat(helpers, task="Task: call Bob.", images=[helpers.noise(540, 960, seed=2)]),
        chat(helpers, task="Task: open the settings.", images=[helpers.noise(300, 500, seed=3)]),
    ]
    cached.prefix_cache.clear()
    batched = cached.generate_batch(conversations, max_new_tokens=16)
    assert all(g.cached_tokens > 40 for g in batched)
    assert cached.prefix_cache.misses == 2  # the system turn, then the head the rows share
    expected = replies(plain, conversations)
    assert [(g.text, g.output_tokens) for g in batched] == expected
    assert [replies(cached, [c])[0] for c in conversations] == expected
    assert len({text for text, _ in expected}) == 3
    assert [g.cached_tokens for g in plain.generate_batch(conversations[:1], max_new_tokens=1)] == [0]


def test_the_system_turn_is_computed_once_and_then_reused(pair, helpers) -> None:
    cached, _ = pair
    cached.prefix_cache.clear()
    one = chat(helpers, task="Task: find the camera.", images=[helpers.noise(400, 400, seed=4)])
    other = chat(helpers, task="Task: mute the phone.", images=[helpers.noise(400, 400, seed=5)])
    first = cached.generate(one, max_new_tokens=2)
    system_turn = cached.prefix_cache.computed_tokens
    assert cached.prefix_cache.stored == 2  # the system turn, and the head up to the image
    second = cached.generate(other, max_new_tokens=2)
    task_only = cached.prefix_cache.computed_tokens - system_turn
    assert 0 < task_only < 20 < system_turn - task_only  # only the new task's tokens were computed
    assert second.cached_tokens - task_only > 40  # and the system turn came from the cache
    hits = cached.prefix_cache.hits
    assert cached.generate(one, max_new_tokens=2).cached_tokens == first.cached_tokens
    assert cached.prefix_cache.hits == hits + 1


def test_a_sliding_image_window_extends_the_stored_prefix(pair, helpers) -> None:
    # Once older screenshots are text, the turns before the first image become part of the cacheable
    # prefix: the stored system turn is extended by them, and the result still equals a full prefill.
    cached, plain = pair
    cached.prefix_cache.clear()
    images = [helpers.noise(300, 300, seed=s) for s in range(3)]
    early = chat(helpers, task="Task: open the clock.", images=images[:1])
    later = chat(helpers, task="Task: open the clock.", images=images, replies=["I tap the clock.", "I wait."])
    later[1] = Message("user", (TextPart("Task: open the clock. (screenshot dropped) " * 8),))  # image now text
    cached.generate(early, max_new_tokens=1)
    computed = cached.prefix_cache.computed_tokens
    gen = cached.generate(later, max_new_tokens=12)
    head = gen.cached_tokens - cached.generate(early, max_new_tokens=1).cached_tokens
    assert head > 50  # the dropped screenshot's text and the steps after it
    assert cached.prefix_cache.computed_tokens - computed <= head + 10  # extended, not recomputed
    assert (gen.text, gen.output_tokens) == replies(plain, [later], 12)[0]


def test_text_only_conversations(pair, helpers) -> None:
    cached, plain = pair
    conversations = [chat(helpers, task=f"Task: say {word}.", images=[]) for word in ("yes", "no, thank you")]
    assert replies(cached, conversations) == replies(plain, conversations)


def test_logits_with_a_cached_prefix_equal_a_full_prefill(pair, helpers) -> None:
    cached, _ = pair
    conversations = [
        chat(helpers, task="Task: a.", images=[helpers.noise(200, 400, seed=6)]),
        chat(helpers, task="Task: something longer to pad.", images=[helpers.noise(500, 300, seed=7)]),
    ]
    inputs, _, _, _ = cached._preprocess(conversations, 1)
    prepared = cached.prefix_cache.prepare(inputs)
    assert prepared.cached_tokens > 40
    model = cached.model
    with torch.inference_mode():
        model.model.rope_deltas = None
        full = model(**inputs).logits[:, -1]
        model.model.rope_deltas = None
        ids = prepared.inputs["input_ids"]
        positions, _ = model.model.get_rope_index(
            ids, prepared.inputs["mm_token_type_ids"], inputs["image_grid_thw"], None, prepared.inputs["attention_mask"]
        )
        n = prepared.cached_tokens
        rest = {k: v for k, v in prepared.inputs.items() if k not in ("input_ids", "mm_token_type_ids")}
        part = model(input_ids=ids[:, n:], position_ids=positions[:, :, n:], cache=prepared.cache, **rest).logits[:, -1]
        model.model.rope_deltas = None
    assert torch.allclose(full, part, atol=1e-4), (full - part).abs().max()


def test_prefix_length_rules() -> None:
    cache = PrefixCache(None, capacity=2, min_tokens=3, turn_start_id=9, vision_start_id=7, pad_id=0)
    # (head before the first image common to all rows, with one token left; start of its last whole turn)
    assert cache.prefix_length([[9, 1, 2, 3, 9, 4, 7, 8]]) == (6, 4)
    assert cache.prefix_length([[9, 1, 2, 3, 9, 4, 5], [9, 1, 2, 3, 9, 5, 7]]) == (5, 4)
    assert cache.prefix_length([[9, 1, 2, 3, 4, 5], [9, 1, 2, 3, 4, 6, 7]]) == (5, 0)  # no later turn starts
    assert cache.prefix_length([[9, 1, 2, 3, 9, 4, 5], [9, 1, 6, 3, 9, 4, 7]]) == (0, 0)  # rows differ early
    assert cache.prefix_length([[9, 1, 7, 3, 9, 4, 5]]) == (0, 0)  # the image comes too soon
    assert cache.prefix_length([[9, 1, 9, 2, 3, 4]]) == (5, 0)  # a turn start too early to store alone
    assert cache.prefix_length([[9, 1, 2]]) == (0, 0)  # shorter than min_tokens with one token left


def test_capacity_evicts_the_least_recently_used(tiny_dir: Path, helpers) -> None:
    model = load_model(str(tiny_dir), prefix_cache=4)  # each system prompt stores 2: its turn, and the head
    systems = [SYSTEM, SYSTEM.replace("phone", "tablet"), SYSTEM.replace("phone", "watch")]
    for system in systems:
        model.generate(chat(helpers, task="Task: x.", images=[], system=system), max_new_tokens=1)
    assert model.prefix_cache.stored == 4
    misses = model.prefix_cache.misses
    model.generate(chat(helpers, task="Task: x.", images=[], system=systems[2]), max_new_tokens=1)
    assert model.prefix_cache.misses == misses  # recent: still there
    model.generate(chat(helpers, task="Task: x.", images=[], system=systems[0]), max_new_tokens=1)
    assert model.prefix_cache.misses == misses + 2  # the oldest had been evicted


def test_matmul_patch_embedding_equals_the_convolution(tiny_dir: Path) -> None:
    model = load_model(str(tiny_dir), linear_patch_embed=False).model
    embed = model.model.visual.patch_embed
    # its own generator: the global one's state depends on which tests ran first (checkpoint builds seed it)
    patches = torch.randn(50, 3 * 2 * 14 * 14, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        conv = embed(patches)
        assert use_linear_patch_embed(model, True)
        linear = embed(patches)
        assert use_linear_patch_embed(model, False)
        again = embed(patches)
    torch.testing.assert_close(linear, conv, rtol=1e-4, atol=1e-4)  # float32 rounding of a 1176-term sum
    assert torch.equal(conv, again)
    assert not use_linear_patch_embed(torch.nn.Linear(2, 2), True)
