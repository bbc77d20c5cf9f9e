"""The policy: keeps the conversation, asks the model, parses the reply.

``QwenPolicy`` owns the system prompt, the task, the first screenshot and the exchanges so far; its
``dialect`` (``agent.dialects``) owns everything family-specific: the prompt and its rendering, the stop
strings, the parser and the coordinate convention. ``decide()`` renders the conversation, generates up to
the stop strings and parses the reply; the loop executes what it decided and hands the results back with
``record()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.model import Generation, Message, Model
from qwen2vl_agent.tools import Convention, Frame

from .dialects import Dialect, DialectName, choose_dialect
from .parser import MAX_REPLY_CHARS, ParsedReply, ParseError
from .prompt import DROPPED, Exchange, exchange_of
from .records import Step, safe_text
from .tool_text import reply_text

if TYPE_CHECKING:
    from PIL.Image import Image


class PolicyConfig(BaseModel):
    """How the policy talks to the model."""

    model_config = ConfigDict(extra="forbid")

    dialect: DialectName | None = Field(
        None, description="the model family's protocol (default: chosen from the model)"
    )
    convention: Convention | None = Field(None, description="coordinate convention (default: the dialect's)")
    history_images: int = Field(4, ge=1, description="screenshots kept as images (older: text)")
    max_new_tokens: int = Field(256, ge=1, le=8192, description="reply length limit per step, in tokens")
    instruction: bool = Field(True, description="prepend the agent instruction to the tool section")


@dataclass
class Decision:
    """What the model said: the generation, and either a parsed reply or the parse error.

    ``text`` is the reply as it can be kept: lone surrogates repaired, longer ones capped (the parser refuses
    what is over its limit, so nothing beyond the cap is ever acted on).
    """

    generation: Generation
    reply: ParsedReply | None = None
    error: ParseError | None = None
    text: str = ""


class QwenPolicy:
    tool_notes: Mapping[str, str] = MappingProxyType({})
    """Tool descriptions, by our tool name, for an env that does something other than the generic one says
    (the dialects whose tool section comes from our action models use them)."""

    def __init__(
        self, model: Model, action_space: Sequence[type], config: PolicyConfig | None = None,
        dialect: Dialect | None = None,
    ) -> None:  # fmt: skip
        self.model = model
        self.action_space = tuple(action_space)
        self.config = config or PolicyConfig()
        if dialect is None:
            dialect, self.dialect_reason = choose_dialect(model, self.config.dialect)
        else:
            self.dialect_reason = "given"
        self.dialect = dialect
        self.convention: Convention = self.config.convention or dialect.convention
        self.current: Frame | None = None
        self.system = ""
        self.task = ""
        self.first_image: Image | None = None
        self.exchanges: list[Exchange] = []

    def frame(self, screenshot: Image) -> Frame:
        """The geometry of a screenshot as this policy's model sees it."""
        w, h = screenshot.size
        return Frame(screen=(w, h), model_image=self.model.image_size(w, h), convention=self.convention)

    def begin(self, task: str, first: Image) -> None:
        """Start a new episode on ``task`` with the first screenshot."""
        self.task, self.first_image, self.exchanges = task, first, []
        self.current = self.frame(first)
        self.system = self.dialect.system(
            self.action_space, self.current, self.config.instruction, notes=self.tool_notes, task=task
        )

    def messages(self) -> list[Message]:
        if self.first_image is None:
            raise RuntimeError("call begin() before asking the policy anything")
        return self.dialect.messages(
            self.system, self.task, self.first_image, self.exchanges, self.config.history_images
        )

    def decide(self) -> Decision:
        """Ask the model for its next reply and parse it (model faults propagate)."""
        generation = self.model.generate(
            self.messages(), stop=self.dialect.stop, max_new_tokens=self.config.max_new_tokens
        )
        return self.interpret(generation)

    def interpret(self, generation: Generation) -> Decision:
        text = safe_text(generation.text)
        kept = safe_text(reply_text(generation), MAX_REPLY_CHARS)  # the record shows calls sent outside the text
        cut_off = generation.stop_reason == "length"
        if self.current is None:
            raise RuntimeError("call begin() before asking the policy anything")
        calls = getattr(generation, "tool_calls", ())
        try:
            reply = self.dialect.parse(text, self.action_space, self.current, tool_calls=calls, cut_off=cut_off)
            return Decision(generation, reply=reply, text=kept)
        except ParseError as e:
            return Decision(generation, error=e, text=kept)

    def record(self, step: Step, screenshot: Image | None) -> None:
        """Append what a step did, from its record; the next ``messages()`` shows it to the model with
        ``screenshot`` (the screen after it) as the result image of its last call."""
        if screenshot is not None:
            self.current = self.frame(screenshot)
        self.record_exchange(exchange_of(step.thought, step.calls, screenshot))

    def record_exchange(self, exchange: Exchange) -> None:
        """Append an exchange as the prompt shows it. Screenshots that have left the image window are
        dropped here, so memory stays flat however long the episode runs."""
        self.exchanges.append(exchange)
        shots = [c for ex in self.exchanges for c in ex.calls if c.result_image is not None]
        dropped = len(shots) + 1 - self.config.history_images  # the first screenshot counts too
        if dropped > 0:
            self.first_image = DROPPED  # type: ignore[assignment]
            for call in shots[: dropped - 1]:
                call.result_image = DROPPED  # type: ignore[assignment]
