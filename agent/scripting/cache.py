"""The vision steps' cache: a rerun of a script on the same screens asks the model nothing.

A reply is keyed on what the model was shown: the screen fingerprint of every image (``envs.screen``: equal
for visually identical screens, blind to noise), the text of every message (the instruction, and for
``agent()`` the history so far) and the model's name. ``ReplyCache(path)`` keeps replies in a JSON file,
rewritten atomically after each new reply; ``ReplyCache()`` keeps them in memory for one run.
``CachingModel`` is a ``Model`` wrapper, so vision steps and the agent loop share one mechanism.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from qwen2vl_agent.envs.screen import fingerprint
from qwen2vl_agent.model import Generation, ImagePart, Message, Model, TextPart

log = logging.getLogger(__name__)


class ReplyCache:
    """Model replies by key; ``hits``/``misses`` count lookups. ``path``: a JSON file to load and keep up to date.

    >>> cache = ReplyCache()
    >>> cache.put("k", "reply"); cache.get("k")
    'reply'
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.hits = self.misses = 0
        self._replies: dict[str, str] = {}
        if self.path is not None and self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:  # a torn or foreign file: start over rather than fail the script
                log.warning("ignoring the unreadable vision cache %s: %s", self.path, e)
                data = {}
            self._replies = {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, key: str) -> str | None:
        reply = self._replies.get(key)
        if reply is None:
            self.misses += 1
        else:
            self.hits += 1
        return reply

    def put(self, key: str, reply: str) -> None:
        self._replies[key] = reply
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._replies, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)


def conversation_key(messages: Sequence[Message], model_name: str, max_new_tokens: int) -> str:
    """The cache key of a conversation: image fingerprints and sizes, texts, roles, the model, the budget."""
    parts: list[object] = [model_name, max_new_tokens]
    for message in messages:
        for part in message.content:
            if isinstance(part, TextPart):
                parts.append([message.role, part.text])
            elif isinstance(part, ImagePart):
                parts.append([message.role, fingerprint(part.image), list(part.image.size)])
    blob = json.dumps(parts, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


class CachingModel:
    """``model`` behind ``cache``: a conversation seen before gets the stored reply and no model call.

    A cached reply is returned as a ``Generation`` with no token counts and ``timings={"cached": 1.0}``.
    """

    def __init__(self, model: Model, cache: ReplyCache) -> None:
        self.model, self.cache = model, cache
        self.name = model.name

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        key = conversation_key(messages, self.name, max_new_tokens)
        reply = self.cache.get(key)
        if reply is not None:
            sizes = [img.size for m in messages for img in m.images()]
            return Generation(text=reply, image_sizes=sizes, timings={"cached": 1.0})
        generation = self.model.generate(messages, stop=stop, max_new_tokens=max_new_tokens)
        self.cache.put(key, generation.text)
        return generation

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        return [self.generate(c, stop=stop, max_new_tokens=max_new_tokens) for c in conversations]

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return self.model.image_size(width, height)
