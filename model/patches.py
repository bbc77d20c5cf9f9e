"""One screenshot's ``pixel_values`` and patch grid, made from its resized uint8 pixels in one pass.

After ``pixels.processor_input`` has resized a screenshot, what is left of the Qwen-VL image processor's
work is arithmetic and layout: convert to float32, rescale and normalise (fused: ``(x - 255 mean) /
(255 std)``), cut into ``merge x merge`` groups of ``patch x patch`` patches and repeat each patch for the
temporal patch (a still image is its own second frame). The processor does it in that order, so the
float32 image is made, normalised in place and then gathered element by element from a channels-last
layout into a tensor twice its size. Here the gather comes first, on the uint8 pixels (a quarter of the
bytes), the arithmetic runs once on each patch, and the temporal repeat is one contiguous copy, or none:
``still`` leaves it out for a patch embedding that takes each frame once (``patch_embed.py``), which
halves the largest buffer of the host's step (24 MB for a 1080x2400 screenshot at the default budget,
fresh pages from the system on every call, hence thousands of page faults).

The values are the processor's own, bit for bit: the same float32 mean and std tensors, the same
subtraction then division (the tests compare against the processor on the simulated phone's
screenshots, for every architecture). Where anything differs from the case this reproduces (another
processor class or one that overrides these steps, rescaling or normalising switched off, an input that
was not resized here), the processor runs as it is.
"""

from __future__ import annotations

from typing import Any

from .pixels import Pixels, processor_input


def image_inputs(
    image: Any, image_processor: Any, pixels: Pixels | None = None, *, still: bool = False
) -> tuple[Any, tuple[int, ...]]:
    """``(pixel_values, (t, h, w) grid)`` of one image, as ``image_processor(images=[image])`` gives them.

    ``still``: each patch's temporal frames given once (``patch_embed.still_width`` wide), for a patch
    embedding that sums its kernel over time (``patch_embed``'s matmul form); where the processor runs,
    its full-width values are returned, which every form takes."""
    import torch

    ready = processor_input(image, image_processor, pixels)
    if isinstance(ready, torch.Tensor) and _reproducible(image_processor):
        return _patchify(ready, image_processor, still)
    out = image_processor(images=[ready], return_tensors="pt")
    return out["pixel_values"], tuple(out["image_grid_thw"][0].tolist())


def _reproducible(image_processor: Any) -> bool:
    """Whether the processor's rescale, normalise and patchify are the ones ``_patchify`` reproduces."""
    from transformers.image_processing_backends import TorchvisionBackend
    from transformers.models.qwen2_vl import Qwen2VLImageProcessor

    kind = type(image_processor)
    return (
        isinstance(image_processor, Qwen2VLImageProcessor) and kind.patchify is Qwen2VLImageProcessor.patchify
        and kind.rescale_and_normalize is TorchvisionBackend.rescale_and_normalize
        and kind.normalize is TorchvisionBackend.normalize
        and bool(image_processor.do_rescale) and bool(image_processor.do_normalize)
    )  # fmt: skip


def _scale(image_processor: Any) -> tuple[Any, Any]:
    """The fused mean and std, as the processor makes them (float32, multiplied by 1 / rescale_factor)."""
    import torch

    factor = 1.0 / image_processor.rescale_factor
    mean = torch.tensor(list(image_processor.image_mean)) * factor
    std = torch.tensor(list(image_processor.image_std)) * factor
    return mean, std


def _patchify(resized: Any, image_processor: Any, still: bool) -> tuple[Any, tuple[int, ...]]:
    """The processor's ``rescale_and_normalize`` then ``patchify`` of a (C, H, W) uint8 image."""
    import torch

    patch, merge, temporal = image_processor.patch_size, image_processor.merge_size, image_processor.temporal_patch_size
    channels, height, width = resized.shape
    grid_h, grid_w = height // patch, width // patch
    hwc = resized.permute(1, 2, 0)  # a view; contiguous when ``resized`` is channels-last, as resizing makes it
    # (H, W, C) -> (grid_h/merge, grid_w/merge, merge, merge, patch_row, patch_col * C): runs of patch * C bytes
    rows = hwc.reshape(grid_h // merge, merge, patch, grid_w // merge, merge, patch * channels)
    rows = rows.permute(0, 3, 1, 4, 2, 5).reshape(grid_h * grid_w, patch, patch, channels)
    mean, std = _scale(image_processor)
    one = torch.empty(grid_h * grid_w, channels, 1, patch, patch, dtype=torch.float32)
    torch.sub(rows.permute(0, 3, 1, 2).unsqueeze(2), mean.view(1, -1, 1, 1, 1), out=one)
    one.div_(std.view(1, -1, 1, 1, 1))
    values = one if still else one.expand(-1, -1, temporal, -1, -1)
    return values.reshape(grid_h * grid_w, -1), (1, grid_h, grid_w)
