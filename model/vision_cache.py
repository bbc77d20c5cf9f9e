"""Vision-encoder outputs of screenshots the model has already seen (the "vision cache").

The agent shows the last K screenshots as images (K = 4 by default), so at every step after the first K
the vision encoder would re-encode K - 1 screenshots it encoded on earlier steps. Its output for an image
depends on nothing but that image's pixels (the encoder's attention is block-diagonal per image), so
``HFModel`` keeps each image's output, keyed by a fast digest of its pixels, mode and size, and encodes only
the images it has not seen. The cached and the fresh outputs go to ``generate`` together as
precomputed features; the language model's prefill is unchanged (the image tokens still have to be
attended to; what is saved is the encoder, full attention over every 14x14 patch of the image).

Qwen3-VL's encoder also returns "deepstack" features (one per listed vision block, added to the first LLM
layers at the image tokens); they depend on the image alone too and are kept beside the output.

One backend instance has one pixel budget, so the same screenshot always becomes the same patches;
an entry also keeps the image's patch grid, so a stored screenshot skips the image processor too (its
prompt tokens are laid out from the grid alone). ``capacity`` images are kept, least recently used out first
(each costs tokens x hidden size values: ~3.9 MB for a phone screenshot on the 2B shape in bfloat16).

Heavy module (imports torch): only ``hf.py`` imports it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import torch

from .patch_embed import widened

KEY = "qwen2vl_agent.pixels"  # where an image keeps its fingerprint, in its own ``info`` metadata
SAMPLE = (128, 128)

# One image's cached encoder output: its pooled features and its deepstack features (empty for Qwen2/2.5-VL).
Features = tuple[torch.Tensor, tuple[torch.Tensor, ...]]


def fingerprint(image: Any, pixels: Callable[[Any], Any] | None = None) -> bytes:
    """A digest of a PIL image's pixels, mode and size.

    A 128-bit xxh3 (non-cryptographic: the key tells screenshots apart, it need not resist an adversary),
    computed once per image and kept in ``image.info`` with a digest of a 128x128 pixel sample: the history
    screenshots of later steps are checked on the sample (~0.1 ms) instead of hashed again (~10 ms for a
    1080x2400 screenshot, most of it copying the pixels out of PIL). An image changed in place since is
    hashed afresh when the change touches the sample; nothing in the runtime changes a screenshot in place.
    ``pixels(image)``, when given, is the image's pixel buffer the caller needs anyway (the bytes of
    ``image.tobytes()``, e.g. ``pixels.Pixels``), so they are copied out of PIL once for both.
    """
    import xxhash

    check = xxhash.xxh3_64_digest(image.resize(SAMPLE, 0).tobytes())  # 0: nearest pixel
    shape = f"{image.mode} {image.size}".encode()
    known = image.info.get(KEY)
    if isinstance(known, tuple) and known[1:] == (check, shape):
        return known[0]
    digest = xxhash.xxh3_128(pixels(image) if pixels is not None else image.tobytes())
    digest.update(shape)
    image.info[KEY] = (digest.digest(), check, shape)
    return image.info[KEY][0]


class VisionCache:
    """Per-image grid and vision encoder output, by pixel fingerprint; see the module docstring."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[bytes, tuple[tuple[int, ...], Features]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def stored(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry and reset the hit/miss counters."""
        self._entries.clear()
        self.hits = self.misses = 0

    def grid(self, key: bytes) -> tuple[int, ...] | None:
        """The (t, h, w) patch grid of a stored image, None for one not seen (or evicted)."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None else None

    def features(
        self, model: Any, fingerprints: Sequence[bytes], grids: torch.Tensor, pixel_values: torch.Tensor | None
    ) -> tuple[torch.Tensor, ...]:
        """Each image's encoder output (``grid.prod() / merge**2`` rows), in order. ``pixel_values`` holds the
        processor's patches of the images not stored yet, each once, in order of first appearance (or their
        still form, ``patch_embed.still_width``); those are encoded in one call and stored."""
        return tuple(pooled for pooled, _ in self.lookup(model, fingerprints, grids, pixel_values))

    def encoder_outputs(
        self, model: Any, fingerprints: Sequence[bytes], grids: torch.Tensor, pixel_values: torch.Tensor | None
    ) -> Any:
        """``features`` as the precomputed image output ``generate`` takes (``mm_encoder_outputs["image"]``),
        with the deepstack features per layer where the model has them."""
        return encoder_outputs(self.lookup(model, fingerprints, grids, pixel_values))

    def lookup(
        self, model: Any, fingerprints: Sequence[bytes], grids: torch.Tensor, pixel_values: torch.Tensor | None
    ) -> list[Features]:
        """Each image's (pooled, deepstack) encoder output; see ``features``."""
        found: dict[bytes, Features] = {}
        todo: dict[bytes, tuple[int, ...]] = {}
        for key, grid in zip(fingerprints, grids.tolist(), strict=True):
            if key in self._entries:
                self._entries.move_to_end(key)
                found[key] = self._entries[key][1]
                self.hits += 1
            elif key not in todo:
                todo[key] = tuple(grid)
        self.misses += len(todo)
        if todo:
            if pixel_values is None:
                raise ValueError(f"{len(todo)} image(s) are not in the vision cache and no pixels were given")
            new_grids = torch.tensor(list(todo.values()), device=grids.device)
            encoded = model.model.get_image_features(widened(model, pixel_values), new_grids)
            layers = getattr(encoded, "deepstack_features", None) or []
            for i, (key, grid) in enumerate(todo.items()):
                feats = (encoded.pooler_output[i], tuple(layer[i] for layer in layers))
                found[key] = feats
                self._entries[key] = (grid, feats)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return [found[key] for key in fingerprints]


def encoder_outputs(features: list[Features]) -> Any:
    """``features`` as the precomputed image output ``generate`` takes (``mm_encoder_outputs["image"]``):
    per-image tuples, with the deepstack features per layer where the model has them."""
    from transformers.modeling_outputs import BaseModelOutputWithPooling

    pooled = tuple(f for f, _ in features)
    depth = len(features[0][1]) if features else 0
    if not depth:
        return BaseModelOutputWithPooling(pooler_output=pooled)
    from transformers.models.qwen3_vl.modeling_qwen3_vl import BaseModelOutputWithDeepstackFeatures

    layers = [tuple(deep[layer] for _, deep in features) for layer in range(depth)]
    return BaseModelOutputWithDeepstackFeatures(pooler_output=pooled, deepstack_features=layers)
