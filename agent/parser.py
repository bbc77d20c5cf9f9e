"""The one parser: model text -> thought + calls, or a ``ParseError`` written for the model.

It reads what Qwen-family models really write, more tolerantly than Qwen-Agent and in agreement with it
on everything Qwen-Agent accepts:

- markers ``✿FUNCTION✿``/``✿ARGS✿`` and the renderings ``*FUNCTION*``, ``**FUNCTION**``, in any case,
  with spaces inside, with ``:``, the full-width ``：`` or no colon;
- generation is cut at the first ``RESULT``/``RETURN`` marker (whatever the engine did), a partial
  marker at the very end is dropped, and so is the ``: `` that continued generation starts with;
- the text before the first call is the thought; a reply without any call is a final answer (an empty
  reply is an error);
- tool names in any case, with ``_``/``-``/spaces (``long_press`` is ``LongPress``);
- JSON-ish arguments (see ``jsonish``), text after the closing brace ignored, code fences stripped;
- several calls in one reply.

Arguments are validated against the action models; any problem raises ``ParseError`` (a ``ModelError``),
whose message tells the model what was wrong and what the format is. ``ParseError.raw_calls`` keeps the
calls as written so the conversation can show the model its own reply.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from qwen2vl_agent.tools import ACTION_TYPES, Action, ModelError

from . import jsonish
from .calllike import find_call
from .markers import ARGS, FUNCTION

MAX_CALLS = 8
MAX_REPLY_CHARS = 32_000  # longer replies are refused before any parsing
MAX_THOUGHT_CHARS = 4_000  # of a refused reply, what the conversation keeps


def _marker(word: str) -> re.Pattern[str]:
    # Every run of spaces is bounded, so a search over any text stays linear (an unbounded ``[ \t]*`` after
    # each of many ``*`` would rescan the same run of spaces from every one of them).
    colon = "[ \t]{0,4}[:：]"
    return re.compile(
        rf"(?:✿|\*{{1,2}})[ \t]{{0,4}}{word}(?:{colon})?[ \t]{{0,4}}(?:✿|\*{{1,2}})(?:{colon})?", re.IGNORECASE
    )


_FUNCTION = _marker("FUNCTION")
_ARGS = _marker("ARGS")
_STOP = re.compile(r"(?:✿|\*{1,2})[ \t]{0,4}(?:RESULT|RETURN)[ \t]{0,4}(?:✿|\*{1,2})", re.IGNORECASE)
_PARTIAL = re.compile(r"✿([A-Za-z]{0,8})(✿?)\Z")
_MARKER_WORDS = ("FUNCTION", "ARGS", "RESULT", "RETURN")


def _drop_partial(match: re.Match[str]) -> str:
    """A marker cut short at the very end (``✿RES``) is dropped; a whole ``✿FUNCTION✿`` or ``✿ARGS✿`` is kept:
    it is a call the model began, not noise."""
    word, closed = match.group(1).upper(), bool(match.group(2))
    if closed and word in ("FUNCTION", "ARGS"):
        return match.group()
    return "" if any(m.startswith(word) for m in _MARKER_WORDS) else match.group()


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\- ]{0,80}")

FORMAT_HINT = f"Write your thought, then call one tool like this:\n{FUNCTION}: <tool name>\n{ARGS}: <JSON object>"


@dataclass(frozen=True)
class RawCall:
    """A call as the model wrote it: the name and argument text, before validation."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Call:
    """A validated call: the action (in the model's coordinates) and its JSON-ready arguments."""

    action: Action
    raw: RawCall

    @property
    def name(self) -> str:
        return self.action.type

    @property
    def arguments(self) -> dict[str, Any]:
        return self.action.arguments()


@dataclass(frozen=True)
class ParsedReply:
    """A reply: the thought, and the calls in order (none means the thought is the final answer)."""

    thought: str
    calls: tuple[Call, ...] = ()
    text: str = ""  # the reply after cutting at the stop marker

    @property
    def is_final(self) -> bool:
        return not self.calls


