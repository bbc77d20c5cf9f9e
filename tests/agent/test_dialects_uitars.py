"""The ``uitars`` dialect: golden prompts, the reply table, coordinates, outcomes and an episode.

References (``tests/agent/data/dialects``, written by ``make_uitars_reference.py`` from bytedance/UI-TARS
``codes/ui_tars/prompt.py`` at 582f3a7, ``MOBILE_USE_DOUBAO`` / ``COMPUTER_USE_DOUBAO`` filled with
``str.format``, in the conversation form of the UI-TARS-1.5 agent of OSWorld):
- ``uitars_mobile_1step.txt``: one earlier step, ``history_n`` 5;
- ``uitars_mobile_3step.txt``: three earlier steps, ``history_n`` 2 (only the newest keeps its screenshot);
- ``uitars_computer_1step.txt``: the desktop prompt, one step.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent.dialects import _CLASSES, DIALECTS, get_dialect, select_dialect
from qwen2vl_agent.agent.parser import ParseError
from qwen2vl_agent.agent.prompt import CallTurn, Exchange, render_text
from qwen2vl_agent.model.vision import PixelBudget
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, Frame, from_screen, to_screen
from qwen2vl_agent.tools import actions as A

DATA = Path(__file__).parent / "data" / "dialects"
PHONE = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="abs_resized")
DESKTOP = Frame(screen=(1920, 1080), model_image=(1932, 1092), convention="abs_resized")
UITARS = get_dialect("uitars")


def _turn(tool: str, image: Image.Image | None = None, result: str = "", /, **arguments: object) -> CallTurn:
    return CallTurn(tool, json.dumps(arguments), result, image)


def _render(task: str, exchanges: list[Exchange], keep: int, space: tuple[type, ...] = MOBILE_ACTIONS) -> str:
    frame = PHONE if space is MOBILE_ACTIONS else DESKTOP
    messages = UITARS.messages(UITARS.system(space, frame, True), task, Image.new("RGB", (8, 8)), exchanges, keep)
    return render_text(messages)


def test_every_dialect_name_has_a_class() -> None:
    assert set(DIALECTS) == set(_CLASSES)


def test_one_step_mobile_prompt_is_ui_tars() -> None:
    shot = Image.new("RGB", (8, 8))
    exchanges = [Exchange("I need the Clock app first, so I open it.", [_turn("OpenApp", shot, name="Clock")])]
    got = _render("Open the Clock app and add an alarm at 7:30", exchanges, 5)
    assert got == (DATA / "uitars_mobile_1step.txt").read_text(encoding="utf-8")


def test_three_step_mobile_prompt_keeps_the_newest_screenshots_like_ui_tars() -> None:
    shot = Image.new("RGB", (8, 8))
    exchanges = [
        Exchange("I open Chrome.", [_turn("OpenApp", shot, name="Chrome")]),
        Exchange("点击搜索框。", [_turn("Tap", shot, point=[540, 300])]),
        Exchange("I type the query and submit it.", [_turn("Type", None, text="weather"), _turn("Enter", shot)]),
    ]
    got = _render("Search for 'weather' in Chrome", exchanges, 2)
    assert got == (DATA / "uitars_mobile_3step.txt").read_text(encoding="utf-8")


def test_one_step_computer_prompt_is_ui_tars() -> None:
    exchanges = [Exchange("I press Ctrl+C.", [_turn("Hotkey", Image.new("RGB", (8, 8)), keys=["ctrl", "c"])])]
    got = _render("Copy the selected text", exchanges, 5, DESKTOP_ACTIONS)
    assert got == (DATA / "uitars_computer_1step.txt").read_text(encoding="utf-8")


def test_a_failed_step_is_told_before_the_next_screenshot() -> None:
    shot = Image.new("RGB", (8, 8))
    error = "Error: The point [5000, 10] is outside the screen."
    exchanges = [Exchange("I tap.", [_turn("Tap", shot, error, point=[5000, 10])])]
    got = _render("t", exchanges, 5)
    assert got.endswith(f"<|im_start|>user\n{error}<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n"
                        "<|im_start|>assistant\n")  # fmt: skip


def _a(action: str, thought: str = "I act.") -> str:
    return f"Thought: {thought}\nAction: {action}"


PARSE_TABLE = [
    (_a("click(point='<point>540 1200</point>')"), [A.Tap(point=(540, 1200))]),
    (_a("click(start_box='(197,525)')"), [A.Tap(point=(197, 525))]),
    (_a("click(start_box='<|box_start|>(348,291)<|box_end|>')"), [A.Tap(point=(348, 291))]),
    (_a("click(start_box='<bbox>10 20 30 40</bbox>')"), [A.Tap(point=(20, 30))]),
    (_a("click(start_box='[10, 20, 30, 40]')"), [A.Tap(point=(20, 30))]),
    (_a("long_press(point='<point>5 6</point>')", "我需要长按这条消息。"), [A.LongPress(point=(5, 6))]),
    (_a("type(content='hello world')"), [A.Type(text="hello world")]),
    (_a("type(content='weather\\n')"), [A.Type(text="weather"), A.Enter()]),
    (_a("type(content='it\\'s \\\"ok\\\"')"), [A.Type(text='it\'s "ok"')]),
    (_a("type(content='it's here')"), [A.Type(text="it's here")]),  # an unescaped quote inside content
    (_a("type(content='line one\nline two')"), [A.Type(text="line one\nline two")]),
    (_a("type(content='\\n')"), [A.Enter()]),
    (_a("scroll(point='<point>546 1204</point>', direction='down')"), [A.Swipe(start=(546, 1204), end=(546, 0))]),
    (_a("scroll(point='<point>546 1204</point>', direction='up')"), [A.Swipe(start=(546, 1204), end=(546, 2407))]),
    (_a("scroll(start_box='(5,900)', end_box='(5,100)')"), [A.Swipe(start=(5, 900), end=(5, 100))]),  # v1
    (_a("drag(start_point='<point>1 2</point>', end_point='<point>3 4</point>')"), [A.Swipe(start=(1, 2), end=(3, 4))]),
    (_a("open_app(app_name='设置')", "打开设置应用。"), [A.OpenApp(name="设置")]),
    (_a("press_home()"), [A.Home()]),
    (_a("press_back()"), [A.Back()]),
    (_a("wait()"), [A.Wait(seconds=5)]),
    (_a("finished(content='The alarm is set.')"), [A.Answer(text="The alarm is set."), A.Terminate(status="success")]),
    (_a("finished()"), [A.Terminate(status="success")]),
    (_a("call_user()", "I need the user's password."), [A.Terminate(status="failure")]),
    (
        "Reflection: The tap missed.\nAction_Summary: Tap Wi-Fi.\nAction: click(point='<point>1 2</point>')",
        [A.Tap(point=(1, 2))],
    ),
    ("Action_Summary: Go home.\nAction: press_home()", [A.Home()]),
    ("Action: click(point='<point>7 8</point>')", [A.Tap(point=(7, 8))]),  # grounding style: no thought
    (_a("click(point='<point>7 8</point>'"), [A.Tap(point=(7, 8))]),  # the final ")" missing, as UI-TARS forgives
    (
        _a("click(point='<point>1 2</point>')\n\nclick(point='<point>3 4</point>')"),
        [A.Tap(point=(1, 2)), A.Tap(point=(3, 4))],
    ),
    (_a("click(point='<point>7 8</point>')[EOS]"), [A.Tap(point=(7, 8))]),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_TABLE)
def test_replies_in_ui_tars_styles_parse(text: str, expected: list) -> None:
    reply = UITARS.parse(text, MOBILE_ACTIONS, PHONE)
    assert [c.action for c in reply.calls] == expected
    assert not reply.is_final


def test_thoughts_are_kept_as_written() -> None:
    assert UITARS.parse(_a("press_home()", "回到主屏幕。"), MOBILE_ACTIONS, PHONE).thought == "回到主屏幕。"
    text = "Reflection: r\nAction_Summary: s\nAction: press_home()"
    assert UITARS.parse(text, MOBILE_ACTIONS, PHONE).thought == "Reflection: r\nAction_Summary: s"


ERROR_TABLE = [
    (_a("tap(point='<point>1 2</point>')"), 'Unknown action "tap"'),
    (_a("clik(point='<point>1 2</point>')"), "Did you mean click"),
    (_a("left_double(point='<point>1 2</point>')"), 'Unknown action "left_double"'),  # a desktop action on a phone
    (_a("click()"), "needs point="),
    (_a("click(point='<point>0.5 0.2</point>')"), "integers"),
    (_a("scroll(point='<point>1 2</point>', direction='sideways')"), "direction="),
    (_a("type(content='never closed"), "not closed"),
    (_a("click(point=<point>1 2</point>)"), "quoted string"),
    (_a("type()"), "content="),
    ("Thought: I should tap the button.", "no Action line"),
    ("Thought: I tap.\n✿FUNCTION✿: Tap\n✿ARGS✿: {}", "no Action line"),
    ('<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click"}}\n</tool_call>', "cannot read"),
    ("The alarm is set.", "no Action line"),  # UI-TARS ends with finished(): plain text is never an answer
    ("", "empty"),
    ("Action:", "no Action line"),
]


@pytest.mark.parametrize(("text", "problem"), ERROR_TABLE)
def test_what_cannot_be_read_is_an_error_written_for_ui_tars(text: str, problem: str) -> None:
    with pytest.raises(ParseError, match=problem) as caught:
        UITARS.parse(text, MOBILE_ACTIONS, PHONE)
    assert "Action: click(point='<point>x1 y1</point>')" in str(caught.value)


def test_a_cut_off_reply_says_so() -> None:
    with pytest.raises(ParseError, match="cut off"):
        UITARS.parse("Thought: I will type the long text now and then", MOBILE_ACTIONS, PHONE, cut_off=True)
    with pytest.raises(ParseError, match=r"cut off.*not closed"):
        UITARS.parse(_a("type(content='half a wo"), MOBILE_ACTIONS, PHONE, cut_off=True)


DESKTOP_TABLE = [
    ("click(point='<point>5 6</point>')", [A.Click(point=(5, 6))]),
    ("left_double(point='<point>5 6</point>')", [A.DoubleClick(point=(5, 6))]),
    ("right_single(start_box='(5,6)')", [A.RightClick(point=(5, 6))]),
    ("hover(point='<point>5 6</point>')", [A.MoveTo(point=(5, 6))]),
    ("drag(start_point='<point>1 2</point>', end_point='<point>3 4</point>')", [A.Drag(start=(1, 2), end=(3, 4))]),
    ("hotkey(key='ctrl c')", [A.Hotkey(keys=["ctrl", "c"])]),
    ("hotkey(key='arrowdown')", [A.Hotkey(keys=["down"])]),
    ("type(content='report.txt\\n')", [A.Type(text="report.txt"), A.Hotkey(keys=["enter"])]),
    ("scroll(point='<point>5 6</point>', direction='down')", [A.Scroll(direction="down", point=(5, 6))]),
    ("wait()", [A.Wait(seconds=5)]),
    ("finished(content='done')", [A.Terminate(status="success")]),  # no Answer action on a desktop
    ("call_user()", [A.Terminate(status="failure")]),
]


@pytest.mark.parametrize(("action", "expected"), DESKTOP_TABLE)
def test_desktop_actions(action: str, expected: list) -> None:
    assert [c.action for c in UITARS.parse(_a(action), DESKTOP_ACTIONS, DESKTOP).calls] == expected
    for ours in expected:
        if not isinstance(ours, A.Terminate):
            back = UITARS.parse(UITARS.write("x", ours, DESKTOP, DESKTOP_ACTIONS), DESKTOP_ACTIONS, DESKTOP)
            assert [c.action for c in back.calls] == [ours]


def _reference_smart_resize(height: int, width: int, factor: int = 28) -> tuple[int, int]:
    """README_coordinates.md's smart_resize at UI-TARS's budget (min 100*28*28, max 16384*28*28)."""
    low, high = 100 * 28 * 28, 16384 * 28 * 28
    h, w = max(factor, round(height / factor) * factor), max(factor, round(width / factor) * factor)
    if h * w > high:
        beta = math.sqrt(height * width / high)
        h, w = math.floor(height / beta / factor) * factor, math.floor(width / beta / factor) * factor
    elif h * w < low:
        beta = math.sqrt(low / (height * width))
        h, w = math.ceil(height * beta / factor) * factor, math.ceil(width * beta / factor) * factor
    return h, w


SIZES = [(1080, 2400), (720, 1280), (1440, 3120), (1920, 1080), (2560, 1440), (3840, 2160)]


@pytest.mark.parametrize("size", SIZES)
def test_coordinates_are_pixels_of_the_image_resized_on_ui_tars_budget(size: tuple[int, int]) -> None:
    seen = PixelBudget(min_pixels=100 * 28 * 28, max_pixels=16384 * 28 * 28).resize(*size)
    height, width = _reference_smart_resize(size[1], size[0])
    assert seen == (width, height)
    frame = Frame(screen=size, model_image=seen, convention=UITARS.convention)
    # README_coordinates.md maps a point with int(x / resized_width * width), the corner of its pixel cell;
    # ours takes the cell's centre: the same screen pixel or its neighbour.
    for x, y in [(197, 525), (0, 0), (width - 1, height - 1)]:
        got, ref = to_screen((x, y), frame), (int(x / width * size[0]), int(y / height * size[1]))
        assert 0 <= got[0] - ref[0] <= 1 and 0 <= got[1] - ref[1] <= 1
    for pixel in [(0, 0), (size[0] - 1, size[1] - 1), (size[0] // 2, size[1] // 3)]:
        back = to_screen(from_screen(pixel, frame), frame)
        assert abs(back[0] - pixel[0]) <= 2 and abs(back[1] - pixel[1]) <= 2


def test_v1_reads_the_0_1000_grid_with_the_convention_setting() -> None:
    frame = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="rel1000")
    (call,) = UITARS.parse(_a("click(start_box='(500,500)')"), MOBILE_ACTIONS, frame).calls
    assert to_screen(call.action.point, frame) == (540, 1200)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "model_type", "expected"),
    [("ByteDance-Seed/UI-TARS-1.5-7B", "qwen2_5_vl", "uitars"), ("bytedance-research/UI-TARS-7B-DPO", "qwen2_vl",
     "uitars"), ("ui-tars-1.5", None, "uitars")],
)  # fmt: skip
def test_ui_tars_checkpoints_select_the_dialect(name: str, model_type: str | None, expected: str) -> None:
    assert select_dialect(model_type, name)[0] == expected


def _episode(replies: list[str]) -> tuple[object, object, object]:
    from qwen2vl_agent.agent.loop import LoopConfig, run_episode
    from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
    from qwen2vl_agent.envs import FakeEnv
    from qwen2vl_agent.model import ScriptedModel

    env, model = FakeEnv(), ScriptedModel(replies)
    policy = QwenPolicy(model, env.action_space, PolicyConfig(dialect="uitars"))
    return run_episode(env, policy, "tap the middle", LoopConfig()), env, model


def test_an_episode_runs_through_the_loop() -> None:
    result, env, model = _episode([_a("click(point='<point>540 1200</point>')"), _a("finished()", "Done.")])
    assert (result.status, env.executed) == ("success", [A.Tap(point=(540, 1200))])  # type: ignore[attr-defined]
    second = render_text(model.seen[-1])  # type: ignore[attr-defined]
    assert "Action: click(point='<point>540 1200</point>')<|im_end|>" in second and "✿" not in second


def test_call_user_ends_the_run_as_a_failure() -> None:
    result, env, _ = _episode([_a("call_user()", "I need the user's PIN to go on.")])
    assert result.status == "failure" and not result.declared_done  # type: ignore[attr-defined]
    assert env.executed == []  # type: ignore[attr-defined]
