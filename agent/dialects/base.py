"""The dialect interface: everything that differs between model families, behind one small object.

A dialect owns, for one family: the system prompt and its tool section, how the episode so far is rendered
(which screenshots as images, older steps as text, which turn they go in), the stop strings, the reply
parser (text, and tool calls a server already parsed, -> our typed actions or a ``ParseError`` written for
that model), the coordinate convention its points are in, the image patch factor its processor needs, and
how one of our actions is written in its syntax (for the oracle and for history that shows earlier calls).

The loop, envs and recorder never ask which family runs: the policy holds one dialect and calls these.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from pydantic import ValidationError

from qwen2vl_agent.model import Message
from qwen2vl_agent.model.base import ToolCall
from qwen2vl_agent.tools import ACTION_ADAPTER, DESKTOP_ACTIONS, Action, Convention, Frame

from ..parser import ParsedReply

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..prompt import CallTurn, Exchange


NO_NOTES: Mapping[str, str] = MappingProxyType({})


class Dialect(ABC):
    """One model family's protocol. Subclasses are small: class attributes and five methods."""

    name: ClassVar[str]
    convention: ClassVar[Convention]
    patch_factor: ClassVar[int] = 28  # the processor's resize factor: patch size x spatial merge
    stop: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str] = ""  # one line for ``--help`` and the README

    @abstractmethod
    def system(
        self, action_space: Sequence[type], frame: Frame, instruction: bool, notes: Mapping[str, str] = NO_NOTES,
        *, task: str = "",
    ) -> str:  # fmt: skip
        """The system prompt for an episode on a screen of ``frame`` with these actions; ``notes`` replace the
        descriptions of our tools by name where an env does something else (a family whose tool section is
        its own fixed one ignores them). ``task`` is the episode's task, for a family whose prompt depends
        on it (Qwen-Agent's template is Chinese for a Chinese conversation); ``messages`` gets it too."""

    @abstractmethod
    def messages(
        self, system: str, task: str, first_image: Image, exchanges: Sequence[Exchange], keep_images: int
    ) -> list[Message]:
        """The model input for the episode so far (``exchanges``), the newest screenshot last."""

    @abstractmethod
    def parse(
        self, text: str, action_space: Sequence[type], frame: Frame, *,
        tool_calls: Sequence[ToolCall] = (), cut_off: bool = False,
    ) -> ParsedReply:  # fmt: skip
        """The reply as our calls (in the model's coordinates), or ``ParseError`` written for this model.

        A reply without a call is a final answer only when it is complete and holds nothing call-like.
        """

    @abstractmethod
    def write(self, thought: str, action: Action, frame: Frame, action_space: Sequence[type]) -> str:
        """``action`` (points in this dialect's convention) as a reply of this family, after ``thought``."""


def is_desktop(action_space: Sequence[type]) -> bool:
    return set(action_space) <= set(DESKTOP_ACTIONS)


def action_of(call: CallTurn) -> Action | None:
    """The validated action a history entry shows (None for a call that was never valid)."""
    import json

    try:
        arguments = json.loads(call.arguments)
        return ACTION_ADAPTER.validate_python({**arguments, "type": call.name})
    except (ValueError, TypeError, ValidationError):
        return None


def latest_image(first_image: Image, exchanges: Sequence[Exchange]) -> Image:
    """The newest screenshot: the result image of the last call that has one, else the first."""
    for exchange in reversed(exchanges):
        for call in reversed(exchange.calls):
            if call.result_image is not None:
                return call.result_image
    return first_image
