"""A screenshot as the image processor's fastest input: uint8, channels-last, already at the budget's size.

The torchvision Qwen2-VL image processor makes its input contiguous channels-first before it resizes, and
torch's antialiased uint8 resize is several times slower in that layout than in the channels-last one a
PIL image's pixels have (AVX2 paths work on interleaved pixels): for a 1080x2400 screenshot that copy and
the slower resize were most of the processor's time. ``processor_input`` calls the processor's own
``resize`` (same interpolation, same antialias, same ``smart_resize`` target) on the channels-last view of
the pixels, copied out of PIL once; the processor then finds the image at its target size and only
rescales, normalises and cuts it into patches. The pixels equal the processor's own resize (the tests
bound the difference on the simulated phone's screenshots and check the patch grid, hence the visual token
count, is the same).

Any other processor (the PIL backend, another model's) or image mode gets the image as it is.
"""

from __future__ import annotations

import warnings
from typing import Any


class Pixels:
    """The pixels of the images of one call, copied out of PIL at most once each: the vision cache's key
    hashes them and ``processor_input`` resizes them (``pixels(image)``: the bytes of ``image.tobytes()``,
    as a uint8 (H, W, C) array for the modes numpy maps so, else as bytes). Keep one only for a call: it
    holds every array it made."""

    def __init__(self) -> None:
        self._arrays: dict[int, tuple[Any, Any]] = {}

    def __call__(self, image: Any) -> Any:
        found = self._arrays.get(id(image))
        if found is None or found[0] is not image:
            found = self._arrays[id(image)] = (image, _array(image))
        return found[1]


def _array(image: Any) -> Any:
    if getattr(image, "mode", None) not in ("RGB", "RGBA", "L"):
        return image.tobytes()
    import numpy as np

    return np.asarray(image)  # one copy (PIL's tobytes); np.array would copy a second time


def processor_input(image: Any, image_processor: Any, pixels: Pixels | None = None) -> Any:
    """``image`` (an RGB PIL image) as a uint8 CHW tensor resized as ``image_processor`` would resize it,
    when it is the torchvision Qwen2-VL image processor with resizing on; otherwise ``image`` unchanged.
    ``pixels`` shares the copy of the pixels with other users of the same call."""
    from transformers.models.qwen2_vl import Qwen2VLImageProcessor

    if (
        getattr(image, "mode", None) != "RGB" or not isinstance(image_processor, Qwen2VLImageProcessor)
        or not image_processor.do_resize
    ):  # fmt: skip
        return image
    resized = image_processor.resize(
        uint8_chw((pixels or Pixels())(image)).unsqueeze(0),
        size=image_processor.size,
        resample=image_processor.resample,
        factor=image_processor.patch_size * image_processor.merge_size,
    )
    return resized[0]


def uint8_chw(array: Any) -> Any:
    """A uint8 (H, W, 3) array as a (3, H, W) tensor on the same memory (channels-last).

    The array may be read-only (PIL's bytes): callers must not write to the tensor (resizing makes a new
    one), so torch's warning about a non-writable array is silenced."""
    import torch

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(array).permute(2, 0, 1)
