"""``qwen3vl``: Qwen3-VL's ``mobile_use`` tool on a 0-999 grid, as its official mobile-agent cookbook renders it.

Source: QwenLM/Qwen3-VL ``cookbooks/mobile_agent.ipynb``: the system prompt is the Nous tool section (no
system text before it) around ``mobile_use`` stating "The screen's resolution is 999x999", followed by a
"Response format" section (Thought, Action, one ``<tool_call>``); the cookbook rescales a point with
``round(x / 999 * width)`` (the ``norm999`` convention; 1000, the edge under the 0-1000 reading of other
Qwen3-VL text, is accepted). Its mobile tool drops ``key`` and ``open`` and adds ``answer``; ``open`` is still
read (the family's parser knows it). History: "Step i: <the step's Action line>; " and the newest
screenshot. Replies may open with a ``<think>`` block. The processor uses 16 px patches with 2x2 merging.
Desktop: the cookbook utils' ``computer_use`` tool on the same grid, with the same response format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.tools import Frame

from ..prompt import render_template
from .base import NO_NOTES
from .qwen25vl import function
from .toolcall import ToolCallDialect, nous_system, tool_name

if TYPE_CHECKING:
    from ..prompt import Exchange

GRID = (999, 999)


class Qwen3VL(ToolCallDialect):
    name = "qwen3vl"
    convention = "norm999"
    patch_factor = 32
    summary = "Qwen3-VL: <tool_call> mobile_use/computer_use, points on a 0-999 grid, Thought/Action lines"

    def system(
        self, action_space: Sequence[type], frame: Frame, instruction: bool, notes: Mapping[str, str] = NO_NOTES,
        *, task: str = "",
    ) -> str:  # fmt: skip
        fn = function("qwen3vl", tool_name(action_space), *GRID, legacy_keys=False)
        return "\n\n" + nous_system("", [fn]) + render_template("qwen3vl_response_format.txt")

    def history_line(self, exchange: Exchange, tool: str) -> str:
        """The step's "Action:" summary as the cookbook keeps it (newlines and double quotes dropped)."""
        at = exchange.thought.rfind("Action:")
        if at < 0:
            return super().history_line(exchange, tool)
        summary = exchange.thought[at + len("Action:") :].replace("\n", "").replace('"', "").strip()
        errors = [c.result_text.splitlines()[0] for c in exchange.calls if c.result_text.startswith("Error")]
        return " ".join([summary, *(f"({e})" for e in errors)])

    def user_query(self, task: str, steps: str) -> str:
        return (
            f"The user query: {task}.\n"
            f"Task progress (You have done the following operation on the current device): {steps}.\n"
        )
