"""Screenshots resized ahead of the image processor: the model sees the pixels the processor's own resize
gives, at the same patch grid (so the same visual token count), on real-looking screenshots."""

from __future__ import annotations

import pytest
import torch

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.pixels import processor_input

APPS = ("", "com.android.contacts", "com.android.settings", "com.google.android.apps.maps")


@pytest.fixture(scope="module")
def screenshots(sim_screens) -> list:
    """The simulated phone's home screen and three apps at 1080x2400, plus a landscape-sized crop."""
    shots = sim_screens(3, APPS)
    shots.append(shots[1].crop((0, 0, 1000, 700)))
    return shots


def levels(pixels: torch.Tensor, processor) -> torch.Tensor:
    """Normalized pixel values back in 0-255 levels (patch layout: channel is the slowest of the patch dims)."""
    std = torch.tensor(processor.image_std).repeat_interleave(pixels.shape[1] // 3)
    return pixels * std * 255


@pytest.mark.parametrize("shot", range(len(APPS) + 1))
def test_resized_ahead_the_model_sees_the_processors_pixels(tiny_model, screenshots, shot: int) -> None:
    image, processor = screenshots[shot], tiny_model.processor.image_processor
    ready = processor_input(image, processor)
    width, height = tiny_model.image_size(*image.size)
    assert isinstance(ready, torch.Tensor) and tuple(ready.shape) == (3, height, width)  # resized here
    ours = processor(images=[ready], return_tensors="pt")
    theirs = processor(images=[image], return_tensors="pt")  # the processor's own conversion and resize
    assert torch.equal(ours["image_grid_thw"], theirs["image_grid_thw"])
    diff = (levels(ours["pixel_values"], processor) - levels(theirs["pixel_values"], processor)).abs()
    assert float(diff.max()) <= 1.0 + 1e-3 and float(diff.mean()) < 0.5


def test_the_prompt_keeps_its_visual_token_count(tiny_model, screenshots) -> None:
    image = screenshots[2]
    conversation = [
        Message.text("system", "You are a phone agent."),
        Message("user", (TextPart("Task"), ImagePart(image))),
    ]
    if tiny_model.vision_cache is not None:
        tiny_model.vision_cache.clear()
    inputs, _, sizes, _ = tiny_model._preprocess([conversation], 1)
    pad = tiny_model.tokenizer.convert_tokens_to_ids(tiny_model.processor.image_token)
    assert sizes == [tiny_model.image_size(*image.size)]
    assert int((inputs["input_ids"] == pad).sum()) == tiny_model.image_tokens(*image.size)


def test_other_processors_and_images_get_the_image_as_it_is(tiny_model, screenshots) -> None:
    from transformers.models.qwen2_vl import Qwen2VLImageProcessorPil

    pil = Qwen2VLImageProcessorPil()
    assert processor_input(screenshots[0], pil) is screenshots[0]
    grey = screenshots[0].convert("L")
    assert processor_input(grey, tiny_model.processor.image_processor) is grey


def test_a_key_from_shared_pixels_is_the_key_from_the_image_alone(screenshots) -> None:
    from qwen2vl_agent.model.pixels import Pixels
    from qwen2vl_agent.model.vision_cache import fingerprint

    pixels = Pixels()
    image, same = screenshots[1].copy(), screenshots[1].copy()
    assert fingerprint(image, pixels) == fingerprint(same)  # the scripting cache and replays key without them
    assert pixels(image) is pixels(image) and bytes(pixels(image)) == image.tobytes()
    grey = screenshots[0].convert("P")
    assert pixels(grey) == grey.tobytes()
