"""``uitars``: UI-TARS-1.5's Thought/Action protocol, as bytedance/UI-TARS renders and parses it.

Sources: bytedance/UI-TARS ``codes/ui_tars/prompt.py`` (``MOBILE_USE_DOUBAO``, ``COMPUTER_USE_DOUBAO``: the
prompt text, kept verbatim in ``templates/uitars_mobile.txt`` / ``uitars_computer.txt`` with ``{language}``
as ``${language}``; the ``{instruction}`` that ends them is the task, added by ``messages``),
``codes/ui_tars/action_parser.py`` (the reply forms it reads: ``Thought:`` / ``Reflection:`` /
``Action_Summary:`` then ``Action:``; ``<point>x y</point>``, ``start_box='(x,y)'``,
``<|box_start|>(x,y)<|box_end|>``; several calls split by a blank line), ``README_coordinates.md``, and
the UI-TARS-1.5 agent of OSWorld (``mm_agents/uitars15_*.py``) for the history.

History, as that agent keeps it: the prompt (with the task) as the first user turn; then for each earlier
step its screenshot as a user turn of its own (only for the newest ``keep_images - 1`` steps), and its reply
as an assistant turn; the current screenshot last. No system text is given, so the chat template's default
("You are a helpful assistant.") is what the model sees: it is written out here so every backend renders
the same. A step whose action failed (a point off the screen, an unreadable reply) has the error put before
the next screenshot, the one thing the reference has no turn for.

Coordinates: UI-TARS-1.5 (Qwen2.5-VL based) states absolute pixels of the image it saw after smart resize
(``abs_resized``; the reference parser assumes the processor's own budget, ``MAX_PIXELS = 16384*28*28``,
which is what ``model_image`` is when the backend runs on that budget). UI-TARS v1 (Qwen2-VL based) used a
0-1000 grid: run it with ``convention: rel1000``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.model import ImagePart, Message, Part, TextPart
from qwen2vl_agent.model.base import ToolCall
from qwen2vl_agent.tools import Action, Frame, ModelError

from ..calllike import find_call
from ..parser import CUT_OFF, MAX_CALLS, MAX_REPLY_CHARS, MAX_THOUGHT_CHARS, Call, ParsedReply, ParseError, RawCall
from ..prompt import DROPPED, render_template
from .base import NO_NOTES, Dialect, action_of, is_desktop, latest_image
from .uitars_actions import to_actions, write_action
from .uitars_syntax import has_prefix, read_calls, split_action

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..prompt import Exchange

DEFAULT_SYSTEM = "You are a helpful assistant."
LANGUAGE = "English"
HINT = "Write your thought, then one action:\nThought: ...\nAction: click(point='<point>x1 y1</point>')"


class UITars(Dialect):
    name = "uitars"
    convention = "abs_resized"
    summary = "UI-TARS-1.5: Thought/Action replies, click(point='<point>x y</point>'), pixels of the resized shot"

    def system(
        self, action_space: Sequence[type], frame: Frame, instruction: bool, notes: Mapping[str, str] = NO_NOTES,
        *, task: str = "",
    ) -> str:  # fmt: skip
        """The prompt up to its ``## User Instruction`` heading (its fixed action space: ``notes`` do not apply)."""
        template = "uitars_computer.txt" if is_desktop(action_space) else "uitars_mobile.txt"
        return render_template(template, language=LANGUAGE)

    def messages(
        self, system: str, task: str, first_image: Image, exchanges: Sequence[Exchange], keep_images: int
    ) -> list[Message]:
        out = [Message.text("system", DEFAULT_SYSTEM), Message.text("user", f"{system}{task}\n")]
        shots = [first_image, *(_result_image(ex) for ex in exchanges)]
        count = len(exchanges)
        for index, exchange in enumerate(exchanges):
            if index + keep_images > count:
                out.append(_screen_turn(shots[index], exchanges[index - 1] if index else None))
            out.append(Message.text("assistant", reply_text(exchange)))
        out.append(_screen_turn(latest_image(first_image, exchanges), exchanges[-1] if exchanges else None))
        return out

    def parse(
        self, text: str, action_space: Sequence[type], frame: Frame, *,
        tool_calls: Sequence[ToolCall] = (), cut_off: bool = False,
    ) -> ParsedReply:  # fmt: skip
        try:
            return _parse(text, action_space, frame)
        except ParseError as e:
            if not cut_off:
                raise
            raise ParseError(f"{CUT_OFF} {e.problem}", thought=e.thought, raw_calls=e.raw_calls, hint=HINT) from None

    def write(self, thought: str, action: Action, frame: Frame, action_space: Sequence[type]) -> str:
        return f"Thought: {thought}\nAction: {write_action(action)}"


