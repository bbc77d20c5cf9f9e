"""The model interface: ChatML messages with text and images in, text out.

The model side knows nothing of environments or actions. The agent renders a conversation (system
prompt, task, screenshots, the tool episode so far) into ``Message`` objects; a backend turns them into
its own input (the chat template and processor for transformers, image parts for an OpenAI-compatible
server) and returns a ``Generation``.

Contract of a backend (``Model``):

- ``generate(messages, stop=..., max_new_tokens=...)`` continues the conversation as the assistant and
  returns the text *cut before the first stop string* (the stop string itself is not included), whatever
  the engine did.
- ``generate_batch(conversations, ...)`` advances several independent conversations at once; greedy
  results must equal one-at-a-time ``generate`` calls.
- ``image_size(width, height)`` is the size an image of that size is resized to before the model sees it
  (smart_resize for Qwen2-VL); the agent records it and the ``abs_resized`` coordinate convention needs it.
- Errors: ``ModelUnavailable`` (weights missing, server unreachable) and ``ModelFailed`` (a request or a
  forward pass failed) are infrastructure faults; they stop the run with their message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL.Image import Image

Role = Literal["system", "user", "assistant"]


class ModelUnavailable(RuntimeError):
    """The model cannot be loaded or reached (missing weights, no network, server down)."""


class ModelFailed(RuntimeError):
    """A generation request failed (bad request, context too long, engine error)."""


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    image: Image


Part = TextPart | ImagePart


@dataclass(frozen=True)
class Message:
    """One ChatML message; ``content`` is an ordered sequence of text and image parts."""

    role: Role
    content: tuple[Part, ...]

    @classmethod
    def text(cls, role: Role, text: str) -> Message:
        return cls(role, (TextPart(text),))

    def images(self) -> list[Image]:
        return [p.image for p in self.content if isinstance(p, ImagePart)]


@dataclass(frozen=True)
class ToolCall:
    """A function call a server returned outside the text (OpenAI's ``message.tool_calls``).

    ``arguments`` is the raw JSON string the server sent, unparsed (the agent's parser reads it).
    """

    name: str
    arguments: str


@dataclass
class Generation:
    """One reply and what it cost.

    ``timings`` keys (seconds): ``preprocess`` (chat template + image processor), ``prefill`` (vision
    encoder + prompt forward, up to the first token), ``decode`` (the remaining tokens), ``total``.
    ``image_sizes`` are the (width, height) of each image *as the model saw it*, in message order.
    ``tool_calls`` are calls a server returned beside ``text`` (``message.tool_calls``), in order.
    """

    text: str
    prompt_tokens: int = 0
    output_tokens: int = 0
    image_tokens: int = 0
    # Prompt tokens whose keys/values came from the backend's prefix cache (not recomputed).
    cached_tokens: int = 0
    image_sizes: list[tuple[int, int]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    stop_reason: Literal["stop", "length", "eos"] = "stop"
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def decode_tokens_per_s(self) -> float:
        decode = self.timings.get("decode", 0.0)
        return (self.output_tokens - 1) / decode if decode > 0 and self.output_tokens > 1 else 0.0


@runtime_checkable
class Model(Protocol):
    """A backend. See the module docstring for the contract."""

    name: str

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation: ...

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]: ...

    def image_size(self, width: int, height: int) -> tuple[int, int]: ...


def cut_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` before the earliest stop string; return (text, whether one was found)."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
