"""Qwen's function-call markers: the only module that spells them.

Qwen-Agent (``qwen_fncall_prompt.py``) defines four markers. The model writes ``✿FUNCTION✿: name`` and
``✿ARGS✿: {...}``, then stops before ``✿RESULT✿``; the runtime appends the result and ``✿RETURN✿``.
"""

from __future__ import annotations

FUNCTION = "✿FUNCTION✿"
ARGS = "✿ARGS✿"
RESULT = "✿RESULT✿"
RETURN = "✿RETURN✿"

MARKERS = (FUNCTION, ARGS, RESULT, RETURN)

#: Where generation must stop. Generic renderings (``*RESULT*``, ``**RESULT**``) are not stop strings for
#: the engine - the parser cuts at them instead.
STOP_WORDS = (RESULT, RETURN)
