"""The vision cache: screenshots already seen are not encoded again, and nothing the model says changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model


def episode(helpers, images: list) -> list[Message]:
    """A conversation whose screenshots are ``images``, one per user turn (as the agent builds it)."""
    messages = [
        Message.text("system", "You are a phone agent."),
        Message("user", (TextPart("Task: x."), ImagePart(images[0]))),
    ]
    for i, image in enumerate(images[1:]):
        messages += [Message.text("assistant", f"I tap {i}."), Message("user", (TextPart("Result:"), ImagePart(image)))]
    return messages


@pytest.fixture(scope="module")
def pair(tiny_dir: Path):
    """(with the vision cache, without it)."""
    return load_model(str(tiny_dir), vision_cache=8), load_model(str(tiny_dir), vision_cache=0)


def test_later_steps_encode_only_the_new_screenshot_and_answer_the_same(pair, helpers) -> None:
    cached, plain = pair
    assert plain.vision_cache is None
    cached.vision_cache.clear()
    shots = [helpers.noise(540, 1200, seed=s) for s in range(4)]
    for step in range(1, 5):
        hits, misses = cached.vision_cache.hits, cached.vision_cache.misses
        conversation = episode(helpers, shots[:step])
        got = cached.generate(conversation, max_new_tokens=12)
        want = plain.generate(conversation, max_new_tokens=12)
        assert (got.text, got.output_tokens, got.image_sizes) == (want.text, want.output_tokens, want.image_sizes)
        assert (cached.vision_cache.hits - hits, cached.vision_cache.misses - misses) == (step - 1, 1)


def test_batches_share_the_cache_and_duplicates_are_encoded_once(pair, helpers) -> None:
    cached, plain = pair
    cached.vision_cache.clear()
    a, b = helpers.noise(300, 600, seed=10), helpers.noise(600, 300, seed=11)
    conversations = [episode(helpers, [a, b]), episode(helpers, [b]), episode(helpers, [a, a])]
    got = cached.generate_batch(conversations, max_new_tokens=10)
    assert cached.vision_cache.misses == 2 and cached.vision_cache.stored == 2
    want = plain.generate_batch(conversations, max_new_tokens=10)
    assert [g.text for g in got] == [g.text for g in want]


def test_cached_features_equal_a_fresh_encoding(pair, helpers) -> None:
    cached, _ = pair
    cached.vision_cache.clear()
    a, b = helpers.noise(280, 560, seed=12), helpers.noise(560, 280, seed=13)
    inputs, _, _, fingerprints = cached._preprocess([episode(helpers, [a, b])], 1)
    grids, pixels = inputs["image_grid_thw"], inputs["pixel_values"]
    with torch.inference_mode():
        first = cached.vision_cache.features(cached.model, fingerprints, grids, pixels)
        alone = cached.model.model.get_image_features(pixels, grids).pooler_output
        again = cached.vision_cache.features(cached.model, fingerprints, grids, None)
    assert (cached.vision_cache.hits, cached.vision_cache.misses) == (2, 2)
    for x, y, z in zip(first, alone, again, strict=True):
        assert torch.allclose(x, y, atol=1e-5)
        assert torch.equal(x, z)
    with pytest.raises(ValueError, match="not in the vision cache"):
        cached.vision_cache.features(cached.model, [b"unseen"], grids[:1], None)


def test_the_prompt_is_laid_out_as_the_processor_does(pair, helpers) -> None:
    # Cold cache: every image goes through the image processor; warm: none does, and the prompt is
    # built from the stored grids. Both equal the processor's own one-call output.
    cached, plain = pair
    cached.vision_cache.clear()
    shots = [helpers.noise(1080, 2400, seed=20), helpers.noise(500, 300, seed=21)]
    conversations = [episode(helpers, shots), episode(helpers, shots[1:])]
    want, _, want_sizes, none = plain._preprocess(conversations, 1)
    assert none == []
    cold, _, sizes, fingerprints = cached._preprocess(conversations, 1)
    assert set(cold) == set(want) and sizes == want_sizes
    for key in want:
        assert cold[key].dtype == want[key].dtype, key
        if key == "pixel_values":
            assert torch.equal(cold[key], want[key][: cold[key].shape[0]])  # each image once: shot 2 repeats
            assert cold[key].shape[0] < want[key].shape[0]
        else:
            assert torch.equal(cold[key], want[key]), key
    with torch.inference_mode():
        cached.vision_cache.features(cached.model, fingerprints, cold["image_grid_thw"], cold["pixel_values"])
    warm, _, sizes, _ = cached._preprocess(conversations, 1)
    assert "pixel_values" not in warm and sizes == want_sizes
    for key in ("input_ids", "attention_mask", "mm_token_type_ids", "image_grid_thw"):
        assert torch.equal(warm[key], want[key]), key


def test_an_image_changed_in_place_is_encoded_again(pair, helpers) -> None:
    cached, _ = pair
    cached.vision_cache.clear()
    shot = helpers.noise(300, 300, seed=14)
    cached.generate(episode(helpers, [shot]), max_new_tokens=1)
    shot.paste((255, 0, 0), (0, 0, 50, 50))  # same object, new pixels
    cached.generate(episode(helpers, [shot]), max_new_tokens=1)
    assert (cached.vision_cache.hits, cached.vision_cache.misses) == (0, 2)


def test_capacity_keeps_the_most_recent_images(tiny_dir: Path, helpers) -> None:
    model = load_model(str(tiny_dir), vision_cache=2)
    shots = [helpers.noise(200, 200, seed=s) for s in range(3)]
    for shot in shots:
        model.generate(episode(helpers, [shot]), max_new_tokens=1)
    assert model.vision_cache.stored == 2
    model.generate(episode(helpers, shots[1:]), max_new_tokens=1)
    assert model.vision_cache.misses == 3  # both still there
    model.generate(episode(helpers, shots[:1]), max_new_tokens=1)
    assert model.vision_cache.misses == 4  # the oldest had been evicted
