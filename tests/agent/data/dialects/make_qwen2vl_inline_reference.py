"""Writes qwen2vl_inline_{1,3}step.txt with Qwen-Agent's own QwenFnCallPrompt (qwen-agent==0.0.34, a throwaway venv).

Run: python make_qwen2vl_inline_reference.py (from this directory). The episode stays inside the assistant turn,
as Qwen-Agent's non-OpenAI path sends it (DashScope ``partial=True``; a local model continuing its last message):
ChatML with the last assistant message left open (no ``<|im_end|>``, no new generation prompt). The tools are
tests/agent/data/qwen_agent_tools.json, the task text is agent/templates/task.txt, an image is its vision
placeholder.
"""

import json
from pathlib import Path
from string import Template

from qwen_agent.llm.fncall_prompts.qwen_fncall_prompt import QwenFnCallPrompt
from qwen_agent.llm.schema import ContentItem, FunctionCall, Message

HERE = Path(__file__).parent
TEMPLATES = Path(__file__).parents[4] / "agent" / "templates"
PAD = "<|vision_start|><|image_pad|><|vision_end|>"
tools = json.loads((HERE.parent / "qwen_agent_tools.json").read_text(encoding="utf-8"))
task = Template((TEMPLATES / "task.txt").read_text(encoding="utf-8").strip()).substitute(
    image_name="screen0.png", task="open the Settings app."
)
STEPS = [
    ("The Settings icon is visible; I will tap it.", "Tap", '{"point": [348, 291]}', ""),
    ("The screen did not change. 再试一次。", "Tap", '{"point": [350, 300]}', "Error: the point is off the screen."),
    ("Now home.", "Home", "{}", ""),
]


def render(steps: int) -> str:
    messages = [Message(role="user", content=[ContentItem(text=task), ContentItem(image="file://screen0.png")])]
    for thought, name, args, result in STEPS[:steps]:
        call = FunctionCall(name=name, arguments=args)
        # as Qwen-Agent's own postprocessing returns a reply: the thought, then the call in a message of its own
        messages.append(Message(role="assistant", content=[ContentItem(text=thought)]))
        messages.append(Message(role="assistant", content=[], function_call=call))
        result_items = [ContentItem(text=result), ContentItem(image="file://s.png")]
        messages.append(Message(role="function", name=name, content=result_items))
    out = QwenFnCallPrompt.preprocess_fncall_messages(
        messages, functions=tools, lang="en", parallel_function_calls=False
    )
    text = []
    for m in out:
        body = "".join(c.text if c.text is not None else PAD for c in m.content)
        text.append(f"<|im_start|>{m.role}\n{body}")
    return "<|im_end|>\n".join(text)  # the last (assistant) message stays open


for n in (1, 3):
    (HERE / f"qwen2vl_inline_{n}step.txt").write_text(render(n), encoding="utf-8")
