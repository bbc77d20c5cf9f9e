"""Tokens as they are generated: the small interface between a backend that streams and whoever watches it.

A backend that can report its progress mid-call implements ``Streams``: ``watch(observer)`` is a context
manager inside which every call tells ``observer.on_tokens(tokens, decode_s)`` after each new token (the
count so far, and the seconds since the first token, so ``(tokens - 1) / decode_s`` is the decoding rate,
the same measure as ``Generation.decode_tokens_per_s``). Watching changes nothing a call returns.

``watching(model, observer)`` is what callers use: it watches when both sides take part (a backend that
streams, an observer with ``on_tokens``) and does nothing otherwise, so no caller asks which backend it has.
Light module: importing it loads neither torch nor transformers.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class TokenObserver(Protocol):
    """Told about each new token of a call; called on the generating thread, so it must be quick."""

    def on_tokens(self, tokens: int, decode_s: float) -> None:
        """``tokens`` generated so far in this call (for a batch: decoding steps, the longest row's count),
        ``decode_s`` seconds since the first of them."""


@runtime_checkable
class Streams(Protocol):
    """A backend that reports tokens while it generates."""

    def watch(self, observer: TokenObserver) -> AbstractContextManager[None]:
        """Within the context, every call reports its tokens to ``observer``."""


def watching(model: object, observer: object) -> AbstractContextManager[None]:
    """``model.watch(observer)`` when the model streams and the observer observes tokens, else nothing."""
    if isinstance(model, Streams) and isinstance(observer, TokenObserver):
        return model.watch(observer)
    return contextlib.nullcontext()
