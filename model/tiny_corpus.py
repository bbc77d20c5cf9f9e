"""Training text for the tiny checkpoint's tokenizer: deterministic, offline, pure Python.

The tokenizer's only job is to look like Qwen's where cost is concerned: English prose, JSON-schema tool
descriptions and function calls should take roughly as many tokens as with a real BPE vocabulary (a
prompt that tokenizes twice as long would distort the benchmark's prefill figures), and the ✿ markers
should be short. So the corpus mixes agent-style prose, tool descriptions in Qwen-Agent's format, JSON
schemas, function calls, numbers, and pseudo-words that let the trainer fill the vocabulary.
"""

from __future__ import annotations

import random

MARKERS = ("✿FUNCTION✿", "✿ARGS✿", "✿RESULT✿", "✿RETURN✿")

_WORDS = (
    "tap", "press", "swipe", "type", "back", "home", "enter", "open", "app", "apps", "wait", "answer",
    "terminate", "click", "double", "right", "move", "drag", "scroll", "hotkey", "point", "points", "text",
    "name", "seconds", "status", "success", "failure", "screen", "screenshot", "settings", "contacts",
    "messages", "camera", "clock", "calendar", "browser", "search", "the", "a", "an", "to", "of", "in", "on",
    "at", "for", "with", "is", "it", "this", "that", "I", "need", "first", "then", "next", "now", "icon",
    "button", "menu", "list", "item", "page", "bar", "top", "bottom", "left", "up", "down", "find", "go",
    "return", "task", "done", "visible", "shows", "opened", "tapped", "typed", "will", "should", "phone",
    "desktop", "window", "file", "edit", "view", "help", "save", "close", "cancel", "ok", "Wi-Fi", "Bluetooth",
    "battery", "display", "sound", "notifications", "network", "internet", "account", "user", "password",
    "email", "you", "see", "act", "and", "or", "one", "step", "time", "until", "are", "integers", "grid",
    "over", "corner", "centre", "after", "each", "call", "receive", "new", "as", "result", "when", "complete",
    "if", "cannot", "be", "asks", "question", "about", "before", "terminating", "tools", "tool", "have",
    "access", "following", "hold", "from", "another", "e.g.", "what", "below", "where", "finger", "goes",
    "lifts", "duration", "how", "long", "milliseconds", "into", "focused", "input", "field", "key", "submit",
    "form", "show", "recent", "by", "its", "given", "number", "give", "final", "end", "episode", "whether",
    "was", "accomplished", "keys", "together", "combination", "amount", "direction", "mouse", "cursor",
    "position", "coordinates", "arguments", "object", "format", "JSON", "parameters", "reply", "insert",
    "command", "your", "which", "can", "called", "zero", "multiple", "times", "according", "needs", "use",
    "one", "of", "based", "on", "results", "images", "rendered", "Uploaded", "image", "error", "valid",
)  # fmt: skip

_SCHEMA_KEYS = ("point", "start", "end", "text", "name", "seconds", "status", "duration_ms", "keys", "amount")
_SCHEMA_TYPES = ("integer", "string", "number", "array", "object", "boolean")
_TOOLS = (
    "Tap", "LongPress", "Swipe", "Type", "Back", "Home", "Enter", "AppSwitch", "OpenApp", "Wait", "Answer",
    "Terminate", "Click", "DoubleClick", "RightClick", "MoveTo", "Drag", "Scroll", "Hotkey",
)  # fmt: skip
_SYLLABLES = (
    "ka", "to", "ri", "me", "su", "na", "lo", "pe", "vi", "da", "ne", "ko", "ru", "sa", "mi", "te", "bo", "lu",
    "fa", "ge", "ji", "ho", "wa", "ze", "ch", "st", "pr", "ing", "ion",
)  # fmt: skip

_QWEN_AGENT_LINES = (
    "# Tools",
    "## You have access to the following tools:",
    "## When you need to call a tool, please insert the following command in your reply, which can be called "
    "zero or multiple times according to your needs:",
    "✿FUNCTION✿: The tool to use, should be one of [Tap,Home]",
    "✿ARGS✿: The input of the tool",
    "✿RESULT✿: Tool results",
    "✿RETURN✿: Reply based on tool results. Images need to be rendered as ![](url)",
    " Format the arguments as a JSON object.",
)


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 14))).capitalize() + "."


def _schema(rng: random.Random) -> str:
    key = rng.choice(_SCHEMA_KEYS)
    prop = f'{{"type": "{rng.choice(_SCHEMA_TYPES)}", "description": "{_sentence(rng)[:-1].lower()}"}}'
    if rng.random() < 0.4:
        prop = (
            f'{{"type": "array", "items": {{"type": "integer"}}, "minItems": 2, "maxItems": 2, "description": "{key}"}}'
        )
    return f'{{"type": "object", "properties": {{"{key}": {prop}}}, "required": ["{key}"]}}'


def _call(rng: random.Random) -> str:
    point = f'{{"point": [{rng.randint(0, 1000)}, {rng.randint(0, 1000)}]}}'
    return f"{_sentence(rng)}\n✿FUNCTION✿: {rng.choice(_TOOLS)}\n✿ARGS✿: {point}\n✿RESULT✿: \n✿RETURN✿: "


def tiny_corpus(n: int = 6000, seed: int = 0) -> list[str]:
    """The training lines; the same ``n`` and ``seed`` give the same list."""
    rng = random.Random(seed)
    lines = [f"{m}: " for m in MARKERS] + [str(i) for i in range(1001)] + list(_QWEN_AGENT_LINES) * 20
    lines += ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5))) for _ in range(n // 2)]
    for _ in range(n):
        tool = rng.choice(_TOOLS)
        lines.append(f"### {tool}\n\n{tool}: {_sentence(rng)} Parameters: {_schema(rng)}")
        lines.append(_call(rng))
    return lines
