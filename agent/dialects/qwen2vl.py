"""``qwen2vl``: Qwen2-VL's ``✿FUNCTION✿`` protocol, our default, byte-exact with Qwen-Agent's ``qwen`` prompt.

The rendering and the parser are ``agent.prompt`` and ``agent.parser`` (golden tests in
``tests/agent/test_prompt.py`` and ``test_parser.py``); this class only binds them to the dialect interface.
A Chinese task gets Qwen-Agent's Chinese template, as Qwen-Agent would choose it (``test_dialects_zh.py``).
Points are on Qwen2-VL's 0-1000 grid, unless the policy's ``convention`` setting says otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.model import ImagePart, Message, Part, TextPart
from qwen2vl_agent.model.base import ToolCall
from qwen2vl_agent.tools import Action, Frame, tool_specs

from .. import jsonish, markers
from ..parser import ParsedReply, parse_reply
from ..prompt import (
    OMITTED,
    build_messages,
    episode_language,
    episode_parts,
    language,
    render_template,
    system_message,
    task_text,
)
from .base import NO_NOTES, Dialect, is_desktop

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..prompt import Exchange


class Qwen2VL(Dialect):
    name = "qwen2vl"
    convention = "rel1000"
    stop = markers.STOP_WORDS
    summary = "Qwen2-VL: Qwen-Agent's ✿FUNCTION✿/✿ARGS✿ calls, points on a 0-1000 grid"

    def system(
        self, action_space: Sequence[type], frame: Frame, instruction: bool, notes: Mapping[str, str] = NO_NOTES,
        *, task: str = "",
    ) -> str:  # fmt: skip
        text = None
        if instruction:
            device = "a desktop computer" if is_desktop(action_space) else "an Android phone"
            text = render_template("instruction.txt", device=device, coordinates=frame.describe())
        specs = [{**s, "description": notes.get(s["name"], s["description"])} for s in tool_specs(tuple(action_space))]
        # as Qwen-Agent: the system and user messages (our instruction, the task) choose the language
        return system_message(specs, text, language(task, text or ""))

    def messages(
        self, system: str, task: str, first_image: Image, exchanges: Sequence[Exchange], keep_images: int
    ) -> list[Message]:
        return build_messages(system, task, first_image, exchanges, keep_images=keep_images)

    def parse(
        self, text: str, action_space: Sequence[type], frame: Frame, *,
        tool_calls: Sequence[ToolCall] = (), cut_off: bool = False,
    ) -> ParsedReply:  # fmt: skip
        return parse_reply(_with_calls(text, tool_calls), action_space, cut_off=cut_off)

    def write(self, thought: str, action: Action, frame: Frame, action_space: Sequence[type]) -> str:
        return format_reply(thought, action)


class Qwen2VLInline(Qwen2VL):
    """The episode continues inside the assistant turn: the Qwen2-VL paper's example and Qwen-Agent's non-OpenAI
    path (DashScope ``partial=True``, a local model continuing its own message). The system and user turns are
    ``qwen2vl``'s; the calls, results and screenshots so far are the open assistant message the model continues
    (the backends render it with ``continue_final_message``). Golden test: ``qwen2vl_inline_*step.txt``."""

    name = "qwen2vl-inline"
    summary = "Qwen2-VL: ✿FUNCTION✿ calls, the episode continued inside the assistant turn (Qwen-Agent's partial mode)"

    def messages(
        self, system: str, task: str, first_image: Image, exchanges: Sequence[Exchange], keep_images: int
    ) -> list[Message]:
        if not exchanges:
            return build_messages(system, task, first_image, exchanges, keep_images=keep_images)
        results = sum(1 for ex in exchanges for c in ex.calls if c.result_image is not None)
        dropped = max(0, results + 1 - keep_images)  # the oldest screenshots shown as text, as qwen2vl does
        first = task_text(task, episode_language(system, task))
        user: tuple[Part, ...] = (
            (TextPart(f"{first} {OMITTED}"),) if dropped else (TextPart(first), ImagePart(first_image))
        )
        assistant = episode_parts(exchanges, frozenset(range(dropped - 1)) if dropped else frozenset())
        return [Message.text("system", system), Message("user", user), Message("assistant", tuple(assistant))]


def format_reply(thought: str, action: Action) -> str:
    """``thought``, then one call: ``✿FUNCTION✿: Tap`` and ``✿ARGS✿: {"point": [x, y]}``."""
    return f"{thought}\n{markers.FUNCTION}: {action.tool_name()}\n{markers.ARGS}: {jsonish.dumps(action.arguments())}"


def _with_calls(text: str, tool_calls: Sequence[ToolCall]) -> str:
    """Calls a server parsed out, written back in the markers so the one parser reads them."""
    calls = [f"{markers.FUNCTION}: {c.name}\n{markers.ARGS}: {c.arguments or json.dumps({})}" for c in tool_calls]
    # A reply whose text already holds a call is read as it is (a server that parsed the calls out leaves none).
    return "\n".join([text, *calls]) if calls and markers.FUNCTION not in text else text