class ParseError(ModelError):
    """The reply could not be turned into calls; ``str()`` is the message for the model."""

    def __init__(
        self, problem: str, *, thought: str = "", raw_calls: Sequence[RawCall] = (), text: str = "",
        hint: str = FORMAT_HINT,
    ) -> None:  # fmt: skip
        super().__init__(f"{problem}\n{hint}")
        self.problem = problem
        self.thought = thought
        self.raw_calls = tuple(raw_calls)
        self.text = text


@dataclass
class _Split:
    thought: str
    raw_calls: list[RawCall] = field(default_factory=list)


def clean_reply(text: str) -> str:
    """Cut at the first stop marker, drop a trailing partial marker and a leading continuation ``:``."""
    stop = _STOP.search(text)
    if stop:
        text = text[: stop.start()]
    text = _PARTIAL.sub(_drop_partial, text.rstrip())
    stripped = text.lstrip(" \t")
    if stripped[:1] in (":", "："):
        text = stripped[1:]
    return text.strip()


def _split(text: str) -> _Split:
    starts = list(_FUNCTION.finditer(text))
    if not starts:
        if _ARGS.search(text):
            raise ParseError(f"Found {ARGS} without {FUNCTION} before it.", thought=text)
        return _Split(thought=text)
    out = _Split(thought=text[: starts[0].start()].strip())
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        segment = text[match.end() : end]
        args = _ARGS.search(segment)
        if args:
            name, arguments = segment[: args.start()], segment[args.end() :]
        else:  # "✿FUNCTION✿: Tap {...}" or a name alone
            found = _NAME.match(segment.strip())
            name = found.group() if found else segment.strip()
            arguments = segment.strip()[len(name) :]
        out.raw_calls.append(RawCall(name=name.strip().strip("`*\"'").strip(), arguments=arguments.strip()))
    return out


