"""Reusing the keys/values of the prompt's stable head across calls (the "prefix cache").

Every agent prompt starts with the same system turn (instruction and tool section: ~1300 tokens with
Qwen's tokenizer, about as many as one screenshot at the default budget), then the task and, later in
an episode, the steps whose screenshots have already been replaced by text. Those keys/values are the
same every step (and the system turn in every row of a batch), so ``HFModel`` computes them once and
hands a copy to ``generate``, which then runs the prefill only on the rest of each row.

What is cached, and why it is exact:
- The head of the prompt before the first image, common to all rows of the batch. Text tokens before
  the first image get M-RoPE positions ``0..n-1`` on all three axes no matter what follows (see
  ``hf.py``), so keys computed for the prefix alone equal the keys a full prefill computes. The head up
  to the last turn start in it (the system turn, for the agent's prompts) is stored as well, since
  every episode shares it. When the image window slides, the first kept image moves later and the
  head grows: the longest stored prefix of it is extended by the new tokens, not recomputed (a prefix
  must match token for token: if the text that replaced an image re-tokenizes the end of the old
  head, the extension starts at the last stored prefix that still matches).
- A batch is laid out as ``[prefix | left padding | rest of the row]`` with the padding masked out.
  transformers' ``get_rope_index`` numbers only unmasked tokens, so every row gets the positions it
  would have alone and batched greedy output still equals one-at-a-time output.
- The cache holds ``capacity`` prefixes (least recently used goes first), each at batch size 1; a call
  copies one and repeats it along the batch. Memory per prefix: 2 x layers x kv_heads x head_dim x
  tokens x bytes per value (~38 MB for the 2B shape at 1300 tokens in bfloat16).

Needs transformers' generation to accept a cache whose uncached tokens hold new images (checked by
``supported()``); on older versions ``HFModel`` runs without it.

Heavy module (imports torch): only ``hf.py`` imports it.
"""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import torch

log = logging.getLogger(__name__)

# The oldest transformers release this was checked against (continuing generation from a cache whose
# uncached part holds images, and ``cache=`` as the keyword).
MIN_TRANSFORMERS = (5, 24)


def supported() -> bool:
    """Whether the installed transformers can continue generation from a cached prefix with images after it
    and take precomputed image features (``mm_encoder_outputs``, for ``vision_cache.py``)."""
    import transformers

    parts = []
    for part in transformers.__version__.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts) >= MIN_TRANSFORMERS


@dataclass
class Prepared:
    """A batch re-laid out around a cached prefix: ``inputs`` for ``generate`` plus the cache to pass."""

    inputs: dict[str, Any]
    cache: Any | None
    cached_tokens: int


