"""Pieces of one ``generate`` call in the transformers backend: stop strings, the first-token clock, and
reading each output row back into (text, token count, stop reason).

Heavy module (imports torch and transformers): only ``hf.py`` imports it, when a model is built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

import torch
from transformers import StoppingCriteria

from .base import cut_at_stop


def synchronizer(device: torch.device) -> Callable[[], None]:
    """A function that waits for queued work on ``device``, so wall-clock timings are honest."""
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


class StopOnStrings(StoppingCriteria):
    """Stop a row once its generated text contains any of ``stop``.

    Each step decodes only a tail window of the new tokens: a stop string of b UTF-8 bytes spans at
    most b tokens (every token is at least one byte), and the string is caught on the step that
    completes it, so a window of b + 2 tokens always holds it. The backend still cuts the text
    client-side (``cut_at_stop``), which also drops anything after the stop within the last token.
    """

    def __init__(self, tokenizer, stop: Sequence[str], prompt_length: int) -> None:
        self.tokenizer = tokenizer
        self.stop = [s for s in stop if s]
        self.prompt_length = prompt_length
        self.window = max((len(s.encode("utf-8")) for s in self.stop), default=0) + 2

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        start = max(self.prompt_length, input_ids.shape[1] - self.window)
        texts = self.tokenizer.batch_decode(input_ids[:, start:].tolist(), skip_special_tokens=False)
        hits = [any(s in text for s in self.stop) for text in texts]
        return torch.tensor(hits, dtype=torch.bool, device=input_ids.device)


class FirstTokenClock(StoppingCriteria):
    """Never stops; records when the first new token exists (end of prefill, vision encoder included).

    transformers calls stopping criteria once per generated token, right after it is chosen, so the
    first call marks the end of the prefill forward pass.
    """

    def __init__(self, sync: Callable[[], None]) -> None:
        self.sync = sync
        self.first_token_at: float | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        if self.first_token_at is None:
            self.sync()
            self.first_token_at = time.perf_counter()
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


def read_row(new_ids: Sequence[int], tokenizer, end_ids: Collection[int], stop: Sequence[str]) -> tuple[str, int, str]:
    """Return (text cut before the first stop string, tokens generated, stop reason) for one row.

    ``end_ids`` are the eos ids and the pad id. A row ends at its first end id: a generated eos (which
    counts as a generated token), or the padding transformers writes after a row that a stop string
    finished early (which does not). Special tokens other than these are kept in the text
    (``<|box_start|>`` and friends carry grounding).
    """
    ids = list(new_ids)
    end = next((i for i, t in enumerate(ids) if t in end_ids), None)
    text, stopped = cut_at_stop(tokenizer.decode(ids if end is None else ids[:end], skip_special_tokens=False), stop)
    if stopped:
        return text, len(ids) if end is None else end, "stop"
    if end is None:
        return text, len(ids), "length"
    return text, end + 1, "eos"


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """Token ids that end a reply: the checkpoint's eos ids, ``<|im_end|>`` and ``<|endoftext|>``."""
    eos = model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
    for token in ("<|im_end|>", "<|endoftext|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id:
            ids.add(token_id)
    return ids
