"""Pieces of one ``generate`` call in the transformers backend: stop strings, the first-token clock, the
generation config and the static cache of a call, and reading each output row back into (text, token count,
stop reason).

Heavy module (imports torch and transformers): only ``hf.py`` imports it, when a model is built.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import torch
from transformers import StoppingCriteria

from .base import cut_at_stop

if TYPE_CHECKING:
    from .prefix import Prepared

# Static caches are sized in steps of this many tokens, so that calls of similar length share one shape
# (and, on CUDA, one compiled decode graph).
STATIC_BUCKET = 256


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


def eos_ids(defaults, tokenizer) -> set[int]:
    """Token ids that end a reply: the checkpoint's eos ids (``defaults``: its generation config),
    ``<|im_end|>`` and ``<|endoftext|>``."""
    eos = defaults.eos_token_id
    ids = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
    for token in ("<|im_end|>", "<|endoftext|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id:
            ids.add(token_id)
    return ids


def generation_config(defaults, config, ends: Collection[int], tokenizer, new_tokens: int):
    """A copy of the checkpoint's generation config (``defaults``) for one call of up to ``new_tokens``,
    with ``config``'s (``HFModelConfig``) minimum length and sampling, ending at ``ends``."""
    out = copy.deepcopy(defaults)
    out.max_new_tokens = new_tokens
    out.min_new_tokens = min(config.min_new_tokens, new_tokens) or None
    out.eos_token_id = sorted(ends)
    out.pad_token_id = tokenizer.pad_token_id
    if config.greedy:
        out.do_sample = False
        out.temperature = out.top_p = out.top_k = None
    else:
        out.do_sample = True
    return out


def static_cache(model_config, prepared: Prepared, new_tokens: int) -> Any:
    """A preallocated cache for the whole call (prompt and new tokens, rounded up to ``STATIC_BUCKET`` so
    calls of similar length share one shape), holding the cached prefix when there is one."""
    from transformers import StaticCache

    width = prepared.inputs["input_ids"].shape[1]
    length = -(-(width + new_tokens) // STATIC_BUCKET) * STATIC_BUCKET
    static = StaticCache(config=model_config, max_cache_len=length)
    if prepared.cache is not None:
        with torch.inference_mode():
            for source, target in zip(prepared.cache.layers, static.layers, strict=True):
                target.update(source.keys, source.values)  # writes positions 0..n-1
    return static
