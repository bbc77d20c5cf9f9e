"""A reply that tried to call a tool is never a final answer, whatever syntax it wrote the call in.

The table holds the call syntaxes that open GUI and tool-calling model families emit. Each one is either
parsed (Qwen2-VL's own markers and their renderings) or a ``ParseError`` that tells the model which format to
use; a reply with no call-like content stays a final answer.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwen2vl_agent.agent.parser import ParseError, parse_reply

# Parsed: renderings of Qwen's own markers.
PARSED = [
    ('**FUNCTION:** Tap **ARGS:** {"point": [348, 291]}', "Tap"),  # the colon inside the bold
    ('*FUNCTION:* Tap\n*ARGS:* {"point": [348, 291]}', "Tap"),
    ('✿FUNCTION:✿ Tap ✿ARGS:✿ {"point": [348, 291]}', "Tap"),
    ("**Function**: Home\n**Args**: {}", "Home"),
]

# Not this dialect's format: an error for the model, never a final answer.
FOREIGN = [
    # Qwen2.5-VL / Qwen3-VL / GUI-Owl / MAI-UI (Hermes-style tool calls)
    '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [348, 291]}}\n</tool_call>',
    'I tap it.\n<tool_call>{"name": "computer_use", "arguments": {"action": "left_click", "coordinate": [1, 2]}}',
    # UI-TARS (1.0 and 1.5)
    "Thought: open it\nAction: click(start_box='(348,291)')",
    "Action: click(point='<point>348 291</point>')",
    "Thought: type\nAction: type(content='hello')",
    "Action: scroll(start_box='(500,500)', direction='down')",
    "Action: press_home()",
    "Action: finished(content='done')",
    "Action: drag(start_box='(1,2)', end_box='(3,4)')",
    "Action: long_press(start_box='<|box_start|>(1,2)<|box_end|>')",
    "Action: open_app(app_name='Settings')",
    "Action: hotkey(key='ctrl c')",
    # AndroidWorld M3A / SeeAct-V JSON actions
    'Reason: the button is there\nAction: {"action_type": "click", "index": 4}',
    '{"action_type": "open_app", "app_name": "Clock"}',
    # OpenAI / Llama / Mistral style function calls
    '{"name": "Tap", "arguments": {"point": [1, 2]}}',
    '{"function": {"name": "Tap", "arguments": "{\\"point\\": [1, 2]}"}}',
    '<function=Tap>{"point": [1, 2]}</function>',
    '[TOOL_CALLS] [{"name": "Tap", "arguments": {"point": [1, 2]}}]',
    '<|tool_call|>{"name": "Tap"}',
    '<function_call>{"name": "Tap"}</function_call>',
    # pyautogui code (OS-Atlas, Aguvis, UGround, SeeClick-style agents)
    "```python\npyautogui.click(x=348, y=291)\n```",
    "pyautogui.write('hello')",
    # OS-Atlas / CogAgent / AutoGLM / ShowUI action strings
    "CLICK <point>[[348, 291]]</point>",
    "Grounded Operation: CLICK(box=[[100,200,300,400]], element_info='Settings')",
    'do(action="Tap", element=[348, 291])',
    'finish(message="The alarm is set")',
    "{'action': 'CLICK', 'value': None, 'position': [0.49, 0.42]}",
    # our own tool names without the markers
    "Tap(point=[348, 291])",
    'Tap {"point": [348, 291]}',
    "long_press(point=(1, 2))",
    'Terminate({"status": "success"})',
    '```json\n{"point": [348, 291]}\n```',
    # the markers without a call
    "✿RESULT✿: Tapped.",
    "I am done. ✿RETURN✿",
    'FUNCTION: Tap\nARGS: {"point": [1, 2]}',
]

# No call-like content: final answers stay final answers.
FINAL = [
    "The alarm is set for 7:00 AM.",
    "Wi-Fi is on now; nothing else to do.",
    "I tapped (well, pressed) the button and the screen shows Paris (France).",
    "The function of this app is to set alarms.",
    "The answer is 42.",
    "The meeting is on Monday, 3 (three) people attend.",
    "I will terminate now because the task is complete.",
]


@pytest.mark.parametrize(("reply", "name"), PARSED)
def test_renderings_of_the_markers_are_parsed(reply: str, name: str) -> None:
    parsed = parse_reply(reply)
    assert [c.name for c in parsed.calls] == [name]


@pytest.mark.parametrize("reply", FOREIGN)
def test_a_call_in_another_syntax_is_an_error_for_the_model(reply: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_reply(reply)
    message = str(info.value)
    assert "✿FUNCTION✿: <tool name>" in message  # it restates the format the model must use
    assert "call" in message.lower()


@pytest.mark.parametrize("reply", FINAL)
def test_plain_text_stays_a_final_answer(reply: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.is_final
    assert parsed.thought == reply


PROSE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([r for r, _ in PARSED] + FOREIGN), PROSE, PROSE)
def test_property_an_embedded_call_is_never_a_final_answer(call: str, before: str, after: str) -> None:
    text = f"{before}\n{call}\n{after}"
    try:
        parsed = parse_reply(text)
    except ParseError:
        return
    assert not parsed.is_final, text


@pytest.mark.parametrize("reply", ["Action: ✿function✿", "Done. ✿FUNCTION✿", "I am done ✿args✿"])
def test_a_whole_marker_at_the_end_is_not_dropped_as_a_partial_one(reply: str) -> None:
    with pytest.raises(ParseError):  # found by the long fuzz: the marker was cut as if partial, leaving "Action:"
        parse_reply(reply)


def test_a_marker_cut_short_at_the_end_is_still_dropped() -> None:
    assert parse_reply("✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RES").calls[0].name == "Home"
    assert parse_reply("All done. ✿").is_final
