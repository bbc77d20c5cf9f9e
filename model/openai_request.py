"""The wire format of the OpenAI-compatible backend: ``Message`` objects to a chat-completions request, and
the reply back to a ``Generation``. No I/O here.

Images. Each image is converted to RGB (transparency composited on white, as transformers' processor
does), resized to its smart-resize size under the client's pixel budget, and sent as a lossless PNG data
URL. The resize uses the same operation as transformers' torchvision image processor (bicubic with
antialiasing on uint8 pixels), so the server's processor, finding nothing left to resize, produces
*exactly* the pixel values the in-process backend computes from the original screenshot. Without
torchvision it falls back to PIL's bicubic resize (same size, pixels within a few levels).

Messages. Each message keeps its parts in order: text parts as ``{"type": "text"}``, images as
``{"type": "image_url"}`` at their place, so the server's Qwen2-VL chat template renders
``<|vision_start|><|image_pad|><|vision_end|>`` exactly where the in-process template does. Text-only
messages are sent as a plain string (the template renders both forms identically).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .base import Generation, Message, ToolCall, cut_at_stop
from .chat import template_messages
from .openai_errors import BadReply
from .vision import PixelBudget

if TYPE_CHECKING:
    from PIL.Image import Image


@dataclass(frozen=True)
class EncodedImage:
    """An image as sent: its data URL and its (width, height), which is what the model sees."""

    url: str
    size: tuple[int, int]


def to_rgb(image: Image) -> Image:
    """``image`` as RGB; transparent pixels are composited on white (what the Qwen2-VL processor does)."""
    from PIL import Image as PILImage

    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or image.info.get("transparency") is not None:
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        return PILImage.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


@cache
def _has_torchvision() -> bool:
    return importlib.util.find_spec("torchvision") is not None


def load_resizer() -> None:
    """Import what ``resize`` uses now: torchvision takes seconds to import, which would otherwise land in
    the first request of every episode (and stall all of them in a parallel run)."""
    if _has_torchvision():
        from torchvision.transforms.v2 import functional  # noqa: F401


def resize(image: Image, size: tuple[int, int]) -> Image:
    """``image`` (RGB) resized to ``size`` (width, height) as transformers' fast image processor does."""
    if image.size == size:
        return image
    if not _has_torchvision():
        from PIL import Image as PILImage

        return image.resize(size, PILImage.Resampling.BICUBIC)
    from torchvision.transforms import InterpolationMode
    from torchvision.transforms.v2 import functional as F

    pixels = F.pil_to_tensor(image)
    resized = F.resize(pixels, [size[1], size[0]], interpolation=InterpolationMode.BICUBIC, antialias=True)
    return F.to_pil_image(resized)


