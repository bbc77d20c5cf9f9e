"""How a reply whose calls a server returned outside the text is kept in the step record.

An OpenAI-compatible server started with a tool-call parser returns calls in ``message.tool_calls`` and no
(or other) text. The dialect parses them from ``Generation.tool_calls``; the record keeps the reply the model
wrote, so the calls are written back after the text in the form such servers parse them from (a Hermes
``<tool_call>`` block each): the trajectory shows what the server returned, never an empty reply.
"""

from __future__ import annotations

import json

from qwen2vl_agent.model import Generation


def reply_text(generation: Generation) -> str:
    """``generation.text`` with each of its ``tool_calls`` after it as ``<tool_call>{"name", "arguments"}</tool_call>``
    (the arguments as the server sent them)."""
    calls = "".join(
        f'\n<tool_call>\n{{"name": {json.dumps(call.name)}, "arguments": {call.arguments or "{}"}}}\n</tool_call>'
        for call in generation.tool_calls
    )
    return (generation.text.rstrip() + calls).lstrip("\n") if calls else generation.text
