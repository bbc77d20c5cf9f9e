"""Our own count of a request's prompt tokens, to check the one the server reports (``usage.prompt_tokens``).

The client resizes every screenshot to its smart-resize size, records that size, and maps coordinates
through it. A server whose image processor has a smaller budget (vLLM ``--mm-processor-kwargs
'{"max_pixels": N}'``) shrinks the images again without a word: the model then sees another size than
the record says. The one trace of it in the reply is the prompt-token count, so the backend compares it.

Exact, when the checkpoint's tokenizer and chat template are on this machine (the ``tokenizer`` option, the
served model's name when it is a local checkpoint directory, or the Hugging Face cache; never a
download): the conversation is rendered with the checkpoint's own template, its text tokenized once
(``tokenizers``, no torch), and each ``<|image_pad|>`` counted as the tokens its image costs at the size
it was sent. That is what the server's processor computes when it does not resize again.

Bounded, otherwise: the text costs at least nothing and at most one token per UTF-8 byte (byte-level BPE)
plus the template's markers, so a count outside [image tokens, image tokens + that] cannot be right. This
catches a server that shrinks the images by more than the text costs (several screenshots at a halved
budget), not every re-resize: name the tokenizer for the exact check.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import Generation, Message, TextPart
from .chat import template_messages
from .openai_errors import prompt_mismatch
from .vision import PixelBudget

log = logging.getLogger(__name__)

IMAGE_PAD = "<|image_pad|>"
# Room for the chat template's own text per message (role, markers, a default system prompt).
_TEMPLATE_SLACK = 64


@dataclass(frozen=True)
class PromptCount:
    """Our count: ``exact``, or the range [``low``, ``high``] any consistent count lies in."""

    low: int
    high: int

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def admits(self, reported: int) -> bool:
        return self.low <= reported <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.exact else f"between {self.low} and {self.high}"


class PromptCounter:
    """Counts prompt tokens with a checkpoint's tokenizer (``tokenizers.Tokenizer``) and chat template."""

    def __init__(self, tokenizer: Any, template: str) -> None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        self._tokenizer = tokenizer
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        self._template = environment.from_string(template)
        self._pad = tokenizer.token_to_id(IMAGE_PAD)

    def count(self, messages: Sequence[Message], image_tokens: Sequence[int]) -> PromptCount:
        rendered, _ = template_messages(messages)
        text = self._template.render(messages=rendered, add_generation_prompt=True)
        ids = self._tokenizer.encode(text, add_special_tokens=False).ids
        pads = sum(1 for i in ids if i == self._pad)
        if pads != len(image_tokens):  # a template this count does not understand: no verdict
            return bound(messages, image_tokens)
        total = len(ids) + sum(n - 1 for n in image_tokens)
        return PromptCount(total, total)


def check_prompt_tokens(
    counter: PromptCounter | None, messages: Sequence[Message], generation: Generation, budget: PixelBudget, *, url: str
) -> None:
    """``PromptMismatch`` unless the server's count (when it reported one) is ours: exact with ``counter``."""
    if not generation.prompt_tokens:
        return
    tokens = [budget.tokens(*size) for size in generation.image_sizes]
    expected = counter.count(messages, tokens) if counter is not None else bound(messages, tokens)
    if not expected.admits(generation.prompt_tokens):
        raise prompt_mismatch(
            generation.prompt_tokens, str(expected), url=url, sizes=generation.image_sizes, tokens=tokens,
            max_pixels=budget.max_pixels,
        )  # fmt: skip


def bound(messages: Sequence[Message], image_tokens: Sequence[int]) -> PromptCount:
    """The range of any consistent count, knowing only the text's length and the images' cost."""
    text = sum(len(p.text.encode()) for m in messages for p in m.content if isinstance(p, TextPart))
    images = sum(image_tokens)
    return PromptCount(images, images + text + _TEMPLATE_SLACK * (len(messages) + 1))


def find_counter(source: str | None) -> PromptCounter | None:
    """A counter for the checkpoint ``source`` (a directory, a ``tokenizer.json``, or a hub id found in the
    local Hugging Face cache), or None when its tokenizer or chat template is not on this machine."""
    if not source:
        return None
    try:
        files = _local_files(source)
        if files is None:
            return None
        from tokenizers import Tokenizer

        template = _chat_template(files)
        return PromptCounter(Tokenizer.from_file(str(files["tokenizer.json"])), template) if template else None
    except Exception as e:  # a broken or foreign checkpoint: the bounded check still runs
        log.warning("cannot count prompt tokens with %s's tokenizer (%s: %s)", source, type(e).__name__, e)
        return None


_NAMES = ("tokenizer.json", "chat_template.jinja", "chat_template.json", "tokenizer_config.json")


def _local_files(source: str) -> dict[str, Path] | None:
    path = Path(source).expanduser()
    if path.is_file() and path.name == "tokenizer.json":
        path = path.parent
    found = {name: path / name for name in _NAMES if (path / name).is_file()} if path.is_dir() else _cached(source)
    return found if "tokenizer.json" in found else None


def _cached(repo: str) -> dict[str, Path]:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return {}
    found = {}
    for name in _NAMES:
        with_name = try_to_load_from_cache(repo, name) if repo.count("/") == 1 else None
        if isinstance(with_name, str):
            found[name] = Path(with_name)
    return found


def _chat_template(files: dict[str, Path]) -> str | None:
    if "chat_template.jinja" in files:
        return files["chat_template.jinja"].read_text(encoding="utf-8")
    for name in ("chat_template.json", "tokenizer_config.json"):
        if name in files:
            template = json.loads(files[name].read_text(encoding="utf-8")).get("chat_template")
            if isinstance(template, str):
                return template
    return None
