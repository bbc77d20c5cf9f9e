"""A screenshot's pixel_values made from its resized pixels in one pass: bit for bit the image processor's
own, for every architecture, on the simulated phone's screenshots; the processor still runs wherever its
steps are not the ones reproduced."""

from __future__ import annotations

import copy

import pytest
import torch

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.patches import image_inputs
from qwen2vl_agent.model.pixels import processor_input

APPS = ("", "com.android.contacts", "com.android.settings")
ARCHS = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")


@pytest.fixture(scope="module")
def screenshots(sim_screens) -> list:
    """The simulated phone's home screen and two apps at 1080x2400, plus a landscape crop of odd size."""
    shots = sim_screens(5, APPS)
    shots.append(shots[1].crop((3, 5, 1003, 707)))
    return shots


def _processors(image, image_processor) -> tuple[torch.Tensor, tuple[int, ...]]:
    out = image_processor(images=[processor_input(image, image_processor)], return_tensors="pt")
    return out["pixel_values"], tuple(out["image_grid_thw"][0].tolist())


@pytest.mark.parametrize("arch", ARCHS)
def test_the_pixel_values_are_the_processors_bit_for_bit(tiny_arch_dir, screenshots, arch: str) -> None:
    image_processor = load_model(str(tiny_arch_dir(arch))).processor.image_processor
    for image in screenshots:
        values, grid = image_inputs(image, image_processor)
        theirs, their_grid = _processors(image, image_processor)
        assert grid == their_grid and values.dtype == theirs.dtype == torch.float32
        assert values.shape == theirs.shape and torch.equal(values, theirs)


def _first_frames(values: torch.Tensor, channels: int = 3, frames: int = 2) -> torch.Tensor:
    """The processor's full-width patches with each temporal frame once (they are all the same image)."""
    split = values.reshape(values.shape[0], channels, frames, -1)
    assert torch.equal(split[:, :, 0], split[:, :, 1])
    return split[:, :, 0].reshape(values.shape[0], -1)


def _conversation(image) -> list[Message]:
    return [Message.text("system", "You are a phone agent."), Message("user", (TextPart("Task"), ImagePart(image)))]


@pytest.mark.parametrize("still", [True, False])
def test_the_processor_is_not_run_on_the_fast_path(tiny_dir, screenshots, monkeypatch, still: bool) -> None:
    model = load_model(str(tiny_dir))
    image_processor = model.processor.image_processor
    values, grid = _processors(screenshots[0], image_processor)
    monkeypatch.setattr(type(image_processor), "__call__", lambda *a, **k: pytest.fail("the processor ran"))
    inputs, _, _, _ = model._preprocess([_conversation(screenshots[0])], 1, still=still)
    assert torch.equal(inputs["pixel_values"], _first_frames(values) if still else values)
    assert tuple(inputs["image_grid_thw"][0].tolist()) == grid


@pytest.mark.parametrize("arch", ARCHS)
def test_still_patches_give_the_vision_features_of_both_frames(tiny_arch_dir, screenshots, arch: str) -> None:
    """The matmul form on each frame once, and the convolution on still patches (widened for it), give the
    features the convolution gives on the processor's two frames, to float rounding."""
    from qwen2vl_agent.model.patch_embed import use_linear_patch_embed
    from qwen2vl_agent.model.vision_cache import VisionCache

    model = load_model(str(tiny_arch_dir(arch)), linear_patch_embed=False)
    image_processor, net = model.processor.image_processor, model.model
    frames = image_processor.temporal_patch_size
    values, grid = _processors(screenshots[3], image_processor)
    still, still_grid = image_inputs(screenshots[3], image_processor, still=True)
    assert still_grid == grid and still.shape[1] * frames == values.shape[1]
    grids = torch.tensor([grid])
    with torch.inference_mode():
        expected = net.model.get_image_features(values, grids).pooler_output[0]
        widened = VisionCache(2).features(net, [b"k"], grids, still)[0]  # the convolution, as loaded
        assert use_linear_patch_embed(net, True)
        try:
            linear = VisionCache(2).features(net, [b"k"], grids, still)[0]
            linear_full = VisionCache(2).features(net, [b"k"], grids, values)[0]
        finally:
            use_linear_patch_embed(net, False)
    assert torch.equal(widened, expected)
    torch.testing.assert_close(linear, expected, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(linear_full, expected, rtol=1e-4, atol=1e-4)


def test_backends_of_either_form_over_one_model_reply_alike(tiny_dir, screenshots) -> None:
    """A backend sending still patches and one sending full-width patches share a model: each call gets its
    own form, and the replies are the ones each gives alone."""
    from qwen2vl_agent.model.hf import HFModel

    still = load_model(str(tiny_dir))
    full = load_model(str(tiny_dir), linear_patch_embed=False)
    conversations = [_conversation(shot) for shot in screenshots[:3]]
    alone = [full.generate(c, max_new_tokens=8).text for c in conversations]
    shared = HFModel(still.model, full.processor, full.config)
    for conversation, expected in zip(conversations, alone, strict=True):
        assert still.generate(conversation, max_new_tokens=8).text == expected
        assert shared.generate(conversation, max_new_tokens=8).text == expected
    assert "forward" not in still.model.model.visual.patch_embed.__dict__


@pytest.mark.parametrize("change", ["no normalize", "no rescale", "own patchify", "grey image"])
def test_anything_else_goes_through_the_processor(tiny_model, screenshots, change: str, monkeypatch) -> None:
    image_processor = copy.deepcopy(tiny_model.processor.image_processor)
    image = screenshots[3]
    if change == "no normalize":
        image_processor.do_normalize = False
    elif change == "no rescale":
        image_processor.do_rescale = False
    elif change == "own patchify":
        halved = lambda self, images, **kw: type(self).__mro__[1].patchify(self, images / 2, **kw)
        image_processor.__class__ = type("Own", (type(image_processor),), {"patchify": halved})
    else:
        image = image.convert("L")
    calls = []
    real = type(image_processor).__call__
    monkeypatch.setattr(type(image_processor), "__call__", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    values, grid = image_inputs(image, image_processor)
    theirs = image_processor(images=[processor_input(image, image_processor)], return_tensors="pt")
    assert calls and torch.equal(values, theirs["pixel_values"])
    assert grid == tuple(theirs["image_grid_thw"][0].tolist())
