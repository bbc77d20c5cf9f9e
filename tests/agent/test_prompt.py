"""The prompt: generated tool section, byte-exact Qwen-Agent rendering, history pruning, strict templates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.agent.prompt import (
    CallTurn,
    Exchange,
    TemplateError,
    build_messages,
    render_template,
    render_text,
    system_message,
    tool_section,
)
from qwen2vl_agent.model import ImagePart, ScriptedModel
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, tool_spec

DATA = Path(__file__).parent / "data"
PAD = "<|vision_start|><|image_pad|><|vision_end|>"

# The tools of the reference rendering (produced by Qwen-Agent 0.0.34, fncall_prompt_type='qwen').
REF_TAP, REF_HOME = json.loads((DATA / "qwen_agent_tools.json").read_text(encoding="utf-8"))


def _img(colour: int = 0) -> Image.Image:
    return Image.new("RGB", (56, 56), (colour, colour, colour))


def test_system_message_is_byte_exact_with_qwen_agent() -> None:
    assert system_message([REF_TAP, REF_HOME], None) == (DATA / "qwen_agent_system.txt").read_text(encoding="utf-8")


def test_step_rendering_is_byte_exact_with_qwen_agent() -> None:
    system = system_message([REF_TAP, REF_HOME], None)
    exchanges = [
        Exchange("The Settings icon is visible; I will tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", _img())])
    ]
    messages = build_messages(system, "open the Settings app.", _img(), exchanges)
    assert render_text(messages) == (DATA / "qwen_agent_step1.txt").read_text(encoding="utf-8")


def test_second_step_continues_after_return() -> None:
    system = system_message([REF_TAP, REF_HOME], None)
    exchanges = [
        Exchange(
            "The Settings icon is visible; I will tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", _img())]
        ),
        Exchange("Now home.", [CallTurn("Home", "{}", "", _img())]),
    ]
    text = render_text(build_messages(system, "open the Settings app.", _img(), exchanges))
    assert text.endswith(
        f"✿RETURN✿: Now home.\n✿FUNCTION✿: Home\n✿ARGS✿: {{}}\n✿RESULT✿: {PAD}\n✿RETURN✿<|im_end|>\n<|im_start|>assistant\n"
    )
    assert text.count(PAD) == 3  # task screenshot + two results, in order, inside the one user message
    assert text.count("<|im_start|>user") == 1


def test_result_text_goes_before_the_image_and_images_are_parts_in_order() -> None:
    first, second = _img(1), _img(2)
    exchanges = [Exchange("", [CallTurn("Tap", '{"point": [1, 2]}', "Error: nope", second)])]
    messages = build_messages("sys", "t", first, exchanges)
    assert [p.image for p in messages[1].content if isinstance(p, ImagePart)] == [first, second]
    assert '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [1, 2]}\n✿RESULT✿: Error: nope' + PAD in render_text(messages)


def test_tool_section_matches_the_action_models() -> None:
    for space in (MOBILE_ACTIONS, DESKTOP_ACTIONS):
        section = tool_section([tool_spec(c) for c in space])
        names = re.search(r"should be one of \[(.*)\]", section).group(1).split(",")
        assert names == [c.tool_name() for c in space]
        for cls in space:
            spec = tool_spec(cls)
            line = re.search(rf"^{cls.tool_name()}: (.*) Parameters: (.*) Format the arguments", section, re.M)
            assert line, cls.tool_name()
            assert line.group(1) == (cls.__doc__ or "").strip()
            assert json.loads(line.group(2)) == spec["parameters"]
            assert set(json.loads(line.group(2))["properties"]) == set(cls.model_fields) - {"type"}


def test_history_keeps_the_last_k_screenshots_as_images() -> None:
    images = [_img(i) for i in range(6)]
    exchanges = [Exchange(f"t{i}", [CallTurn("Home", "{}", "", images[i + 1])]) for i in range(5)]
    messages = build_messages("sys", "task", images[0], exchanges, keep_images=2)
    kept = [p.image for p in messages[1].content if isinstance(p, ImagePart)]
    assert kept == images[-2:]
    assert render_text(messages).count("(screenshot omitted)") == 4


def test_policy_system_prompt_describes_the_convention_and_tools() -> None:
    policy = QwenPolicy(ScriptedModel([]), MOBILE_ACTIONS, PolicyConfig(convention="rel1000"))
    policy.begin("Turn on Wi-Fi", _img())
    assert "0-1000 grid" in policy.system
    assert policy.system.endswith(tool_section([tool_spec(c) for c in MOBILE_ACTIONS]))
    assert "an Android phone" in policy.system
    desktop = QwenPolicy(ScriptedModel([]), DESKTOP_ACTIONS, PolicyConfig(convention="abs_resized"))
    desktop.begin("x", _img())
    assert "a desktop computer" in desktop.system and "56x56 screenshot" in desktop.system


def test_templates_render_strictly() -> None:
    with pytest.raises(TemplateError, match="needs the variable 'task'"):
        render_template("task.txt", image_name="a.png")
