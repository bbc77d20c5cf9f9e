"""Counting tokens as transformers generates them: a streamer that decodes nothing.

Heavy module (imports transformers): only ``hf.py`` imports it, when a call is watched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from transformers.generation.streamers import BaseStreamer

from .streaming import TokenObserver


class CountingStreamer(BaseStreamer):
    """Tells ``observer`` the number of tokens generated so far after each decoding step.

    ``generate`` calls ``put`` first with the prompt ids (shape (batch, prompt length)), which are not
    counted, then once per step with that step's token of every row (shape (batch,)), or, when a step
    yields several (assisted decoding), with shape (batch, k); ``end`` once at the end. Rows of a batch
    advance together, so the count is the number of steps. The clock starts at the first new token, which
    comes right after the prefill, so ``decode_s`` covers decoding only.
    """

    def __init__(self, observer: TokenObserver, clock: Callable[[], float] = time.perf_counter) -> None:
        self.observer = observer
        self.clock = clock
        self.tokens = 0
        self.first_at: float | None = None
        self._prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        now = self.clock()
        if self.first_at is None:
            self.first_at = now
        self.tokens += value.shape[-1] if value.dim() > 1 else 1
        self.observer.on_tokens(self.tokens, now - self.first_at)

    def end(self) -> None:
        """Nothing is held back: every count was reported as it came."""
