"""Dialects: golden prompts against each family's reference, parser tables, coordinate round trips, selection.

References (``tests/agent/data/dialects``):
- ``qwen25vl_mobile_1step.txt``: the prompt QwenLM/Qwen2.5-VL ``cookbooks/mobile_agent.ipynb`` prints (its
  first example: 1080x2400 screenshot seen as 1092x2408, one step of history).
- ``qwen25vl_mobile_3step.txt``: Qwen-Agent 0.0.34's own ``NousFnCallPrompt`` on the cookbook's tool and
  history form (``make_qwen25vl_reference.py`` produced it).
- ``qwen3vl_mobile_system.txt``: the ``system_prompt`` of QwenLM/Qwen3-VL ``cookbooks/mobile_agent.ipynb``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent.dialects import DIALECTS, get_dialect, select_dialect
from qwen2vl_agent.agent.parser import ParseError
from qwen2vl_agent.agent.prompt import CallTurn, Exchange, render_text
from qwen2vl_agent.model.base import ToolCall
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, Frame, from_screen, to_screen
from qwen2vl_agent.tools import actions as A

DATA = Path(__file__).parent / "data" / "dialects"
PHONE = Frame(screen=(1080, 2400), model_image=(1092, 2408), convention="abs_resized")


def _call(tool: str, /, **arguments: object) -> CallTurn:
    return CallTurn(tool, json.dumps(arguments))


def test_qwen25vl_one_step_prompt_is_the_cookbooks() -> None:
    d = get_dialect("qwen25vl")
    system = d.system(MOBILE_ACTIONS, PHONE, True)
    task = "Open the file manager app and view the au_uu_SzH3yR2.mp3 file in MUSIC Folder"
    exchanges = [Exchange("", [_call("OpenApp", name="File Manager")])]
    got = render_text(d.messages(system, task, Image.new("RGB", (1080, 2400)), exchanges, 4))
    assert got == (DATA / "qwen25vl_mobile_1step.txt").read_text(encoding="utf-8")


def test_qwen25vl_three_step_prompt_is_qwen_agents() -> None:
    d = get_dialect("qwen25vl")
    system = d.system(MOBILE_ACTIONS, PHONE, True)
    exchanges = [
        Exchange("I open Settings.", [_call("OpenApp", name="Settings")]),
        Exchange("I tap Network.", [_call("Tap", point=[540, 1203])]),
        Exchange("I scroll.", [_call("Swipe", start=[546, 1806], end=[546, 602])]),
    ]
    got = render_text(d.messages(system, "Turn on Wi-Fi", Image.new("RGB", (1080, 2400)), exchanges, 4))
    assert got == (DATA / "qwen25vl_mobile_3step.txt").read_text(encoding="utf-8")


def test_qwen25vl_shows_only_the_newest_screenshot() -> None:
    d = get_dialect("qwen25vl")
    first, later = Image.new("RGB", (1080, 2400)), Image.new("RGB", (1080, 2400), "white")
    exchanges = [Exchange("", [CallTurn("Tap", '{"point": [1, 2]}', "", later)])]
    messages = d.messages(d.system(MOBILE_ACTIONS, PHONE, True), "t", first, exchanges, 4)
    assert [img is later for m in messages for img in m.images()] == [True]


def test_qwen3vl_system_prompt_is_the_cookbooks() -> None:
    d = get_dialect("qwen3vl")
    frame = Frame(screen=(1440, 3120), model_image=(1440, 3120), convention="norm999")
    assert d.system(MOBILE_ACTIONS, frame, True) == (DATA / "qwen3vl_mobile_system.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("steps", [1, 3])
def test_qwen3vl_user_query_follows_the_cookbook(steps: int) -> None:
    # cookbook: 'Step ' + str(idx + 1) + ': ' + his.replace('\n', '').replace('"', '') + '; ', then the query
    d = get_dialect("qwen3vl")
    thoughts = ['Thought: home.\nAction: "I opened the X app from the home screen."', "Thought: t\nAction: tap", "x"]
    exchanges = [Exchange(t, [_call("Tap", point=[1, 2])]) for t in thoughts[:steps]]
    frame = Frame(screen=(1440, 3120), model_image=(1440, 3120), convention="norm999")
    messages = d.messages(d.system(MOBILE_ACTIONS, frame, True), "Search", Image.new("RGB", (9, 9)), exchanges, 4)
    history = "Step 1: I opened the X app from the home screen.; "
    if steps == 3:
        history += (
            'Step 2: tap; Step 3: {"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2]}}; '
        )
    expected = f"The user query: Search.\nTask progress (You have done the following operation on the current device): {history}.\n"
    assert messages[1].content[0].text == expected  # type: ignore[union-attr]


def _block(arguments: str, name: str = "mobile_use") -> str:
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


TOOLCALL_TABLE = [
    (_block('{"action": "click", "coordinate": [935, 406]}'), [A.Tap(point=(935, 406))]),
    ("\n" + _block('{"action": "click", "coordinate": [639, 1095]}') + "\n", [A.Tap(point=(639, 1095))]),
    ("I open the music folder.\n" + _block('{"action": "click", "coordinate": [10, 20]}'), [A.Tap(point=(10, 20))]),
    ("我需要打开设置。\n" + _block('{"action": "open", "text": "设置"}'), [A.OpenApp(name="设置")]),
    (
        "<think>The list is below; scroll.</think>\n"
        + _block('{"action": "swipe", "coordinate": [5, 900], "coordinate2": [5, 100]}'),
        [A.Swipe(start=(5, 900), end=(5, 100))],
    ),
    (
        'Thought: type it.\nAction: "type the name"\n' + _block('{"action": "type", "text": "Alice"}'),
        [A.Type(text="Alice")],
    ),
    (_block('{"action": "system_button", "button": "Back"}'), [A.Back()]),
    (_block('{"action": "system_button", "button": "Home"}'), [A.Home()]),
    (_block('{"action": "system_button", "button": "Enter"}'), [A.Enter()]),
    (_block('{"action": "key", "text": "KEYCODE_BACK"}'), [A.Back()]),
    (
        _block('{"action": "long_press", "coordinate": [3, 4], "time": 2}'),
        [A.LongPress(point=(3, 4), duration_ms=2000)],
    ),
    (_block('{"action": "wait", "time": 2}'), [A.Wait(seconds=2)]),
    (_block('{"action": "terminate", "status": "success"}'), [A.Terminate(status="success")]),
    (_block('{"action": "answer", "text": "42"}'), [A.Answer(text="42")]),
    (_block("{'action': 'click', 'coordinate': (7, 8),}"), [A.Tap(point=(7, 8))]),  # JSON-ish
    (
        '<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [1, 2]}}',
        [A.Tap(point=(1, 2))],
    ),
    ("The task is done: Wi-Fi is on.", []),  # a final answer
    ("任务已经完成。", []),
]

TOOLCALL_ERRORS = [
    (_block('{"action": "tap", "coordinate": [1, 2]}'), 'Unknown action "tap"'),
    (_block('{"action": "click"}'), 'needs the argument "coordinate"'),
    (_block('{"action": "click", "coordinate": [0.5, 0.2]}'), "integers"),
    (_block('{"action": "click", "coordinate": [1, 2]}', name="computer_use"), 'Unknown tool "computer_use"'),
    (_block('{"action": "system_button", "button": "Power"}'), 'button "Power"'),
    ("<tool_call>\nnot json\n</tool_call>", "not a JSON object"),
    ('<tool_call>\n{"name": "mobile_use", "argu', "not a JSON object"),  # cut off inside the block
    ("<think>I should click the", "no call"),  # cut off inside the thought (cut_off=True below)
    ("", "empty"),
    ("Action: click(start_box='(1,2)')", "looks like a tool call"),  # another family's syntax is never an answer
    ("✿FUNCTION✿: Tap\n✿ARGS✿: {}", "looks like a tool call"),
]


@pytest.mark.parametrize("dialect", ["qwen25vl", "qwen3vl"])
@pytest.mark.parametrize(("text", "expected"), TOOLCALL_TABLE)
def test_tool_call_family_parses(dialect: str, text: str, expected: list) -> None:
    reply = get_dialect(dialect).parse(text, MOBILE_ACTIONS, PHONE)
    assert [c.action for c in reply.calls] == expected
    if not expected:
        assert reply.is_final and reply.thought


@pytest.mark.parametrize("dialect", ["qwen25vl", "qwen3vl"])
@pytest.mark.parametrize(("text", "problem"), TOOLCALL_ERRORS)
def test_tool_call_family_errors_are_written_for_the_model(dialect: str, text: str, problem: str) -> None:
    with pytest.raises(ParseError, match=problem) as caught:
        get_dialect(dialect).parse(text, MOBILE_ACTIONS, PHONE, cut_off=text.startswith("<think>"))
    assert "<tool_call>" in str(caught.value)  # the format hint is this family's


def test_calls_a_server_parsed_reach_the_parser() -> None:
    calls = (ToolCall("mobile_use", '{"action": "click", "coordinate": [3, 4]}'),)
    reply = get_dialect("qwen25vl").parse("", MOBILE_ACTIONS, PHONE, tool_calls=calls)
    assert [c.action for c in reply.calls] == [A.Tap(point=(3, 4))]
    reply = get_dialect("qwen2vl").parse(
        "I tap.", MOBILE_ACTIONS, PHONE, tool_calls=(ToolCall("Tap", '{"point": [1, 2]}'),)
    )
    assert [c.action for c in reply.calls] == [A.Tap(point=(1, 2))]


def test_computer_use_desktop_actions() -> None:
    d = get_dialect("qwen25vl")
    frame = Frame(screen=(1920, 1080), model_image=(1932, 1092), convention="abs_resized")
    assert '"name": "computer_use"' in d.system(DESKTOP_ACTIONS, frame, True)
    table = {
        '{"action": "left_click", "coordinate": [5, 6]}': A.Click(point=(5, 6)),
        '{"action": "key", "keys": ["ctrl", "c"]}': A.Hotkey(keys=["ctrl", "c"]),
        '{"action": "scroll", "pixels": -3}': A.Scroll(direction="down", amount=3),
        '{"action": "left_click_drag", "start_coordinate": [1, 2], "coordinate": [3, 4]}': A.Drag(
            start=(1, 2), end=(3, 4)
        ),
    }
    for arguments, action in table.items():
        reply = d.parse(_block(arguments, "computer_use"), DESKTOP_ACTIONS, frame)
        assert [c.action for c in reply.calls] == [action]


@pytest.mark.parametrize("name", DIALECTS)
@pytest.mark.parametrize(
    "action",
    [A.Tap(point=(10, 900)), A.Swipe(start=(1, 2), end=(3, 4)), A.Type(text="héllo"), A.OpenApp(name="Clock"), A.Back(), A.Home(),
     A.Enter(), A.Answer(text="7"), A.Terminate(status="success"), A.Terminate(status="failure")],
)  # fmt: skip
def test_what_the_oracle_writes_reads_back(name: str, action: object) -> None:
    d = get_dialect(name)
    text = d.write("I act.", action, PHONE, MOBILE_ACTIONS)  # type: ignore[arg-type]
    # UI-TARS answers only by finishing: finished(content='7') is the answer and the end of the task
    expected = (
        [action, A.Terminate(status="success")] if name == "uitars" and isinstance(action, A.Answer) else [action]
    )
    assert [c.action for c in d.parse(text, MOBILE_ACTIONS, PHONE).calls] == expected


SIZES = [(1080, 2400), (720, 1280), (1440, 3120), (1920, 1080), (2560, 1440)]


@pytest.mark.parametrize("name", DIALECTS)
@pytest.mark.parametrize("size", SIZES)
def test_coordinate_round_trips(name: str, size: tuple[int, int]) -> None:
    d = get_dialect(name)
    model_image = (round(size[0] / d.patch_factor) * d.patch_factor, round(size[1] / d.patch_factor) * d.patch_factor)
    frame = Frame(screen=size, model_image=model_image, convention=d.convention)
    cell = max(1.0, size[0] / 999, size[0] / model_image[0], size[1] / 999, size[1] / model_image[1])
    for pixel in [(0, 0), (size[0] - 1, size[1] - 1), (size[0] // 2, size[1] // 2), (17, size[1] // 3)]:
        back = to_screen(from_screen(pixel, frame), frame)
        assert abs(back[0] - pixel[0]) <= cell and abs(back[1] - pixel[1]) <= cell


def test_the_families_conventions_and_patch_factors() -> None:
    assert {n: (get_dialect(n).convention, get_dialect(n).patch_factor) for n in ("qwen2vl", "qwen25vl", "qwen3vl")} == {
        "qwen2vl": ("rel1000", 28), "qwen25vl": ("abs_resized", 28), "qwen3vl": ("norm999", 32),
    }  # fmt: skip
    assert to_screen((500, 500), Frame((1080, 2400), (1092, 2408), "norm999")) == (541, 1201)


@pytest.mark.parametrize(
    ("model_type", "name", "expected"),
    [
        ("qwen2_vl", "Qwen/Qwen2-VL-2B-Instruct", "qwen2vl"),
        ("qwen2_5_vl", "Qwen/Qwen2.5-VL-7B-Instruct", "qwen25vl"),
        ("qwen3_vl", "Qwen/Qwen3-VL-8B-Instruct", "qwen3vl"),
        (None, "qwen3-vl-235b-a22b-instruct", "qwen3vl"),
        (None, "Qwen2.5-VL-72B-Instruct", "qwen25vl"),
        (None, "my-model", "qwen2vl"),
    ],
)
def test_selection_from_model_type_and_name(model_type: str | None, name: str, expected: str) -> None:
    chosen, why = select_dialect(model_type, name)
    assert chosen == expected and why


def test_override_wins_and_unknown_is_refused() -> None:
    assert select_dialect("qwen2_vl", "x", "qwen3vl")[0] == "qwen3vl"
    with pytest.raises(ValueError, match="unknown dialect"):
        select_dialect(None, "x", "nope")


@pytest.mark.parametrize(
    ("dialect", "point", "pixel"), [("qwen25vl", [540, 1200], (540, 1200)), ("qwen3vl", [500, 500], (541, 1201))]
)
def test_an_episode_in_a_dialect_runs_through_the_loop(dialect: str, point: list[int], pixel: tuple[int, int]) -> None:
    from qwen2vl_agent.agent.loop import LoopConfig, run_episode
    from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
    from qwen2vl_agent.envs import FakeEnv
    from qwen2vl_agent.model import ScriptedModel

    replies = [
        "I tap the middle.\n" + _block(json.dumps({"action": "click", "coordinate": point})),
        "Thought: done.\n" + _block('{"action": "terminate", "status": "success"}'),
    ]
    env, model = FakeEnv(), ScriptedModel(replies)
    policy = QwenPolicy(model, env.action_space, PolicyConfig(dialect=dialect))
    result = run_episode(env, policy, "tap the middle", LoopConfig())
    assert (result.status, env.executed) == ("success", [A.Tap(point=pixel)])
    second = render_text(model.seen[-1])
    assert '"name": "mobile_use"' in second and "Step 1:" in second and "✿FUNCTION✿" not in second
