"""``qwen2vl-inline``: the episode continues inside the assistant turn, byte-exact with Qwen-Agent 0.0.34's own
rendering (``data/dialects/make_qwen2vl_inline_reference.py``), and both backends continue that turn."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from qwen2vl_agent.agent.dialects import DIALECTS, get_dialect, select_dialect
from qwen2vl_agent.agent.prompt import CallTurn, Exchange, render_text, system_message
from qwen2vl_agent.model import Message, TextPart

DATA = Path(__file__).parent / "data"
PAD = "<|vision_start|><|image_pad|><|vision_end|>"
REF_TOOLS = json.loads((DATA / "qwen_agent_tools.json").read_text(encoding="utf-8"))
STEPS = [  # as in the reference script
    Exchange("The Settings icon is visible; I will tap it.", [CallTurn("Tap", '{"point": [348, 291]}', "", None)]),
    Exchange("The screen did not change. 再试一次。", [CallTurn("Tap", '{"point": [350, 300]}', "Error: the point is off the screen.", None)]),
    Exchange("Now home.", [CallTurn("Home", "{}", "", None)]),
]  # fmt: skip


def _img(colour: int = 0) -> Image.Image:
    return Image.new("RGB", (56, 56), (colour, colour, colour))


def _exchanges(n: int) -> list[Exchange]:
    return [Exchange(e.thought, [CallTurn(c.name, c.arguments, c.result_text, _img(i)) for c in e.calls]) for i, e in enumerate(STEPS[:n])]  # fmt: skip


def continued(messages: list[Message]) -> str:
    """ChatML as a chat template renders it with ``continue_final_message`` (the last turn left open)."""
    text = render_text(messages)
    assert messages[-1].role == "assistant" and text.endswith("<|im_end|>\n<|im_start|>assistant\n")
    return text.removesuffix("<|im_end|>\n<|im_start|>assistant\n")


def test_it_is_a_dialect_chosen_only_by_name() -> None:
    assert "qwen2vl-inline" in DIALECTS
    assert select_dialect("qwen2_vl", "Qwen/Qwen2-VL-7B-Instruct", "qwen2vl-inline") == (
        "qwen2vl-inline", "--dialect qwen2vl-inline"
    )  # fmt: skip
    assert select_dialect("qwen2_vl", "Qwen/Qwen2-VL-7B-Instruct")[0] == "qwen2vl"


def test_the_episode_renders_as_qwen_agent_continues_it() -> None:
    d = get_dialect("qwen2vl-inline")
    system = system_message(REF_TOOLS, None)
    for n in (1, 3):
        messages = d.messages(system, "open the Settings app.", _img(), _exchanges(n), keep_images=4)
        expected = (DATA / "dialects" / f"qwen2vl_inline_{n}step.txt").read_text(encoding="utf-8")
        assert continued(messages) == expected, n
        assert [m.role for m in messages] == ["system", "user", "assistant"]
        assert len(messages[-1].images()) == n  # the results' screenshots are in the assistant turn


def test_the_first_step_and_the_replies_are_qwen2vls() -> None:
    inline, plain = get_dialect("qwen2vl-inline"), get_dialect("qwen2vl")
    system = system_message(REF_TOOLS, None)
    first = _img()
    assert inline.messages(system, "t", first, [], 4) == plain.messages(system, "t", first, [], 4)
    assert (inline.stop, inline.convention, inline.patch_factor) == (plain.stop, plain.convention, plain.patch_factor)


def test_older_screenshots_become_text_as_in_qwen2vl() -> None:
    d = get_dialect("qwen2vl-inline")
    messages = d.messages(system_message(REF_TOOLS, None), "open the Settings app.", _img(), _exchanges(3), 2)
    user, assistant = messages[1], messages[2]
    assert user.images() == [] and user.content[0] == TextPart(
        "(Uploaded ![image](screen0.png)) Task: open the Settings app. (screenshot omitted)"
    )
    text = continued(messages)
    assert text.count(PAD) == 2 and text.count("(screenshot omitted)") == 2 and len(assistant.images()) == 2
