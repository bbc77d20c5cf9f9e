"""Calls a server returned outside the reply text, shown to the parser as Qwen's function-call text.

An OpenAI-compatible server started with a tool-call parser returns calls in ``message.tool_calls`` and
no (or other) text. The Qwen2-VL parser reads calls from text only, so ``reply_text`` writes each such
call in Qwen's format after the text: the step is parsed and acted on, and its record shows what the
server returned, instead of an empty final answer. A reply whose text already holds a call is left as it is.
"""

from __future__ import annotations

from qwen2vl_agent.model import Generation

from .markers import ARGS, FUNCTION


def reply_text(generation: Generation) -> str:
    """``generation.text`` with its ``tool_calls`` rendered as ``✿FUNCTION✿: NAME\\n✿ARGS✿: ARGUMENTS``."""
    if not generation.tool_calls or FUNCTION in generation.text:
        return generation.text
    calls = "".join(f"\n{FUNCTION}: {call.name}\n{ARGS}: {call.arguments}" for call in generation.tool_calls)
    return (generation.text.rstrip() + calls).lstrip("\n")
