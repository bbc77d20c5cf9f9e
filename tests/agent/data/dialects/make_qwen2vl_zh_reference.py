"""Writes qwen2vl_zh_*.txt, qwen2vl_inline_zh_*.txt and qwen_agent_has_chinese.json with Qwen-Agent's own code
(qwen-agent==0.0.34 and its dependencies, in a throwaway venv).

Run: python make_qwen2vl_zh_reference.py (from this directory). Unlike the English references, the messages go
through Qwen-Agent's whole chat path (``BaseFnCallModel.chat`` with ``fncall_prompt_type='qwen'``), no ``lang``
given: Qwen-Agent itself picks the language (``has_chinese_messages``: a CJK ideograph in a system or user
message), writes the upload note of the screenshot in it (``format_as_multimodal_message``), renders the
function-call prompt in it (``QwenFnCallPrompt``, ``lang='zh'``) and, for ``qwen2vl``, folds the unfinished
episode into the user turn (``simulate_response_completion_with_chat``, what its OpenAI-server path sends). For
``qwen2vl-inline`` the episode stays an open assistant turn, as its DashScope path (``partial=True``) sends it.
A fake model service records what it is sent. The tools are tests/agent/data/qwen_agent_tools.json, the user
text is ours ("Task: " and the task), an image is its vision placeholder. (The same path on the English task
and steps of make_qwen2vl_inline_reference.py reproduces qwen2vl_inline_{1,3}step.txt and ../qwen_agent_step1.txt
byte for byte.) qwen25vl_mobile_zh_3step.txt is NousFnCallPrompt with lang='zh' on the Chinese task: the same
as with 'en', as that prompt ignores lang.
"""

import json
from pathlib import Path

from qwen_agent.llm.function_calling import BaseFnCallModel
from qwen_agent.llm.schema import ContentItem, FunctionCall, Message
from qwen_agent.utils.utils import has_chinese_messages

HERE = Path(__file__).parent
PAD = "<|vision_start|><|image_pad|><|vision_end|>"
TOOLS = json.loads((HERE.parent / "qwen_agent_tools.json").read_text(encoding="utf-8"))
TASK = "打开设置并开启无线网络"
SYSTEM = "You are a GUI agent operating an Android phone."  # English system text: the task alone makes it zh
STEPS = [
    ("设置图标在屏幕上，我点击它。", "Tap", '{"point": [348, 291]}', ""),
    ("The screen did not change. 再试一次。", "Tap", '{"point": [350, 300]}', "Error: the point is off the screen."),
    ("现在打开无线网络。", "Tap", '{"point": [500, 120]}', ""),
]
# has_chinese_messages on a user message holding each text: ideographs count, other CJK scripts do not
LANGUAGE_CASES = ["打开设置", "open 设置", "Open Settings", "，。！？：", "設定を開く", "セッティング", "설정 열기",
                  "\u3400", "\U00020000", "\u9fff", "\u4e00", "Ｔａｐ", ""]  # fmt: skip


class Recorder(BaseFnCallModel):
    """A model service that keeps the messages Qwen-Agent would send it, and replies nothing useful."""

    def __init__(self, inline: bool) -> None:
        super().__init__({"model": "recorder", "generate_cfg": {"fncall_prompt_type": "qwen"}})
        self.inline = inline
        self.sent: list[Message] = []

    @property
    def support_multimodal_input(self) -> bool:
        return True

    def _continue_assistant_response(self, messages, generate_cfg, stream):
        if self.inline:  # as QwenChatAtDS: the open assistant message is sent as it is (partial mode)
            return self._chat(messages, stream=stream, delta_stream=False, generate_cfg=generate_cfg)
        return super()._continue_assistant_response(messages, generate_cfg, stream)

    def _chat_no_stream(self, messages, generate_cfg):
        self.sent = messages
        return [Message(role="assistant", content=[ContentItem(text="ok")])]

    def _chat_stream(self, messages, delta_stream, generate_cfg):
        raise NotImplementedError