class PrefixCache:
    """Keys/values of prompt prefixes, by token ids; see the module docstring."""

    def __init__(
        self, model: Any, *, capacity: int, min_tokens: int, turn_start_id: int, vision_start_id: int, pad_id: int
    ) -> None:
        self.model = model
        self.capacity = capacity
        self.min_tokens = min_tokens
        self.turn_start_id = turn_start_id
        self.vision_start_id = vision_start_id
        self.pad_id = pad_id
        self._entries: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self.hits = 0  # calls whose whole prefix was stored
        self.misses = 0  # prefixes computed (from a stored shorter one, or from scratch)
        self.computed_tokens = 0

    @property
    def stored(self) -> int:
        """How many prefixes are held now."""
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry and reset the counters."""
        self._entries.clear()
        self.hits = self.misses = self.computed_tokens = 0

    # ------------------------------------------------------------------ the prefix of a batch

    def prefix_length(self, rows: list[list[int]]) -> tuple[int, int]:
        """(n, turn): the head of every row that can be cached (before any image, common to all rows, at
        least one token per row left to the prefill; 0 when shorter than ``min_tokens``) and the start of
        the last whole turn within it (0 when there is none), stored too because later prompts share it."""
        limit = min(row.index(self.vision_start_id) if self.vision_start_id in row else len(row) - 1 for row in rows)
        first = rows[0]
        n = limit
        for row in rows[1:]:
            n = next((i for i in range(n) if row[i] != first[i]), n)
        if n < self.min_tokens:
            return 0, 0
        turn = next((i for i in range(n, 0, -1) if first[i] == self.turn_start_id), 0)
        return n, turn if turn >= self.min_tokens else 0

    # ------------------------------------------------------------------ use

    def prepare(self, inputs: Any) -> Prepared:
        """Re-lay ``inputs`` (the processor's left-padded output, on the model's device) around the longest
        cacheable prefix, computing and storing its keys/values on a miss."""
        ids, mask = inputs["input_ids"], inputs["attention_mask"]
        keep = mask.bool()
        rows = [ids[r][keep[r]].tolist() for r in range(ids.shape[0])]
        n, turn = self.prefix_length(rows) if self.capacity else (0, 0)
        if not n:
            return Prepared(dict(inputs), None, 0)
        entry = self._get(tuple(rows[0][:n]), turn)
        batch, width = ids.shape
        cache = copy.deepcopy(entry)
        if batch > 1:
            cache.batch_repeat_interleave(batch)
        laid = dict(inputs)
        for name, fill in (("input_ids", self.pad_id), ("attention_mask", 0), ("mm_token_type_ids", 0)):
            if name not in inputs:
                continue
            old = inputs[name]
            new = torch.full_like(old, fill)
            for r in range(batch):
                values = old[r][keep[r]]
                new[r, :n] = values[:n]
                rest = values.shape[0] - n
                new[r, width - rest :] = values[n:]
            laid[name] = new
        return Prepared(laid, cache, n)

    def _get(self, key: tuple[int, ...], turn: int) -> Any:
        """The cache for ``key``: stored, or computed from the longest stored prefix of it (after storing
        ``key[:turn]`` on the way, when that is longer than what is stored)."""
        if key in self._entries:
            self.hits += 1
            self._entries.move_to_end(key)
            return self._entries[key]
        base = max((k for k in self._entries if len(k) < len(key) and key[: len(k)] == k), key=len, default=())
        if len(base) < turn < len(key):
            self._extend(key[:turn], base)
            base = key[:turn]
        return self._extend(key, base)

    def _extend(self, key: tuple[int, ...], base: tuple[int, ...]) -> Any:
        """Compute ``key``'s keys/values from ``base``'s (a stored prefix of it, or empty), store and return them."""
        cache = None
        if base:
            self._entries.move_to_end(base)
            cache = copy.deepcopy(self._entries[base])
        tokens = torch.tensor([key[len(base) :]], dtype=torch.long, device=self.model.device)
        self.model.model.rope_deltas = None  # text-only positions: plain 0..n-1 on every M-RoPE axis
        with torch.inference_mode():
            out = self.model(input_ids=tokens, cache=cache, use_cache=True, logits_to_keep=1)
        self.model.model.rope_deltas = None
        self.misses += 1
        self.computed_tokens += len(key) - len(base)
        self._entries[key] = out.cache
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        log.debug("prefix cache: stored %d tokens (%d computed now)", len(key), len(key) - len(base))
        return out.cache


def prefix_cache_for(model: Any, tokenizer: Any, capacity: int) -> PrefixCache | None:
    """The prefix cache of ``capacity`` prefixes for ``model``; None when it is off (0), or where it cannot
    work: transformers older than ``supported()`` asks, or a tokenizer without ``<|im_start|>``."""
    if not capacity:
        return None
    if not supported():
        log.info("prefix cache off: it needs transformers 5.24 or newer")
        return None
    turn_start = tokenizer.convert_tokens_to_ids("<|im_start|>")
    if not isinstance(turn_start, int) or turn_start == tokenizer.unk_token_id:
        log.info("prefix cache off: the tokenizer has no <|im_start|> token")
        return None
    return PrefixCache(
        model,
        capacity=capacity,
        min_tokens=32,
        turn_start_id=turn_start,
        vision_start_id=model.config.vision_start_token_id,
        pad_id=tokenizer.pad_token_id,
    )
