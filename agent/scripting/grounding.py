"""What the vision steps say to the model and how its replies are read: the one module that knows the format.

Locating uses Qwen2-VL's grounding format: the reply names the element and gives its box on the 0-1000
grid over the image, ``<|object_ref_start|>the send button<|object_ref_end|><|box_start|>(412,880),(588,940)
<|box_end|>``. A reply without the markers (a server that drops special tokens) is read as long as it holds
the two corners. Assertions and queries ask for one JSON object. Every reader raises ``VisionReplyError``
naming the reply, so a failed step says what the model said. (When model dialects arrive, this module moves
behind them: nothing else builds these prompts or parses these replies.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.tools import Frame, ModelError, to_screen

from ..jsonish import JsonishError, read_object

if TYPE_CHECKING:
    from PIL.Image import Image

REF_START, REF_END, BOX_START, BOX_END = "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>"
STOP = ("<|im_end|>", "<|endoftext|>")
SYSTEM = "You are a helpful assistant."
_BOX = re.compile(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")
SHOWN_REPLY = 200


class VisionReplyError(ValueError):
    """The model's reply to a vision step could not be read (no box, no JSON, the wrong shape)."""

    def __init__(self, what: str, reply: str) -> None:
        self.reply = reply
        shown = reply if len(reply) <= SHOWN_REPLY else reply[:SHOWN_REPLY] + "..."
        super().__init__(f"{what}; the model replied {shown!r}")


@dataclass(frozen=True)
class Box:
    """An element's box in screenshot pixels; ``grid`` is the model's own (x1, y1, x2, y2) on 0-1000."""

    left: int
    top: int
    right: int
    bottom: int
    grid: tuple[int, int, int, int]

    @property
    def center(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2


def _ask(image: Image, text: str) -> list[Message]:
    return [Message.text("system", SYSTEM), Message("user", (ImagePart(image), TextPart(text)))]


def locate_messages(image: Image, description: str) -> list[Message]:
    """Ask for the box of ``description`` in Qwen2-VL's referring format."""
    return _ask(image, f"Find {REF_START}{description}{REF_END} in the screenshot and output its bounding box.")


def parse_box(reply: str, screen: tuple[int, int]) -> Box:
    """The first box in ``reply`` (0-1000 grid, corners in either order), as pixels of a ``screen``-sized image."""
    inside = reply.split(BOX_START, 1)[1] if BOX_START in reply else reply
    found = _BOX.search(inside)
    if found is None:
        raise VisionReplyError("no box (x1,y1),(x2,y2) in the reply", reply)
    x1, y1, x2, y2 = (int(v) for v in found.groups())
    frame = Frame(screen=screen, model_image=screen, convention="rel1000")
    try:
        left, top = to_screen((min(x1, x2), min(y1, y2)), frame)
        right, bottom = to_screen((max(x1, x2), max(y1, y2)), frame)
    except ModelError as e:
        raise VisionReplyError(f"the box is off the 0-1000 grid ({e})", reply) from e
    return Box(left, top, right, bottom, grid=(x1, y1, x2, y2))


def assert_messages(image: Image, statement: str) -> list[Message]:
    return _ask(
        image,
        f"Is this statement about the screenshot true? {statement}\n"
        'Answer with one JSON object: {"result": true or false, "reason": "what on the screen shows it"}.',
    )


def parse_verdict(reply: str) -> tuple[bool, str]:
    """(result, reason) from ``{"result": ..., "reason": ...}``."""
    data = _object(reply)
    result = data.get("result")
    if not isinstance(result, bool):
        raise VisionReplyError('the reply has no boolean "result"', reply)
    return result, str(data.get("reason", ""))


def query_messages(image: Image, question: str, schema: dict[str, Any]) -> list[Message]:
    return _ask(
        image,
        f"{question}\nAnswer from the screenshot with one JSON object of this JSON schema:\n"
        f"{json.dumps(schema, ensure_ascii=False)}",
    )


def parse_object(reply: str) -> dict[str, Any]:
    """The JSON object in ``reply`` (for a query; validated against its schema by the caller)."""
    return _object(reply)


def _object(reply: str) -> dict[str, Any]:
    try:
        return read_object(reply)[0]
    except JsonishError as e:
        raise VisionReplyError(f"no JSON object in the reply ({e})", reply) from e
