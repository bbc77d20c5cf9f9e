"""Turn ``Message`` objects into the input of a Qwen2-VL chat template.

Pure Python (no torch): ``template_messages`` gives the list of role/content dicts that
``processor.apply_chat_template`` renders (an image part becomes ``{"type": "image"}``, which the
Qwen2-VL template renders as ``<|vision_start|><|image_pad|><|vision_end|>`` in place), and the images
in the order their placeholders appear, which is the order the processor expands them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .base import ImagePart, Message, TextPart

if TYPE_CHECKING:
    from PIL.Image import Image

ROLES = ("system", "user", "assistant")


def template_messages(messages: Sequence[Message]) -> tuple[list[dict[str, Any]], list[Image]]:
    """Return (chat-template messages, images in placeholder order) for one conversation.

    Raises ``ValueError`` for an empty conversation, an unknown role, or a part that is neither text
    nor image.
    """
    if not messages:
        raise ValueError("a conversation needs at least one message")
    rendered: list[dict[str, Any]] = []
    images: list[Image] = []
    for i, message in enumerate(messages):
        if message.role not in ROLES:
            raise ValueError(f"message {i} has role {message.role!r}; expected one of {', '.join(ROLES)}")
        content: list[dict[str, Any]] = []
        for part in message.content:
            match part:
                case TextPart(text=text):
                    content.append({"type": "text", "text": text})
                case ImagePart(image=image):
                    content.append({"type": "image"})
                    images.append(image)
                case _:
                    raise ValueError(f"message {i} holds {type(part).__name__}, not a TextPart or ImagePart")
        rendered.append({"role": message.role, "content": content})
    return rendered, images
