"""The policy: keeps the conversation, asks the model, parses the reply.

``QwenPolicy`` owns the system prompt (instruction + tool section generated from the env's action
space), the task, the first screenshot and the exchanges so far. ``decide()`` renders the conversation
(``prompt.build_messages``), generates up to the stop markers and parses the reply; the loop executes
what it decided and hands the results back with ``record()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.model import Generation, Message, Model
from qwen2vl_agent.tools import DEFAULT_CONVENTION, DESKTOP_ACTIONS, Convention, Frame, tool_specs

from . import markers
from .parser import MAX_REPLY_CHARS, ParsedReply, ParseError, parse_reply
from .prompt import DROPPED, Exchange, build_messages, exchange_of, render_template, system_message
from .records import Step, safe_text
from .tool_text import reply_text

if TYPE_CHECKING:
    from PIL.Image import Image


class PolicyConfig(BaseModel):
    """How the policy talks to the model."""

    model_config = ConfigDict(extra="forbid")

    convention: Convention = DEFAULT_CONVENTION
    history_images: int = Field(4, ge=1, description="show the last K screenshots as images, older ones as text")
    max_new_tokens: int = Field(256, ge=1, le=8192)
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
    def __init__(self, model: Model, action_space: Sequence[type], config: PolicyConfig | None = None) -> None:
        self.model = model
        self.action_space = tuple(action_space)
        self.config = config or PolicyConfig()
        self.system = ""
        self.task = ""
        self.first_image: Image | None = None
        self.exchanges: list[Exchange] = []

    def frame(self, screenshot: Image) -> Frame:
        """The geometry of a screenshot as this policy's model sees it."""
        w, h = screenshot.size
        return Frame(screen=(w, h), model_image=self.model.image_size(w, h), convention=self.config.convention)

    def begin(self, task: str, first: Image) -> None:
        """Start a new episode on ``task`` with the first screenshot."""
        self.task, self.first_image, self.exchanges = task, first, []
        instruction = None
        if self.config.instruction:
            device = "a desktop computer" if set(self.action_space) <= set(DESKTOP_ACTIONS) else "an Android phone"
            coordinates = self.frame(first).describe()
            instruction = render_template("instruction.txt", device=device, coordinates=coordinates)
        self.system = system_message(tool_specs(self.action_space), instruction)

    def messages(self) -> list[Message]:
        if self.first_image is None:
            raise RuntimeError("call begin() before asking the policy anything")
        return build_messages(
            self.system, self.task, self.first_image, self.exchanges, keep_images=self.config.history_images
        )

    def decide(self) -> Decision:
        """Ask the model for its next reply and parse it (model faults propagate)."""
        generation = self.model.generate(
            self.messages(), stop=markers.STOP_WORDS, max_new_tokens=self.config.max_new_tokens
        )
        return self.interpret(generation)

    def interpret(self, generation: Generation) -> Decision:
        text = safe_text(reply_text(generation))
        kept = safe_text(text, MAX_REPLY_CHARS)
        cut_off = generation.stop_reason == "length"
        try:
            return Decision(generation, reply=parse_reply(text, self.action_space, cut_off=cut_off), text=kept)
        except ParseError as e:
            return Decision(generation, error=e, text=kept)

    def record(self, step: Step, screenshot: Image | None) -> None:
        """Append what a step did, from its record; the next ``messages()`` shows it to the model with
        ``screenshot`` (the screen after it) as the result image of its last call."""
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
