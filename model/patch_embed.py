"""Qwen-VL's patch embedding as one matrix multiply instead of a Conv3d.

The vision tower embeds each 2x14x14 RGB patch (2x16x16 for Qwen3-VL) with a ``Conv3d`` whose kernel
equals its stride: on patches that are already cut out (the processor does that) it is exactly an affine
map of the flattened patch, ``patches @ W.reshape(embed_dim, -1).T (+ b)``. Qwen2-VL and Qwen2.5-VL have
no bias; Qwen3-VL's convolution has one, added after the product as the convolution adds it. The
convolution path is slow for this shape (measured on the CPU: 18 ms for the 5088 patches of one phone
screenshot at the default budget against about 1 ms for the matmul, tiny shape); the results agree to
float rounding (3e-6 in float32).

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
    weight = self.proj.weight
    flat = weight.reshape(weight.shape[0], -1)
    out = hidden_states.to(dtype=weight.dtype).reshape(-1, flat.shape[1]) @ flat.T
    return out if self.proj.bias is None else out + self.proj.bias


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
