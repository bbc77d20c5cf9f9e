"""``PromptTokens``: the prompt's token ids without re-tokenizing what does not change.

Two things are the same at every step and cost most of the tokenizer's time: the system turn (the tool
section, a thousand tokens or so) and the image pads (one ``<|image_pad|>`` per patch group: about 1 300 per
phone screenshot). Special tokens split a text before the tokenizer's model sees it, so the ids of a text
are those of its pieces between special tokens laid end to end: the system turn (it ends at its
``<|im_end|>``) is tokenized once and kept, and each image's run of pads is tokenized as one pad and
repeated in the ids. The result equals the processor's own (``tests/model/test_vision_cache.py`` compares
them); a tokenizer that adds tokens of its own around a text (a BOS) is not handled here (``usable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

END = "<|im_end|>"


class PromptTokens:
    def __init__(self, tokenizer: Any, image_token: str, capacity: int = 8) -> None:
        self.tokenizer = tokenizer
        self.image_token = image_token
        self.image_id = tokenizer.convert_tokens_to_ids(image_token)
        self.capacity = capacity
        self._prefixes: dict[str, list[int]] = {}
        probe = "x"
        self.usable = tokenizer(probe)["input_ids"] == tokenizer(probe, add_special_tokens=False)["input_ids"]

    def __call__(self, texts: Sequence[str], pads: Sequence[int]) -> dict[str, torch.Tensor]:
        """``input_ids`` and ``attention_mask`` (left-padded) of ``texts``, each image placeholder expanded
        to its count in ``pads`` (in order over all texts)."""
        counts = iter(pads)
        rows = [self._expand(self._ids(text), counts) for text in texts]
        width = max(len(row) for row in rows)
        pad = self.tokenizer.pad_token_id
        ids = torch.tensor([[pad] * (width - len(row)) + row for row in rows], dtype=torch.long)
        mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows], dtype=torch.long)
        return {"input_ids": ids, "attention_mask": mask}

    def _ids(self, text: str) -> list[int]:
        cut = text.find(END)
        if cut < 0:
            return self._encode(text)
        cut += len(END)
        prefix = self._prefixes.get(text[:cut])
        if prefix is None:
            if len(self._prefixes) >= self.capacity:
                self._prefixes.pop(next(iter(self._prefixes)))
            prefix = self._prefixes[text[:cut]] = self._encode(text[:cut])
        return prefix + self._encode(text[cut:])

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _expand(self, ids: list[int], counts) -> list[int]:
        if self.image_id not in ids:
            return ids
        out: list[int] = []
        for token in ids:
            if token == self.image_id:
                out += [token] * int(next(counts))
            else:
                out.append(token)
        return out
