"""Vision-encoder outputs of screenshots the model has already seen (the "vision cache").

The agent shows the last K screenshots as images (K = 4 by default), so at every step after the first K
the vision encoder would re-encode K - 1 screenshots it encoded on earlier steps. Its output for an image
depends on nothing but that image's pixels (the encoder's attention is block-diagonal per image), so
``HFModel`` keeps each image's output, keyed by a SHA-1 of its pixels, mode and size, and encodes only
the images it has not seen. The cached and the fresh outputs go to ``generate`` together as
precomputed features; the language model's prefill is unchanged (the image tokens still have to be
attended to; what is saved is the encoder, full attention over every 14x14 patch of the image).

One backend instance has one pixel budget, so the same screenshot always becomes the same patches;
the key still carries the patch grid. ``capacity`` images are kept, least recently used out first
(each costs tokens x hidden size values: ~3.9 MB for a phone screenshot on the 2B shape in bfloat16).

Heavy module (imports torch): only ``hf.py`` imports it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import torch


def fingerprint(image: Any) -> bytes:
    """A digest of a PIL image's pixels, mode and size (~7 ms for a 1080x2400 RGB screenshot)."""
    digest = hashlib.sha1(image.tobytes(), usedforsecurity=False)
    digest.update(f"{image.mode} {image.size}".encode())
    return digest.digest()


class VisionCache:
    """Per-image vision encoder outputs, by pixel fingerprint; see the module docstring."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[bytes, tuple[int, ...]], torch.Tensor] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def stored(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry and reset the hit/miss counters."""
        self._entries.clear()
        self.hits = self.misses = 0

    def features(
        self, model: Any, pixel_values: torch.Tensor, grids: torch.Tensor, fingerprints: Sequence[bytes]
    ) -> tuple[torch.Tensor, ...]:
        """Each image's encoder output (``grid.prod() / merge**2`` rows), encoding only the unseen ones, all
        of those in one call. ``pixel_values`` are the processor's patches of all images, in order."""
        sizes = grids.prod(-1).tolist()
        keys = [(fp, tuple(grid)) for fp, grid in zip(fingerprints, grids.tolist(), strict=True)]
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        out: dict[int, torch.Tensor] = {}
        todo = []
        for i, key in enumerate(keys):
            if key in self._entries:
                self._entries.move_to_end(key)
                out[i] = self._entries[key]
            elif any(keys[j] == key for j in todo):
                continue  # the same screenshot twice in one call: encode it once
            else:
                todo.append(i)
        self.hits += len(keys) - len(todo)
        self.misses += len(todo)
        if todo:
            patches = torch.cat([pixel_values[starts[i] : starts[i] + sizes[i]] for i in todo])
            encoded = model.model.get_image_features(patches, grids[todo]).pooler_output
            for i, feats in zip(todo, encoded, strict=True):
                out[i] = feats
                self._entries[keys[i]] = feats
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return tuple(out[i] if i in out else out[keys.index(keys[i])] for i in range(len(keys)))
