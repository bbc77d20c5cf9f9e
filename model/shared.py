"""The state a call sets on a loaded model, owned by that call: several ``HFModel`` may share one model.

Two things live on the transformers model itself rather than in the backend: the patch-embedding form
(``patch_embed.py`` swaps the module's ``forward``) and M-RoPE's ``rope_deltas``, which ``generate`` stores
on the model and a later call would otherwise inherit. ``owned(model, ...)`` holds the model's lock (one per
loaded model, whichever backend calls), sets the form the calling backend is configured for and clears
``rope_deltas``; on the way out it restores the form it found and clears ``rope_deltas`` again. Between
calls the model is therefore exactly as it was loaded, and no backend's settings leak into another's.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from .patch_embed import linear_patch_embed_on, use_linear_patch_embed

_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def model_lock(model: Any) -> threading.Lock:
    """The lock of ``model``: the same object for every backend over it (forgotten with the model)."""
    with _locks_guard:
        lock = _locks.get(model)
        if lock is None:
            lock = _locks[model] = threading.Lock()
        return lock


@contextlib.contextmanager
def owned(model: Any, *, linear_patch_embed: bool) -> Iterator[None]:
    """Run a call on ``model`` alone, in the given patch-embedding form; see the module docstring."""
    with model_lock(model):
        found = linear_patch_embed_on(model)
        use_linear_patch_embed(model, linear_patch_embed)
        _clear_rope_deltas(model)
        try:
            yield
        finally:
            _clear_rope_deltas(model)
            if found is not None:
                use_linear_patch_embed(model, found)


def _clear_rope_deltas(model: Any) -> None:
    inner = getattr(model, "model", None)
    if hasattr(inner, "rope_deltas"):
        inner.rope_deltas = None
