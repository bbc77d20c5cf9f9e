"""``qwen25vl``: Qwen2.5-VL's ``mobile_use`` / ``computer_use`` tool, as its official cookbooks render it.

Sources: QwenLM/Qwen2.5-VL ``cookbooks/mobile_agent.ipynb`` (the printed prompt is the golden reference in
``tests/agent/test_dialects_prompts.py``), ``cookbooks/computer_use.ipynb`` and
``cookbooks/utils/agent_function_call.py`` (the tools' descriptions and parameters, kept verbatim in
``templates/qwen25vl_*.json``). The system prompt is "You are a helpful assistant." with Qwen-Agent's Nous
tool section; the tool states "The screen's resolution is WxH" with the size the processor resized the
screenshot to, and points are absolute pixels of that resized image. History: one user turn, "Task progress
... Step 1: {call}; " and the newest screenshot.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from qwen2vl_agent.tools import Frame

from .base import NO_NOTES
from .toolcall import ToolCallDialect, nous_system, tool_name

ARGS_FORMAT = "Format the arguments as a JSON object."


@cache
def tool_template(name: str) -> dict[str, Any]:
    """A tool's description (a ``$width``/``$height`` template) and parameters, from ``templates/``."""
    text = resources.files("qwen2vl_agent.agent").joinpath("templates", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def function(family: str, tool: str, width: int, height: int, *, legacy_keys: bool) -> dict[str, Any]:
    """The tool as Qwen-Agent's ``BaseTool.function`` gives it (with ``name_for_human`` and ``args_format``
    in the Qwen-Agent the Qwen2.5-VL cookbook ran, without them in the one the Qwen3-VL cookbook shows)."""
    spec = tool_template(f"{family}_{tool}")
    description = Template(spec["description"]).substitute(width=width, height=height)
    if legacy_keys:
        return {"name_for_human": tool, "name": tool, "description": description, "parameters": spec["parameters"],
                "args_format": ARGS_FORMAT}  # fmt: skip
    return {"name": tool, "description": description, "parameters": spec["parameters"]}


class Qwen25VL(ToolCallDialect):
    name = "qwen25vl"
    convention = "abs_resized"
    summary = "Qwen2.5-VL: <tool_call> mobile_use/computer_use, pixels of the resized screenshot"

    def system(
        self, action_space: Sequence[type], frame: Frame, instruction: bool, notes: Mapping[str, str] = NO_NOTES,
        *, task: str = "",
    ) -> str:  # fmt: skip
        width, height = frame.model_image
        tool = tool_name(action_space)
        return nous_system(
            "You are a helpful assistant.", [function("qwen25vl", tool, width, height, legacy_keys=True)]
        )

    def user_query(self, task: str, steps: str) -> str:
        # verbatim from the cookbook's example, the two spaces after "query:" included
        progress = "Task progress (You have done the following operation on the current device)"
        return f"The user query:  {task}\n{progress}: {steps}"
