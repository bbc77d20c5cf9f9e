"""A Chinese task: Qwen-Agent's Chinese function-call template, byte-exact with Qwen-Agent 0.0.34's own rendering.

References (``data/dialects``, all written by ``make_qwen2vl_zh_reference.py`` running Qwen-Agent's whole chat path,
which picks the language itself):
- ``qwen2vl_zh_{1,3}step.txt``: ``qwen2vl`` (the episode folded into the user turn, its OpenAI-server path);
- ``qwen2vl_inline_zh_{1,3}step.txt``: ``qwen2vl-inline`` (the episode an open assistant turn, its partial mode);
- ``qwen25vl_mobile_zh_3step.txt``: ``NousFnCallPrompt`` with ``lang='zh'``;
- ``qwen_agent_has_chinese.json``: ``has_chinese_messages``' verdict on a user message holding each text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent.dialects import get_dialect
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt import CallTurn, Exchange, language, render_template, render_text, system_message
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, Frame, tool_specs

DATA = Path(__file__).parent / "data"
REF_TOOLS = json.loads((DATA / "qwen_agent_tools.json").read_text(encoding="utf-8"))
TASK = "打开设置并开启无线网络"
SYSTEM = "You are a GUI agent operating an Android phone."  # the reference's system text, for the 3-step episode
STEPS = [  # as in the reference script
    Exchange("设置图标在屏幕上，我点击它。", [CallTurn("Tap", '{"point": [348, 291]}', "", None)]),
    Exchange("The screen did not change. 再试一次。", [CallTurn("Tap", '{"point": [350, 300]}', "Error: the point is off the screen.", None)]),
    Exchange("现在打开无线网络。", [CallTurn("Tap", '{"point": [500, 120]}', "", None)]),
]  # fmt: skip
PHONE = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="rel1000")


def _img(colour: int = 0) -> Image.Image:
    return Image.new("RGB", (56, 56), (colour, colour, colour))


def _exchanges(n: int) -> list[Exchange]:
    return [Exchange(e.thought, [CallTurn(c.name, c.arguments, c.result_text, _img(i)) for c in e.calls]) for i, e in enumerate(STEPS[:n])]  # fmt: skip


def _reference(name: str) -> str:
    return (DATA / "dialects" / name).read_text(encoding="utf-8")


def _system(n: int) -> str:
    instruction = SYSTEM if n == 3 else None
    return system_message(REF_TOOLS, instruction, language(TASK, instruction or ""))


@pytest.mark.parametrize(("text", "chinese"), json.loads(_reference("qwen_agent_has_chinese.json")).items())
def test_the_language_is_chosen_as_qwen_agent_chooses_it(text: str, chinese: bool) -> None:
    assert language(text) == ("zh" if chinese else "en")
    assert language("Open Settings", text) == language(text)  # any of the texts decides


@pytest.mark.parametrize("n", [1, 3])
def test_qwen2vl_renders_a_chinese_episode_as_qwen_agent(n: int) -> None:
    messages = get_dialect("qwen2vl").messages(_system(n), TASK, _img(), _exchanges(n), 4)
    assert render_text(messages) == _reference(f"qwen2vl_zh_{n}step.txt")


@pytest.mark.parametrize("n", [1, 3])
def test_qwen2vl_inline_renders_a_chinese_episode_as_qwen_agent(n: int) -> None:
    messages = get_dialect("qwen2vl-inline").messages(_system(n), TASK, _img(), _exchanges(n), 4)
    text = render_text(messages).removesuffix("<|im_end|>\n<|im_start|>assistant\n")
    assert text == _reference(f"qwen2vl_inline_zh_{n}step.txt")


@pytest.mark.parametrize("name", ["qwen2vl", "qwen2vl-inline"])
@pytest.mark.parametrize("space", [MOBILE_ACTIONS, DESKTOP_ACTIONS])
def test_the_dialect_chooses_chinese_from_the_task(name: str, space: tuple[type, ...]) -> None:
    d = get_dialect(name)
    device = "a desktop computer" if space is DESKTOP_ACTIONS else "an Android phone"
    instruction = render_template("instruction.txt", device=device, coordinates=PHONE.describe())
    specs = tool_specs(space)
    assert d.system(space, PHONE, True, task=TASK) == system_message(specs, instruction, "zh")
    assert d.system(space, PHONE, False, task=TASK) == system_message(specs, None, "zh")
    # an English task keeps the English prompt, byte for byte what it was before the task was given
    assert d.system(space, PHONE, True, task="Open Settings") == d.system(space, PHONE, True)
    assert d.system(space, PHONE, True) == system_message(specs, instruction, "en")


def test_chinese_in_a_tool_note_does_not_switch_the_language() -> None:
    """Qwen-Agent looks at system and user messages only: tool descriptions are not messages."""
    d = get_dialect("qwen2vl")
    system = d.system(MOBILE_ACTIONS, PHONE, True, notes={"Tap": "点击屏幕。"}, task="Open Settings")
    assert "# Tools\n\n## You have access to the following tools:" in system and "点击屏幕。" in system
    user = render_text(d.messages(system, "Open Settings", _img(), [], 4)).split("<|im_start|>user\n")[1]
    assert user.startswith("(Uploaded ![image](screen0.png)) Task: Open Settings")


def test_the_policy_renders_a_chinese_task_in_chinese() -> None:
    policy = QwenPolicy(ScriptedModel([]), MOBILE_ACTIONS)
    policy.begin(TASK, _img())
    assert "\n\n# 工具\n\n## 你拥有如下工具：" in policy.system
    assert "✿FUNCTION✿: 工具名称，必须是[" in policy.system
    user = render_text(policy.messages()).split("<|im_start|>user\n")[1]
    assert user.startswith(f"（上传了 ![图片](screen0.png)）Task: {TASK}<|vision_start|>")
    policy.begin("Open Settings", _img())  # the next episode chooses again
    assert "# 工具" not in policy.system and "(Uploaded ![image](screen0.png))" in render_text(policy.messages())


def test_older_screenshots_become_text_in_chinese_too() -> None:
    messages = get_dialect("qwen2vl").messages(_system(3), TASK, _img(), _exchanges(3), 2)
    user = render_text(messages).split("<|im_start|>user\n")[1]
    assert user.startswith(f"（上传了 ![图片](screen0.png)）Task: {TASK} (screenshot omitted)\n\n")


@pytest.mark.parametrize("name", ["qwen25vl", "qwen3vl"])
def test_the_nous_family_has_no_chinese_template(name: str) -> None:
    """No zh rendering exists for this family: Qwen-Agent's ``NousFnCallPrompt.preprocess_fncall_messages`` drops
    ``lang`` (``del lang  # ignored``), the Qwen2.5-VL cookbook calls it with ``lang=None``, and Qwen3-VL's cookbook
    prompt is that Nous section with fixed English text around it: a Chinese task changes only the task text."""
    d = get_dialect(name)
    frame = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention=d.convention)
    assert d.system(MOBILE_ACTIONS, frame, True, task=TASK) == d.system(MOBILE_ACTIONS, frame, True)


def test_qwen25vl_renders_a_chinese_episode_as_nous_with_lang_zh() -> None:
    d = get_dialect("qwen25vl")
    frame = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="abs_resized")
    calls = [CallTurn("OpenApp", '{"name": "设置"}'), CallTurn("Tap", '{"point": [540, 1203]}'),
             CallTurn("Swipe", '{"start": [546, 1806], "end": [546, 602]}')]  # fmt: skip
    exchanges = [Exchange("", [c]) for c in calls]
    messages = d.messages(d.system(MOBILE_ACTIONS, frame, True, task=TASK), TASK, Image.new("RGB", (1080, 2400)), exchanges, 4)  # fmt: skip
    assert render_text(messages) == _reference("qwen25vl_mobile_zh_3step.txt")
