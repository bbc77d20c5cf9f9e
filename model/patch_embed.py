"""Qwen-VL's patch embedding as one matrix multiply instead of a Conv3d.

The vision tower embeds each 2x14x14 RGB patch (2x16x16 for Qwen3-VL) with a ``Conv3d`` whose kernel
equals its stride: on patches that are already cut out (the processor does that) it is exactly an affine
map of the flattened patch, ``patches @ W.reshape(embed_dim, -1).T (+ b)``. Qwen2-VL and Qwen2.5-VL have
no bias; Qwen3-VL's convolution has one, added after the product as the convolution adds it. The
convolution path is slow for this shape (measured on the CPU: 18 ms for the 5088 patches of one phone
screenshot at the default budget against about 1 ms for the matmul, tiny shape); the results agree to
float rounding (3e-6 in float32).

A still image's patches can come once instead of once per temporal frame (``still_width``: half the width
for a temporal patch of 2; ``patches.image_inputs(still=True)``): both frames are the same image, so the
convolution equals the kernel summed over time applied to one frame. The matmul form takes either width
(the kernel is summed, in float32, for the narrow one); ``widened`` gives the convolution the full width.
Summing the kernel first changes the order of the additions only (float rounding).

``use_linear_patch_embed(model, True)`` swaps the module's ``forward`` on this model instance (no class
is patched); ``False`` puts the original back. A model whose vision tower does not look as expected is
left alone.
"""

from __future__ import annotations

import logging
import types
from typing import Any

log = logging.getLogger(__name__)


def _linear_forward(self: Any, hidden_states: Any) -> Any:
    import torch

    weight = self.proj.weight
    if hidden_states.shape[-1] == still_width(self.proj):  # a still image's patches, each frame once
        weight = weight.sum(dim=2, dtype=torch.float32).to(weight.dtype)
    flat = weight.reshape(weight.shape[0], -1)
    out = hidden_states.to(dtype=weight.dtype).reshape(-1, flat.shape[1]) @ flat.T
    return out if self.proj.bias is None else out + self.proj.bias


def still_width(proj: Any) -> int:
    """The width of one still image's patch with its temporal frames given once (``proj``: the Conv3d)."""
    return proj.in_channels * proj.kernel_size[1] * proj.kernel_size[2]


def widened(model: Any, pixel_values: Any) -> Any:
    """``pixel_values`` as ``model``'s patch embedding takes them now: still patches (one frame each) are
    repeated over the temporal frames when it is the convolution; anything else is returned as it is."""
    embed = _patch_embed(model)
    if embed is None or "forward" in embed.__dict__ or pixel_values.shape[-1] != still_width(embed.proj):
        return pixel_values
    channels, frames = embed.proj.in_channels, embed.proj.kernel_size[0]
    one = pixel_values.reshape(pixel_values.shape[0], channels, 1, -1)
    return one.expand(-1, -1, frames, -1).reshape(pixel_values.shape[0], -1)


def _patch_embed(model: Any) -> Any | None:
    import torch

    visual = getattr(getattr(model, "model", model), "visual", None)
    embed = getattr(visual, "patch_embed", None)
    proj = getattr(embed, "proj", None)
    if not isinstance(proj, torch.nn.Conv3d) or proj.kernel_size != proj.stride:
        return None
    if proj.padding != (0, 0, 0) or proj.groups != 1 or proj.dilation != (1, 1, 1):
        return None
    return embed


def use_linear_patch_embed(model: Any, enabled: bool) -> bool:
    """Switch ``model``'s patch embedding to the matmul form (or back); True when the switch applies."""
    embed = _patch_embed(model)
    if embed is None:
        log.debug("patch embedding left as it is: not a Conv3d with kernel == stride")
        return False
    if enabled:
        embed.forward = types.MethodType(_linear_forward, embed)
    else:
        embed.__dict__.pop("forward", None)
    return True


def linear_patch_embed_on(model: Any) -> bool | None:
    """Whether ``model``'s patch embedding runs in the matmul form now; None where the switch does not apply."""
    embed = _patch_embed(model)
    return None if embed is None else "forward" in embed.__dict__
