"""Writes the uitars_*.txt references from bytedance/UI-TARS's own prompt text and its agent's history form.

Run: python make_uitars_reference.py PATH/TO/codes/ui_tars/prompt.py (from this directory; the file is read
from a checkout of bytedance/UI-TARS, commit 582f3a7, and never imported: its string constants are read with
``ast.literal_eval``). Each prompt is filled with ``str.format(language=..., instruction=...)`` as UI-TARS
does. The conversation is the one the UI-TARS-1.5 agent in OSWorld (``mm_agents/uitars15_*.py``) builds: the
prompt as the first user turn; for each earlier response, its screenshot as a user turn when it is among
the newest ``history_n - 1``, then the response as an assistant turn; the current screenshot last. ChatML is
joined as the Qwen2.5-VL chat template joins it (its default system turn, since the agent gives none), an
image as its vision placeholder.
"""

import ast
import sys
from pathlib import Path

IMAGE = "<|vision_start|><|image_pad|><|vision_end|>"


def prompts(path: str) -> dict[str, str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)}


def conversation(prompt: str, responses: list[str], history_n: int) -> list[tuple[str, str]]:
    messages = [("user", prompt)]
    for index, response in enumerate(responses):
        if index + history_n > len(responses):
            messages.append(("user", IMAGE))
        messages.append(("assistant", response))
    messages.append(("user", IMAGE))
    return messages


def chatml(messages: list[tuple[str, str]]) -> str:
    turns = [("system", "You are a helpful assistant."), *messages]
    return "".join(f"<|im_start|>{role}\n{text}<|im_end|>\n" for role, text in turns) + "<|im_start|>assistant\n"


CASES = {
    "uitars_mobile_1step.txt": (
        "MOBILE_USE_DOUBAO",
        "Open the Clock app and add an alarm at 7:30",
        [
            "Thought: I need the Clock app first, so I open it.\nAction: open_app(app_name='Clock')",
        ],
        5,
    ),
    "uitars_mobile_3step.txt": (
        "MOBILE_USE_DOUBAO",
        "Search for 'weather' in Chrome",
        [
            "Thought: I open Chrome.\nAction: open_app(app_name='Chrome')",
            "Thought: 点击搜索框。\nAction: click(point='<point>540 300</point>')",
            "Thought: I type the query and submit it.\nAction: type(content='weather\\n')",
        ],
        2,
    ),
    "uitars_computer_1step.txt": (
        "COMPUTER_USE_DOUBAO",
        "Copy the selected text",
        [
            "Thought: I press Ctrl+C.\nAction: hotkey(key='ctrl c')",
        ],
        5,
    ),
}

if __name__ == "__main__":
    texts = prompts(sys.argv[1])
    for name, (constant, task, responses, history_n) in CASES.items():
        prompt = texts[constant].format(language="English", instruction=task)
        Path(name).write_text(chatml(conversation(prompt, responses, history_n)), encoding="utf-8")