def episode(steps: int) -> list[Message]:
    messages = [
        Message(role="user", content=[ContentItem(text=f"Task: {TASK}"), ContentItem(image="file://screen0.png")])
    ]
    if steps == 3:
        messages.insert(0, Message(role="system", content=[ContentItem(text=SYSTEM)]))
    for thought, name, args, result in STEPS[:steps]:
        messages.append(Message(role="assistant", content=[ContentItem(text=thought)]))
        messages.append(Message(role="assistant", content=[], function_call=FunctionCall(name=name, arguments=args)))
        items = [ContentItem(text=result), ContentItem(image="file://s.png")]
        messages.append(Message(role="function", name=name, content=items))
    return messages


def render(steps: int, inline: bool) -> str:
    model = Recorder(inline)
    model.chat(messages=episode(steps), functions=TOOLS, stream=False)
    text = []
    for m in model.sent:
        body = "".join(c.text if c.text is not None else PAD for c in m.content)
        text.append(f"<|im_start|>{m.role}\n{body}")
    if inline:
        return "<|im_end|>\n".join(text)  # the last (assistant) message stays open
    return "".join(f"{t}<|im_end|>\n" for t in text) + "<|im_start|>assistant\n"


for n in (1, 3):
    (HERE / f"qwen2vl_zh_{n}step.txt").write_text(render(n, inline=False), encoding="utf-8")
    (HERE / f"qwen2vl_inline_zh_{n}step.txt").write_text(render(n, inline=True), encoding="utf-8")
verdicts = {t: has_chinese_messages([Message(role="user", content=t)]) for t in LANGUAGE_CASES}
(HERE / "qwen_agent_has_chinese.json").write_text(
    json.dumps(verdicts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
)


def nous_render() -> str:
    """qwen25vl's 3-step episode of make_qwen25vl_reference.py on the Chinese task, through NousFnCallPrompt with
    lang='zh' (what Qwen-Agent's chat path would pass for it; the cookbook itself passes lang=None)."""
    from string import Template

    from qwen_agent.llm.fncall_prompts.nous_fncall_prompt import NousFnCallPrompt

    spec = json.loads(
        (HERE.parents[3] / "agent" / "templates" / "qwen25vl_mobile_use.json").read_text(encoding="utf-8")
    )
    fn = {"name_for_human": "mobile_use", "name": "mobile_use",
          "description": Template(spec["description"]).substitute(width=1092, height=2408),
          "parameters": spec["parameters"], "args_format": "Format the arguments as a JSON object."}  # fmt: skip
    steps = [{"action": "open", "text": "设置"}, {"action": "click", "coordinate": [540, 1203]},
             {"action": "swipe", "coordinate": [546, 1806], "coordinate2": [546, 602]}]  # fmt: skip
    history = "".join(
        f"Step {i + 1}: {json.dumps({'name': 'mobile_use', 'arguments': a}, ensure_ascii=False)}; "
        for i, a in enumerate(steps)
    )
    progress = "Task progress (You have done the following operation on the current device)"
    query = f"The user query:  {TASK}\n{progress}: {history}"
    system = Message(role="system", content=[ContentItem(text="You are a helpful assistant.")])
    user = Message(role="user", content=[ContentItem(text=query), ContentItem(image="file://shot.png")])
    msgs = NousFnCallPrompt().preprocess_fncall_messages(messages=[system, user], functions=[fn], lang="zh")
    out = []
    for m in msgs:
        body = "".join(c.text if c.text is not None else PAD for c in m.content)
        out.append(f"<|im_start|>{m.role}\n{body}<|im_end|>\n")
    return "".join(out) + "<|im_start|>assistant\n"


(HERE / "qwen25vl_mobile_zh_3step.txt").write_text(nous_render(), encoding="utf-8")
