"""The screen fingerprint: one coarse digest of a screenshot, equal for visually identical screens.

It is what "the screen did not change" means to progress detection. It is cheap (a 128x128 nearest-pixel
sample averaged down to 32x32: it reads 16 384 pixels, never the whole frame) and computed once per
screenshot: an env that makes the observation stores it as ``Observation.extra["fingerprint"]`` and
``of(observation)`` reuses it. (Settling after an action compares subsampled frames with a tolerance instead,
``android.settle``; the model's vision cache keys images by an exact pixel digest, ``model.vision_cache``:
neither may use this coarse one.)
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

    from .base import Observation

KEY = "fingerprint"
SAMPLE = (128, 128)


def fingerprint(image: Image) -> str:
    """A 32x32 greyscale thumbnail at 16 levels, hashed: cheap, and blind to noise below that grain."""
    from PIL.Image import Resampling

    small = image.resize(SAMPLE, Resampling.NEAREST).resize((32, 32), Resampling.BOX).convert("L")
    coarse = bytes(v >> 4 for v in small.tobytes())
    return hashlib.blake2b(coarse, digest_size=16).hexdigest()


def of(observation: Observation) -> str:
    """``observation``'s fingerprint: the one its env stored, else computed (and stored) now."""
    found = observation.extra.get(KEY)
    if not isinstance(found, str):
        found = observation.extra[KEY] = fingerprint(observation.screenshot)
    return found
