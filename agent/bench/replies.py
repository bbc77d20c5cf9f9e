"""Writing replies the way an agent model writes them (for the reference policies), in a dialect."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.model import Generation, Message, ModelFailed, cut_at_stop
from qwen2vl_agent.tools import MOBILE_ACTIONS, Action, Convention, Frame

from ..dialects import DEFAULT_DIALECT, get_dialect
from ..dialects.qwen2vl import format_reply

__all__ = ["ReplyPolicy", "format_reply", "last_image"]

if TYPE_CHECKING:
    from PIL.Image import Image


def last_image(messages: Sequence[Message]) -> Image:
    """The newest screenshot in the conversation (the screen the reply is about)."""
    for message in reversed(messages):
        images = message.images()
        if images:
            return images[-1]
    raise ModelFailed("the conversation holds no screenshot")


class ReplyPolicy:
    """A reference policy as a ``Model``: each reply is the thought and action ``reply`` picks for the
    conversation, written as a model of ``dialect`` writes it and cut at the first stop string. Screenshots are
    seen at their own size (nothing is scaled)."""

    name: str = "policy"

    def __init__(self, *, dialect: str | None = None, convention: Convention | None = None) -> None:
        self.dialect = get_dialect(dialect or DEFAULT_DIALECT)
        self.convention: Convention = convention or self.dialect.convention

    def reply(self, messages: Sequence[Message]) -> tuple[str, Action]:
        raise NotImplementedError

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        started = time.perf_counter()
        thought, action = self.reply(messages)
        w, h = last_image(messages).size
        frame = Frame(screen=(w, h), model_image=(w, h), convention=self.convention)
        text, stopped = cut_at_stop(self.dialect.write(thought, action, frame, MOBILE_ACTIONS), stop)
        sizes = [img.size for m in messages for img in m.images()]
        return Generation(
            text=text, image_sizes=sizes, timings={"total": time.perf_counter() - started},
            stop_reason="stop" if stopped else "eos",
        )  # fmt: skip

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        return [self.generate(c, stop=stop, max_new_tokens=max_new_tokens) for c in conversations]
