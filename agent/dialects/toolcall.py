"""The ``<tool_call>`` family (Qwen2.5-VL, Qwen3-VL; GUI-Owl and MAI-UI prompts are of this kind).

The system prompt is Qwen-Agent's Nous function-call section (``nous_fncall_prompt.py``) around one tool,
``mobile_use`` or ``computer_use``, whose description states the screen's resolution. A reply is a thought
(free text, ``Thought:``/``Action:`` lines, a ``<think>`` block) and one or more blocks::

    <tool_call>
    {"name": "mobile_use", "arguments": {"action": "click", "coordinate": [935, 406]}}
    </tool_call>

Calls a server already parsed (``tool_calls``) are read the same way. History, as the cookbooks keep it:
one user turn with the task, the steps so far as text, and the newest screenshot only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.base import ToolCall
from qwen2vl_agent.tools import Action, Frame, ModelError

from .. import jsonish, markers
from ..calllike import find_call
from ..parser import CUT_OFF, MAX_CALLS, MAX_REPLY_CHARS, MAX_THOUGHT_CHARS, Call, ParsedReply, ParseError, RawCall
from ..prompt import render_template
from .actionmap import desktop_action, mobile_action, to_arguments
from .base import Dialect, action_of, is_desktop, latest_image

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..prompt import Exchange

OPEN, CLOSE = "<tool_call>", "</tool_call>"


def tool_name(action_space: Sequence[type]) -> str:
    return "computer_use" if is_desktop(action_space) else "mobile_use"


def nous_system(system: str, functions: Sequence[dict[str, Any]]) -> str:
    """Qwen-Agent's Nous tool section appended to ``system`` after a blank line (as ``preprocess_fncall_messages``)."""
    descs = "\n".join(json.dumps({"type": "function", "function": f}, ensure_ascii=False) for f in functions)
    tools = render_template("nous_tools.txt", tool_descs=descs)
    return f"{system}\n\n{tools}" if system else tools


class ToolCallDialect(Dialect):
    """Shared by ``qwen25vl`` and ``qwen3vl``: subclasses give the prompt and the history line."""

    hint: ClassVar[str] = (
        'Write your thought, then one call:\n<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", '
        '"coordinate": [x, y]}}\n</tool_call>'
    )

    def parse(
        self, text: str, action_space: Sequence[type], frame: Frame, *,
        tool_calls: Sequence[ToolCall] = (), cut_off: bool = False,
    ) -> ParsedReply:  # fmt: skip
        try:
            return self._parse(text, action_space, tool_calls, cut_off)
        except ParseError as e:
            if not cut_off:
                raise
            problem = f"{CUT_OFF} {e.problem}"
            raise ParseError(problem, thought=e.thought, raw_calls=e.raw_calls, hint=self.hint) from None

    def _error(self, problem: str, **kw: Any) -> ParseError:
        return ParseError(problem, hint=self.hint, **kw)

    def _parse(self, text: str, space: Sequence[type], tool_calls: Sequence[ToolCall], cut_off: bool) -> ParsedReply:
        if len(text) > MAX_REPLY_CHARS:
            raise self._error(f"Your reply was too long ({len(text)} characters).", thought=text[:MAX_THOUGHT_CHARS])
        thought, blocks = split_reply(text)
        raws = [RawCall(c.name, c.arguments) for c in tool_calls] + [_raw(b) for b in blocks]
        if not raws:
            self._refuse_unread(text, thought, cut_off)
            return ParsedReply(thought=thought, text=text.strip())
        if len(raws) > MAX_CALLS:
            raise self._error(f"Too many calls in one reply ({len(raws)}); make one.", thought=thought)
        calls = []
        reader = desktop_action if is_desktop(space) else mobile_action
        for i, raw in enumerate(raws):
            try:
                calls.append(Call(action=_validate(raw, tool_name(space), reader, space), raw=raw))
            except ModelError as e:
                where = f"Call {i + 1}: " if len(raws) > 1 else ""
                raise self._error(f"{where}{e}", thought=thought, raw_calls=raws, text=text) from None
        return ParsedReply(thought=thought, calls=tuple(calls), text=text.strip())

    def _refuse_unread(self, text: str, thought: str, cut_off: bool) -> None:
        if not thought:
            raise self._error("Your reply was empty.")
        if cut_off:
            raise self._error("It made no call and gave no final answer.", thought=thought[:MAX_THOUGHT_CHARS])
        what = "Qwen2-VL's ✿FUNCTION✿ markers" if any(m in text for m in markers.MARKERS) else find_call(text)
        if what is not None:
            raise self._error(
                f"Your reply looks like a tool call written as {what}, which this agent cannot read; nothing was "
                "executed. A reply without a <tool_call> ends the task as your final answer.",
                thought=thought[:MAX_THOUGHT_CHARS],
            )

    def write(self, thought: str, action: Action, frame: Frame, action_space: Sequence[type]) -> str:
        call = {"name": tool_name(action_space), "arguments": to_arguments(action)}
        body = f"{OPEN}\n{json.dumps(call, ensure_ascii=False)}\n{CLOSE}"
        return f"{thought}\n{body}" if thought else body

    def history_line(self, exchange: Exchange, tool: str) -> str:
        """One earlier step as the cookbook writes it: the call as JSON (and any error the step got)."""
        parts = []
        for call in exchange.calls:
            action = action_of(call) if call.name else None
            if action is not None:
                parts.append(json.dumps({"name": tool, "arguments": to_arguments(action)}, ensure_ascii=False))
            if call.result_text.startswith("Error"):
                parts.append(f"({call.result_text.splitlines()[0]})")
        return " ".join(parts) or "(no action)"

    def messages(
        self, system: str, task: str, first_image: Image, exchanges: Sequence[Exchange], keep_images: int
    ) -> list[Message]:
        tool = "computer_use" if '"name": "computer_use"' in system else "mobile_use"  # the system names its tool
        steps = "".join(f"Step {i + 1}: {self.history_line(ex, tool)}; " for i, ex in enumerate(exchanges))
        query = self.user_query(task, steps)
        user = Message("user", (TextPart(query), ImagePart(latest_image(first_image, exchanges))))
        return [Message.text("system", system), user]

    def user_query(self, task: str, steps: str) -> str:
        raise NotImplementedError


