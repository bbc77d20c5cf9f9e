"""A scripted model: replays given replies in order, so the loop and the CLI run without weights.

``ScriptedModel(["thought\\n✿FUNCTION✿: Home\\n✿ARGS✿: {}", ...])`` answers the n-th ``generate`` call
with the n-th reply (cut at the stop strings, like a real backend), and raises ``ModelFailed`` once
the script is exhausted. ``from_file(path)`` reads a JSON array of strings. Every conversation it was
given is kept in ``seen`` so tests can assert on what the model was shown.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

from .base import Generation, Message, ModelFailed, ModelUnavailable, cut_at_stop


class ScriptedModel:
    """``keep_seen``: how many of the latest conversations ``seen`` keeps (None: all, for tests; the CLI keeps
    one, so a long scripted run does not hold every screenshot it was shown)."""

    def __init__(self, replies: Sequence[str], *, name: str = "scripted", keep_seen: int | None = None) -> None:
        self.replies = list(replies)
        self.name = name
        self.calls = 0
        self.keep_seen = keep_seen
        self.seen: list[list[Message]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedModel:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelUnavailable(f"scripted model file not found: {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ModelUnavailable(f"cannot read scripted model file {path}: {e}") from None
        if not isinstance(data, list) or not all(isinstance(r, str) for r in data):
            raise ModelUnavailable(f"{path} must hold a JSON array of reply strings")
        return cls(data, name=f"scripted:{path.name}", keep_seen=1)

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        with self._lock:
            if self.calls >= len(self.replies):
                raise ModelFailed(f"the scripted model has no reply left (it had {len(self.replies)})")
            reply = self.replies[self.calls]
            self.calls += 1
            self.seen.append(list(messages))
            if self.keep_seen is not None:
                del self.seen[: -self.keep_seen or None]
        text, stopped = cut_at_stop(reply, stop)
        sizes = [img.size for m in messages for img in m.images()]
        return Generation(text=text, image_sizes=sizes, stop_reason="stop" if stopped else "eos")

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        return [self.generate(c, stop=stop, max_new_tokens=max_new_tokens) for c in conversations]

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height
