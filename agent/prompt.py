"""The prompt: the system message with a generated tool section, and the episode rendered as Qwen does.

The tool section is generated from the action models (``tools.tool_specs``) through Qwen-Agent's
function-call template (``templates/tools_en.txt``), so it cannot drift from what the parser accepts. Like
Qwen-Agent, a conversation whose system or user text holds Chinese gets its Chinese template
(``tools_zh.txt``) and the screenshot's upload note in Chinese (``task_zh.txt``); the markers are the same.

The conversation follows Qwen-Agent's ``qwen`` function-call rendering (reference:
``shared/docs/PROTOCOL.md``): each call becomes ``✿FUNCTION✿: name\\n✿ARGS✿: {json}``, its result
``\\n✿RESULT✿: <text><image>\\n✿RETURN✿: ``, a later thought follows the ``✿RETURN✿: `` directly, the
trailing ``: `` is dropped so the model continues with it, and the unfinished tool episode is folded
into the last user message after a blank line. Templates are package data rendered strictly: a missing
variable is an error, not an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any, Literal

from qwen2vl_agent.model import ImagePart, Message, Part, TextPart

from . import jsonish, markers
from .records import CallRecord

if TYPE_CHECKING:
    from PIL.Image import Image


OMITTED = "(screenshot omitted)"

Lang = Literal["en", "zh"]
_CHINESE = re.compile("[\u4e00-\u9fff]")  # Qwen-Agent's CHINESE_CHAR_RE: CJK ideographs, not kana or punctuation
ARGS_FORMAT = {"en": "Format the arguments as a JSON object.", "zh": "此工具的输入应为JSON对象。"}
TASK_TEMPLATES = {"en": "task.txt", "zh": "task_zh.txt"}


class TemplateError(KeyError):
    """A template was rendered without one of its variables."""


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8"))


def render_template(template: str, /, **variables: Any) -> str:
    """Render ``templates/<template>`` with ``$variables``; every variable must be given."""
    try:
        return _template(template).substitute(variables)
    except KeyError as e:
        raise TemplateError(f"template {template!r} needs the variable {e.args[0]!r}") from None


def language(*texts: str) -> Lang:
    """The language Qwen-Agent renders a conversation in (``has_chinese_messages``): ``"zh"`` when any of its
    system or user texts holds a CJK ideograph, else ``"en"``. Tool descriptions and replies do not count."""
    return "zh" if any(_CHINESE.search(t) for t in texts) else "en"


def tool_description(spec: dict[str, Any], lang: Lang = "en") -> str:
    """One tool, as Qwen-Agent describes it: heading, description, JSON-schema parameters."""
    return render_template(
        f"tool_{lang}.txt",
        name=spec["name"],
        description=spec["description"],
        parameters=jsonish.dumps(spec["parameters"]),
        args_format=spec.get("args_format", ARGS_FORMAT[lang]),
    ).rstrip()


def tool_section(specs: Sequence[dict[str, Any]], lang: Lang = "en") -> str:
    """The system prompt's tool section for these tool specs (Qwen-Agent's non-parallel form in ``lang``)."""
    return render_template(
        f"tools_{lang}.txt",
        tool_descs="\n\n".join(tool_description(s, lang) for s in specs),
        tool_names=",".join(s["name"] for s in specs),
        FUNCTION=markers.FUNCTION,
        ARGS=markers.ARGS,
        RESULT=markers.RESULT,
        RETURN=markers.RETURN,
    )


def system_message(specs: Sequence[dict[str, Any]], instruction: str | None, lang: Lang = "en") -> str:
    """The instruction (if any), a blank line, then the tool section in ``lang``, as Qwen-Agent appends it."""
    tools = tool_section(specs, lang)
    return f"{instruction}\n\n{tools}" if instruction else tools


def episode_language(system: str, task: str) -> Lang:
    """The language of an episode's user turn: the one its system prompt was rendered in (``system_message``
    in Chinese starts its tool section with the Chinese heading), or Chinese for a Chinese task. Qwen-Agent
    uses one language for the whole conversation."""
    zh_heading = _template("tools_zh.txt").template.partition("${tool_descs}")[0]
    return "zh" if zh_heading in system else language(task)


def task_text(task: str, lang: Lang = "en") -> str:
    """The first user text: the screenshot's upload note (in ``lang``, as Qwen-Agent writes it) and the task."""
    return render_template(TASK_TEMPLATES[lang], image_name="screen0.png", task=task)


@dataclass
class CallTurn:
    """One call in the episode and its result, as the model will see it again."""

    name: str
    arguments: str  # as shown: normalised JSON for a valid call, the model's own text otherwise
    result_text: str = ""
    result_image: Image | None = None


