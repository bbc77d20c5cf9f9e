"""Writing replies the way a Qwen2-VL agent model writes them (for the reference policies)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.model import Message, ModelFailed
from qwen2vl_agent.tools import Action

from .. import jsonish, markers

if TYPE_CHECKING:
    from PIL.Image import Image


def format_reply(thought: str, action: Action) -> str:
    """``thought``, then one call: ``✿FUNCTION✿: Tap`` and ``✿ARGS✿: {"point": [x, y]}``."""
    return f"{thought}\n{markers.FUNCTION}: {action.tool_name()}\n{markers.ARGS}: {jsonish.dumps(action.arguments())}"


def last_image(messages: Sequence[Message]) -> Image:
    """The newest screenshot in the conversation (the screen the reply is about)."""
    for message in reversed(messages):
        images = message.images()
        if images:
            return images[-1]
    raise ModelFailed("the conversation holds no screenshot")
