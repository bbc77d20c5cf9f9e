"""Recognising a tool call written in a syntax this dialect does not read, so it is never taken for an answer.

GUI models write calls in many syntaxes: Hermes-style ``<tool_call>{"name": ..., "arguments": ...}</tool_call>``
(Qwen2.5-VL, Qwen3-VL, GUI-Owl, MAI-UI), ``Action: click(start_box='(x,y)')`` (UI-TARS), JSON actions such as
``{"action_type": "click", ...}`` (AndroidWorld's agents), ``pyautogui.click(x=, y=)`` code (OS-Atlas, Aguvis,
UGround), ``CLICK <point>[[x,y]]</point>`` (OS-Atlas), ``do(action="Tap", ...)`` / ``finish(...)`` (AutoGLM),
OpenAI/Llama/Mistral function-call blocks, and our own tool names without the markers (``Tap(point=...)``).
A reply without a parsed call that contains any of these is an error for the model, not a final answer.

Every pattern has bounded repetition only, so a search over any text is linear in its length.
"""

from __future__ import annotations

import re

from qwen2vl_agent.tools import ACTION_TYPES

_VERBS = (
    "click", "left_click", "left_single", "left_double", "right_single", "double_click", "right_click", "middle_click",
    "long_press", "longpress", "tap", "type", "input", "input_text", "scroll", "swipe", "drag", "select",
    "hotkey", "press", "key", "keyboard", "press_home", "press_back", "press_enter", "press_key", "navigate_home",
    "navigate_back", "home", "back", "enter", "finished", "finish", "terminate", "answer", "status", "open_app",
    "launch", "launch_app", "wait", "call_user", "hover", "move_to", "moveto", "mouse_move", "write", "do",
    "left_click_drag", "triple_click", "system_button", "open", "app_switch", "take_screenshot",
)  # fmt: skip


def _tool_names() -> list[str]:
    names = set()
    for cls in ACTION_TYPES:
        name = cls.tool_name()
        names.add(name.lower())
        names.add(re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())  # LongPress -> long_press
    return sorted(names)


_ALTERNATION = "|".join(sorted({*map(re.escape, _VERBS), *map(re.escape, _tool_names())}, key=len, reverse=True))

# What follows "name(" in a call, not in prose: ")" (no arguments), "key=", or a value (quote, digit, bracket);
# "answer(s)" and "Paris (France)" are not calls.
_ARGUMENTS = r"""(?:\)|[ \t]{0,2}(?:[A-Za-z_]\w{0,30}[ \t]{0,2}=|['"\[{(<\d-]))"""

# (pattern, how the model wrote its call), checked in order.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"<\|?/?[ \t]{0,2}(?:tool_calls?|function_calls?|tool_use|tool_code|action_start)\b|<function=|"
            r"\[TOOL_CALLS\]|<\|(?:tool_call|plugin|action)\|>",
            re.IGNORECASE,
        ),
        "a tool-call block (<tool_call>...</tool_call> or similar)",
    ),
    (re.compile(r"(?<![\w.])(?:FUNCTION|ARGS|RESULT|RETURN)[ \t]{0,3}[:：]"), "FUNCTION:/ARGS: without the markers"),
    (re.compile(r"\bpyautogui\s{0,3}\.\s{0,3}[A-Za-z_]"), "pyautogui code"),
    (
        re.compile(
            r"[\"'](?:action|action_type|function|tool|tool_name|arguments|parameters|point|coordinate|coordinates|"
            r"start_box|end_box|position|bbox)[\"'][ \t]{0,8}:",
            re.IGNORECASE,
        ),
        "a JSON action",
    ),
    (re.compile(rf"(?<![\w.])(?:{_ALTERNATION})\({_ARGUMENTS}", re.IGNORECASE), "a function-call expression"),
    (re.compile(rf"(?<![\w.])(?:{_ALTERNATION})[ \t]{{0,3}}\{{", re.IGNORECASE), "a tool name followed by arguments"),
    (
        re.compile(
            r"(?m)^[ \t]{0,8}(?:grounded[ \t]{1,3})?(?:action|operation)[ \t]{0,3}[:：][ \t]{0,3}\S", re.IGNORECASE
        ),
        'an "Action:" line',
    ),
    (
        re.compile(r"\b[A-Z][A-Z_]{1,20}[ \t]{0,3}(?:<point>|<bbox>|\[\[)"),
        "an action word with a <point>",
    ),
)


def find_call(text: str) -> str | None:
    """How ``text`` writes a tool call in a syntax other than this dialect's markers, or None if it does not."""
    for pattern, what in _PATTERNS:
        if pattern.search(text):
            return what
    return None