def split_reply(text: str) -> tuple[str, list[str]]:
    """(thought, the bodies of the ``<tool_call>`` blocks); a block cut off before its close is kept."""
    thought_end = text.find(OPEN)
    head = text if thought_end < 0 else text[:thought_end]
    blocks = []
    at = thought_end
    while at >= 0:
        end = text.find(CLOSE, at)
        body_end = end if end >= 0 else len(text)
        blocks.append(text[at + len(OPEN) : body_end])
        at = text.find(OPEN, body_end)
    return strip_think(head), blocks


def strip_think(head: str) -> str:
    """The thought: a ``<think>`` block's text and what follows it, tags dropped."""
    return head.replace("<think>", "").replace("</think>", "\n").strip()


def _raw(body: str) -> RawCall:
    try:
        value, _ = jsonish.read_object(body.strip())
    except jsonish.JsonishError:
        return RawCall("", body.strip())
    if not isinstance(value, dict):
        return RawCall("", body.strip())
    arguments = value.get("arguments", value.get("parameters", {}))
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return RawCall(str(value.get("name", "")), text)


def _validate(raw: RawCall, tool: str, reader: Callable[[dict[str, Any]], Action], space: Sequence[type]) -> Action:
    if not raw.name:
        raise ModelError(f'The <tool_call> block is not a JSON object {{"name": "{tool}", "arguments": {{...}}}}.')
    if raw.name != tool:
        raise ModelError(f'Unknown tool "{raw.name}": the only tool is "{tool}", with an "action" argument.')
    try:
        arguments, _ = jsonish.read_object(raw.arguments or "{}")
    except jsonish.JsonishError as e:
        raise ModelError(f"The arguments of {tool} are not a valid JSON object: {e}.") from None
    if not isinstance(arguments, dict) or "action" not in arguments:
        raise ModelError(f'The arguments of {tool} must be a JSON object with an "action".')
    try:
        action = reader(arguments)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ModelError(f'The action "{arguments["action"]}": argument "{where}": {first["msg"]}.') from None
    if type(action) not in space:
        raise ModelError(f'The action "{arguments["action"]}" is not available on this device.')
    return action