@dataclass
class Exchange:
    """One model reply: the thought and the calls it made (with their results)."""

    thought: str
    calls: list[CallTurn] = field(default_factory=list)


class _Dropped:
    """Stands for a screenshot that has left the image window: the policy keeps no pixels for it."""

    def __repr__(self) -> str:
        return "DROPPED"


DROPPED = _Dropped()
"""A ``CallTurn.result_image`` whose image is no longer kept; it is always rendered as ``OMITTED``."""


def exchange_of(thought: str, calls: Sequence[CallRecord], screenshot: Image | None) -> Exchange:
    """The prompt's view of a step's record: each call as shown (normalised JSON for a validated call, the
    model's own text otherwise) with its recorded result, and the new screenshot after the last call."""
    turns = [
        CallTurn(c.name, jsonish.dumps(c.arguments) if c.arguments is not None else c.raw_arguments, c.result)
        for c in calls
    ]
    if turns:
        turns[-1].result_image = screenshot
    return Exchange(thought, turns)


def _push_text(parts: list[Part], text: str) -> None:
    """Append text, merging with a preceding text part (the template concatenates parts anyway)."""
    if not text:
        return
    if parts and isinstance(parts[-1], TextPart):
        parts[-1] = TextPart(parts[-1].text + text)
    else:
        parts.append(TextPart(text))


def episode_parts(exchanges: Sequence[Exchange], omitted: frozenset[int] = frozenset()) -> list[Part]:
    """Render the tool episode the way Qwen-Agent flattens assistant, function-call and result messages.

    ``omitted``: indices (in order of appearance) of result images to show as text instead.
    """
    parts: list[Part] = []
    image_index = 0
    exit_marker = f"\n{markers.RETURN}: "
    for exchange in exchanges:
        _push_text(parts, exchange.thought)
        for call in exchange.calls:
            if call.name:  # a nameless call is a bare result: an error about a reply that made no call
                prefix = "\n" if parts else ""
                _push_text(parts, f"{prefix}{markers.FUNCTION}: {call.name}\n{markers.ARGS}: {call.arguments}")
            _push_text(parts, f"\n{markers.RESULT}: {call.result_text}")
            if call.result_image is not None:
                if call.result_image is DROPPED and image_index not in omitted:
                    raise ValueError(f"result image {image_index} was dropped but is inside the image window")
                if image_index in omitted:
                    _push_text(parts, f"{' ' if call.result_text else ''}{OMITTED}")
                else:
                    parts.append(ImagePart(call.result_image))
                image_index += 1
            _push_text(parts, exit_marker)
    if parts and isinstance(parts[-1], TextPart) and parts[-1].text.endswith(exit_marker):
        # Qwen-Agent drops the ": " so the model's continuation starts with it.
        parts[-1] = TextPart(parts[-1].text[:-2])
    return parts


def build_messages(
    system: str,
    task: str,
    first_image: Image,
    exchanges: Sequence[Exchange],
    *,
    keep_images: int | None = None,
) -> list[Message]:
    """The full model input: system, then one user message holding the task and the folded episode.

    The screenshot's upload note is in the language of the system prompt (``episode_language``).
    ``keep_images``: show only the last K screenshots as images; older ones become a short text note.
    Dropping an image changes the M-RoPE positions of everything after it, so a prefix cache can reuse
    only the prompt before the first image shown (the transformers backend caches exactly that head).
    """
    results = sum(1 for ex in exchanges for c in ex.calls if c.result_image is not None)
    total = results + 1
    dropped = max(0, total - keep_images) if keep_images is not None else 0
    user: list[Part] = [TextPart(task_text(task, episode_language(system, task)))]
    if dropped:
        _push_text(user, f" {OMITTED}")
    else:
        user.append(ImagePart(first_image))
    if exchanges:
        _push_text(user, "\n\n")
        omitted = frozenset(range(dropped - 1)) if dropped else frozenset()
        for part in episode_parts(exchanges, omitted):
            if isinstance(part, TextPart):
                _push_text(user, part.text)
            else:
                user.append(part)
    return [Message.text("system", system), Message("user", tuple(user))]


def render_text(messages: Sequence[Message], image_token: str = "<|vision_start|><|image_pad|><|vision_end|>") -> str:
    """ChatML text of ``messages`` with the generation prompt, images as Qwen2-VL's placeholder.

    This is what the Qwen2-VL chat template produces (before each image pad is expanded); the tests
    compare it with the reference rendering, and it is handy for debugging prompts.
    """
    out = []
    for message in messages:
        body = "".join(p.text if isinstance(p, TextPart) else image_token for p in message.content)
        out.append(f"<|im_start|>{message.role}\n{body}<|im_end|>\n")
    return "".join(out) + "<|im_start|>assistant\n"
