"""The screen fingerprint: one coarse digest of a screenshot, equal for visually identical screens.

It is what "the screen did not change" means to progress detection. (Settling after an action compares
subsampled frames with a tolerance instead, ``android.settle``; the model's vision cache keys images by an
exact pixel digest, ``model.vision_cache``: neither may use this coarse one.)
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image


def fingerprint(image: Image) -> str:
    """A 32x32 greyscale thumbnail at 16 levels, hashed: cheap, and blind to noise below that grain."""
    small = image.convert("L").resize((32, 32))
    coarse = bytes(v >> 4 for v in small.tobytes())
    return hashlib.blake2b(coarse, digest_size=16).hexdigest()