def png_data_url(image: Image) -> str:
    """A lossless ``data:image/png;base64,...`` URL (fast compression: size matters less than CPU here)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class ImageEncoder:
    """Resizes images to the pixel budget and encodes them, remembering recent results.

    The agent resends the same screenshots every step (the history), so encodings are cached by object
    identity (a weak reference checks the object is still the same one); images must not be changed in
    place after they were first sent. Thread-safe.
    """

    def __init__(self, budget: PixelBudget, capacity: int = 64) -> None:
        self.budget = budget
        self.capacity = capacity
        self._cache: OrderedDict[int, tuple[weakref.ref, EncodedImage]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, image: Image) -> EncodedImage:
        key = id(image)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0]() is image:
                self._cache.move_to_end(key)
                return hit[1]
        size = self.budget.resize(*image.size)
        encoded = EncodedImage(png_data_url(resize(to_rgb(image), size)), size)
        with self._lock:
            self._cache[key] = (weakref.ref(image), encoded)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return encoded


def request_messages(
    messages: Sequence[Message], encode: Callable[[Image], EncodedImage]
) -> tuple[list[dict[str, Any]], list[EncodedImage]]:
    """The ``messages`` field of a request, and the images in the order they appear.

    Raises ``ValueError`` for an empty conversation or an unknown role or part.
    """
    rendered, images = template_messages(messages)
    encoded = [encode(image) for image in images]
    next_image = iter(encoded)
    out: list[dict[str, Any]] = []
    for message in rendered:
        parts = [
            {"type": "image_url", "image_url": {"url": next(next_image).url}} if part["type"] == "image" else part
            for part in message["content"]
        ]
        if all(part["type"] == "text" for part in parts):
            out.append({"role": message["role"], "content": "".join(part["text"] for part in parts)})
        else:
            out.append({"role": message["role"], "content": parts})
    return out, encoded


def continuation_fields(messages: Sequence[Message]) -> dict[str, Any]:
    """Request fields that make a server continue the last message when it is an assistant turn (vLLM's chat
    template options; the qwen2vl-inline dialect ends the conversation so), else none."""
    if messages and messages[-1].role == "assistant":
        return {"continue_final_message": True, "add_generation_prompt": False}
    return {}


def read_reply(
    data: Any, stop: Sequence[str], images: Sequence[EncodedImage], budget: PixelBudget, *, max_chars: int = 100_000
) -> Generation:
    """A ``Generation`` from a chat-completions reply body; the text is cut before the first stop string.

    The message content may be a string or a list of text parts (joined); calls in ``message.tool_calls``
    are kept in ``Generation.tool_calls`` (a reply may have only those: its text is then empty). Raises ``BadReply`` (a
    ``ModelFailed``) when the body is not a chat completion, its content is not text, or the text is
    longer than ``max_chars``.
    """
    try:
        choice = data["choices"][0]
        message = choice["message"]
        content, finish = message.get("content"), choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise BadReply(f"the server's reply is not a chat completion: {str(data)[:300]}") from None
    calls = tool_calls(message.get("tool_calls"), max_chars=max_chars)
    raw = "" if content is None and calls else content_text(content, finish, message)
    if len(raw) > max_chars:
        raise BadReply(
            f"the server's reply text is {len(raw)} characters long, more than max_reply_chars ({max_chars}): "
            "lower max_new_tokens, or raise max_reply_chars if such replies are expected"
        )
    text, cut = cut_at_stop(raw, stop)
    usage = data.get("usage") if isinstance(data, dict) else None
    # vLLM says which stop string ended the reply in `stop_reason` (None for an eos token).
    engine_stopped = isinstance(choice.get("stop_reason"), str) and choice["stop_reason"] in stop
    reason = "stop" if cut or engine_stopped else "length" if finish == "length" else "eos"
    return Generation(
        text=text,
        prompt_tokens=_count(usage, "prompt_tokens"),
        output_tokens=_count(usage, "completion_tokens"),
        image_tokens=sum(budget.tokens(*image.size) for image in images),
        image_sizes=[image.size for image in images],
        stop_reason=reason,
        tool_calls=calls,
    )


MAX_TOOL_CALLS = 32


def tool_calls(value: Any, *, max_chars: int) -> tuple[ToolCall, ...]:
    """The ``tool_calls`` of a reply message: at most ``MAX_TOOL_CALLS``, names and arguments together at
    most ``max_chars`` characters. ``arguments`` is kept as the JSON string sent (an object is serialised).

    Raises ``BadReply`` for anything else: a list that is not one, an entry without a function name, too
    many or too large calls.
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadReply(f"the server's tool calls are {_kind(value)}, not a list: {str(value)[:200]}")
    if len(value) > MAX_TOOL_CALLS:
        raise BadReply(f"the server's reply has {len(value)} tool calls, more than {MAX_TOOL_CALLS}")
    calls = tuple(_tool_call(entry) for entry in value)
    size = sum(len(c.name) + len(c.arguments) for c in calls)
    if size > max_chars:
        raise BadReply(f"the server's tool calls are {size} characters long, more than max_reply_chars ({max_chars})")
    return calls


def _tool_call(entry: Any) -> ToolCall:
    function = entry.get("function") if isinstance(entry, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    arguments = function.get("arguments", "") if isinstance(function, dict) else None
    if isinstance(arguments, dict):
        arguments = json.dumps(arguments, ensure_ascii=False)
    if not isinstance(name, str) or not name or not isinstance(arguments, str):
        raise BadReply(f"the server's reply has a malformed tool call: {str(entry)[:200]}")
    return ToolCall(name, arguments)


def content_text(content: Any, finish_reason: Any, message: dict[str, Any]) -> str:
    """The text of a reply message's ``content``: a string, or a list of ``{"type": "text"}`` parts.

    No content (null or missing) is an empty reply only when the server ran out of tokens first; else
    it is a ``BadReply`` (a server-side tool-call or reasoning parser took the reply, or a refusal).
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_part_text(part) for part in content)
    if content is None:
        if finish_reason == "length":
            return ""
        took = [key for key in ("tool_calls", "refusal", "reasoning_content") if message.get(key)]
        hint = f"; it carries {', '.join(took)} instead (start the server without a tool-call or reasoning parser)"
        raise BadReply(f"the server's reply has no content (finish_reason {finish_reason!r}){hint if took else ''}")
    kind = "a boolean" if isinstance(content, bool) else "a number" if isinstance(content, int | float) else None
    raise BadReply(f"the server's reply content is {kind or 'an object'}, not text: {str(content)[:200]}")


def _part_text(part: Any) -> str:
    if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
        return part["text"]
    what = f"a part of type {part.get('type')!r}" if isinstance(part, dict) else f"a part that is {_kind(part)}"
    raise BadReply(f"the server's reply content has {what}, not text: {str(part)[:200]}")


def _kind(value: Any) -> str:
    names = {str: "a string", list: "a list", bool: "a boolean", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _count(usage: Any, key: str) -> int:
    """A token count from the reply's ``usage`` (0 when missing or not a non-negative integer)."""
    value = usage.get(key) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