def _parse(text: str, space: Sequence[type], frame: Frame) -> ParsedReply:
    if len(text) > MAX_REPLY_CHARS:
        problem = f"Your reply was too long ({len(text)} characters)."
        raise ParseError(problem, thought=text[:MAX_THOUGHT_CHARS], hint=HINT)
    thought, action = split_action(text)
    if action is None or not action.strip():
        raise ParseError(_no_action(text, thought), thought=thought[:MAX_THOUGHT_CHARS], hint=HINT)
    try:
        written = read_calls(action)
    except ModelError as e:
        raw = [RawCall(action.split("(", 1)[0].strip()[:40], action.strip())]
        raise ParseError(str(e), thought=thought, raw_calls=raw, hint=HINT) from None
    raws = [RawCall(c.name, c.source) for c in written]
    if len(raws) > MAX_CALLS:
        raise ParseError(f"Too many actions in one reply ({len(raws)}); write one.", thought=thought, hint=HINT)
    calls = []
    for raw, call in zip(raws, written, strict=True):
        try:
            actions = to_actions(call, frame, desktop=is_desktop(space))
            unavailable = [a.type for a in actions if type(a) not in space]
            if unavailable:
                raise ModelError(f"The action {call.name}() is not available on this device.")
        except ModelError as e:
            raise ParseError(str(e), thought=thought, raw_calls=raws, text=text.strip(), hint=HINT) from None
        calls += [Call(action=a, raw=raw) for a in actions]
    return ParsedReply(thought=thought, calls=tuple(calls), text=text.strip())


def _no_action(text: str, thought: str) -> str:
    if not text.strip():
        return "Your reply was empty."
    what = find_call(text)
    seen = (
        f" It looks like a call written as {what}, which this agent cannot read; nothing was executed." if what else ""
    )
    return (
        f"Your reply has no Action line.{seen} Every reply ends with one action; finish the task with "
        "finished(content='...')."
    )


def reply_text(exchange: Exchange) -> str:
    """An earlier reply as the model wrote it: the thought, then its calls in UI-TARS-1.5's syntax."""
    calls = []
    for call in exchange.calls:
        if not call.name:
            continue
        action = action_of(call)
        calls.append(write_action(action) if action is not None else call.arguments)
    thought = exchange.thought if has_prefix(exchange.thought) else f"Thought: {exchange.thought}"
    return f"{thought}\nAction: {_joined(calls)}" if calls else thought


def _joined(calls: list[str]) -> str:
    """Calls that one ``type(content='x\\n')`` or ``finished(content=...)`` became are written once."""
    out: list[str] = []
    for call in calls:
        if out and call == "type(content='\\n')" and out[-1].startswith("type("):
            out[-1] = out[-1][:-2] + "\\n')"
            continue
        if out and call == "finished()" and out[-1].startswith("finished("):
            continue
        out.append(call)
    return "\n\n".join(out)


def _errors(exchange: Exchange | None) -> str:
    if exchange is None:
        return ""
    return "\n".join(c.result_text for c in exchange.calls if c.result_text.startswith("Error"))


def _screen_turn(image: Any, after: Exchange | None) -> Message:
    """The screenshot before a step, after the error of the step before it (if that step failed)."""
    parts: list[Part] = []
    if error := _errors(after):
        parts.append(TextPart(error))
    if image is not None and image is not DROPPED:
        parts.append(ImagePart(image))
    return Message("user", tuple(parts))


def _result_image(exchange: Exchange) -> Any:
    return next((c.result_image for c in reversed(exchange.calls) if c.result_image is not None), None)
