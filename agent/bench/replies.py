"""Writing replies the way a Qwen2-VL agent model writes them (for the reference policies)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.model import Message, ModelFailed

from ..dialects.qwen2vl import format_reply

__all__ = ["format_reply", "last_image"]

if TYPE_CHECKING:
    from PIL.Image import Image


def last_image(messages: Sequence[Message]) -> Image:
    """The newest screenshot in the conversation (the screen the reply is about)."""
    for message in reversed(messages):
        images = message.images()
        if images:
            return images[-1]
    raise ModelFailed("the conversation holds no screenshot")