def _canonical(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def _resolve(name: str, space: Sequence[type]) -> type:
    wanted = _canonical(name.rstrip("()"))
    for cls in space:
        if _canonical(cls.tool_name()) == wanted:
            return cls
    names = [cls.tool_name() for cls in space]
    if any(_canonical(cls.tool_name()) == wanted for cls in ACTION_TYPES):
        raise ModelError(f'The tool "{name}" is not available here. Available tools: {", ".join(names)}.')
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise ModelError(f'Unknown tool "{name}".{hint} Available tools: {", ".join(names)}.')


def _strip_fence(text: str) -> str:
    """Drop a Markdown code fence around the arguments (string operations: no regex on model text)."""
    text = text.strip()
    if text.startswith("```"):
        first_line_end = text.find("\n")
        head = text[3:] if first_line_end < 0 else text[3:first_line_end]
        # "```json\n{...}" drops the language word; "```{...}" keeps what follows the backticks
        text = text[3 + len(head) :] if head.strip().isalpha() or not head.strip() else text[3:]
    if text.endswith("```"):
        text = text[:-3]
    return text.strip()


def _read_arguments(text: str) -> dict[str, Any]:
    text = _strip_fence(text)
    if not text or text in ("{}", "None", "null"):
        return {}
    value, _end = jsonish.read_object(text)  # text after the object is ignored
    return value


def _describe_errors(cls: type, error: ValidationError) -> str:
    tool = cls.tool_name()
    fields = [n for n in cls.model_fields if n != "type"]
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        arg = item["loc"][0] if item["loc"] else ""
        if item["type"] == "missing":
            desc = cls.model_fields[arg].description if arg in cls.model_fields else None
            lines.append(f'missing argument "{where}"' + (f" ({desc})" if desc else ""))
        elif item["type"] == "extra_forbidden":
            takes = ", ".join(f'"{n}"' for n in fields) or "no arguments"
            lines.append(f'unknown argument "{where}" ({tool} takes {takes})')
        else:
            lines.append(f'argument "{where}": {item["msg"]}')
    return f"{tool}: " + "; ".join(lines) + "."


def _validate(raw: RawCall, space: Sequence[type]) -> Call:
    cls = _resolve(raw.name, space)
    try:
        args = _read_arguments(raw.arguments)
    except jsonish.JsonishError as e:
        raise ModelError(f"The arguments of {cls.tool_name()} are not a valid JSON object: {e}.") from None
    if not isinstance(args, dict):
        raise ModelError(f"The arguments of {cls.tool_name()} must be a JSON object.")
    if "type" in args:
        raise ModelError(f'{cls.tool_name()}: unknown argument "type".')
    try:
        action = cls.model_validate({**args, "type": cls.tool_name()})
    except ValidationError as e:
        raise ModelError(_describe_errors(cls, e)) from None
    return Call(action=action, raw=raw)


def parse_reply(text: str, action_space: Sequence[type] = ACTION_TYPES, *, cut_off: bool = False) -> ParsedReply:
    """Parse one model reply. Pure: no I/O, no state. Raises only ``ParseError``.

    ``cut_off``: generation stopped at the token limit, so a reply without a call is unfinished, not a final
    answer, and any error says the reply was cut off.
    """
    if len(text) > MAX_REPLY_CHARS:
        raise ParseError(
            f"Your reply was too long ({len(text)} characters; at most {MAX_REPLY_CHARS}). Write a short thought.",
            thought=text[:MAX_THOUGHT_CHARS],
        )
    try:
        return _parse(text, action_space, cut_off)
    except ParseError as e:
        if not cut_off:
            raise
        raise ParseError(f"{CUT_OFF} {e.problem}", thought=e.thought, raw_calls=e.raw_calls, text=e.text) from None


CUT_OFF = "Your reply was cut off at the token limit before it was complete: write a shorter thought."


def _parse(text: str, action_space: Sequence[type], cut_off: bool) -> ParsedReply:
    cleaned = clean_reply(text)
    if not cleaned:
        raise ParseError("Your reply was empty.", text=cleaned)
    split = _split(cleaned)
    if len(split.raw_calls) > MAX_CALLS:
        raise ParseError(
            f"Too many calls in one reply ({len(split.raw_calls)}); make at most {MAX_CALLS}.",
            thought=split.thought,
            raw_calls=split.raw_calls[:MAX_CALLS],
            text=cleaned,
        )
    if not split.raw_calls:
        _refuse_unread_call(text, cleaned, cut_off)
    calls = []
    for i, raw in enumerate(split.raw_calls):
        try:
            calls.append(_validate(raw, action_space))
        except ModelError as e:
            where = f"Call {i + 1}: " if len(split.raw_calls) > 1 else ""
            raise ParseError(f"{where}{e}", thought=split.thought, raw_calls=split.raw_calls, text=cleaned) from None
    return ParsedReply(thought=split.thought, calls=tuple(calls), text=cleaned)


def _refuse_unread_call(text: str, cleaned: str, cut_off: bool) -> None:
    """A reply without a call is a final answer only if it is complete and holds nothing call-like."""
    thought = cleaned[:MAX_THOUGHT_CHARS]
    if cut_off:
        raise ParseError("It made no call and gave no final answer.", thought=thought, text=cleaned)
    if _STOP.search(text):
        raise ParseError(
            "Your reply has a RESULT or RETURN marker but no call before it; the results are written for you.",
            thought=thought,
            text=cleaned,
        )
    what = find_call(text)  # the whole reply: call-like content anywhere keeps it from being an answer
    if what is not None:
        raise ParseError(
            f"Your reply looks like a tool call written as {what}, which is not a format this agent reads; "
            "nothing was executed. A reply without a call ends the task as your final answer.",
            thought=thought,
            text=cleaned,
        )
