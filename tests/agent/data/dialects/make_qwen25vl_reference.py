"""Writes qwen25vl_mobile_3step.txt with Qwen-Agent's own NousFnCallPrompt (qwen-agent==0.0.34, a throwaway venv).

Run: python make_qwen25vl_reference.py > qwen25vl_mobile_3step.txt (from this directory, repository installed).
The tool is the Qwen2.5-VL cookbook's mobile_use with the keys its Qwen-Agent gave (name_for_human,
args_format); the history is the cookbook's "Task progress ... Step i: {call}; " form. ChatML is joined as
the Qwen2.5-VL chat template joins text parts, an image as its vision placeholder.
"""

import json
import sys
from pathlib import Path
from string import Template

from qwen_agent.llm.fncall_prompts.nous_fncall_prompt import NousFnCallPrompt
from qwen_agent.llm.schema import ContentItem, Message

TEMPLATES = Path(__file__).parents[4] / "agent" / "templates"
spec = json.loads((TEMPLATES / "qwen25vl_mobile_use.json").read_text(encoding="utf-8"))
fn = {
    "name_for_human": "mobile_use",
    "name": "mobile_use",
    "description": Template(spec["description"]).substitute(width=1092, height=2408),
    "parameters": spec["parameters"],
    "args_format": "Format the arguments as a JSON object.",
}
steps = [
    {"action": "open", "text": "Settings"},
    {"action": "click", "coordinate": [540, 1203]},
    {"action": "swipe", "coordinate": [546, 1806], "coordinate2": [546, 602]},
]
history = "".join(
    f"Step {i + 1}: {json.dumps({'name': 'mobile_use', 'arguments': a}, ensure_ascii=False)}; "
    for i, a in enumerate(steps)
)
progress = "Task progress (You have done the following operation on the current device)"
query = f"The user query:  Turn on Wi-Fi\n{progress}: {history}"
msgs = NousFnCallPrompt().preprocess_fncall_messages(
    messages=[
        Message(role="system", content=[ContentItem(text="You are a helpful assistant.")]),
        Message(role="user", content=[ContentItem(text=query), ContentItem(image="file://shot.png")]),
    ],
    functions=[fn],
    lang=None,
)
out = []
for m in msgs:
    body = "".join(c.text if c.text is not None else "<|vision_start|><|image_pad|><|vision_end|>" for c in m.content)
    out.append(f"<|im_start|>{m.role}\n{body}<|im_end|>\n")
sys.stdout.write("".join(out) + "<|im_start|>assistant\n")
