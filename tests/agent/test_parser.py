"""The parser: golden cases in the styles Qwen-family models really write, errors for the model, a fuzz."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwen2vl_agent.agent.parser import ParseError, clean_reply, parse_reply
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, LongPress, Tap

GOLDEN = [
    # (reply, thought, [(name, args)])
    (  # Qwen-Agent's own form, as a continuation (leading ": "), cut at the stop word
        ': The Settings icon is visible; I will tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [348, 291]}\n✿RESULT✿: x',
        "The Settings icon is visible; I will tap it.",
        [("Tap", {"point": [348, 291]})],
    ),
    (  # the paper's rendering: tuple point, one line
        'To open Map I go home. ✿FUNCTION✿: Tap ✿ARGS✿: {"point": (348,291)}',
        "To open Map I go home.",
        [("Tap", {"point": [348, 291]})],
    ),
    ("*FUNCTION*: Home *ARGS*: {}", "", [("Home", {})]),
    ("Going back.\n**FUNCTION**: Back\n**ARGS**: {}", "Going back.", [("Back", {})]),
    ("✿FUNCTION✿： Home\n✿ARGS✿： {}", "", [("Home", {})]),  # full-width colons
    ("✿ FUNCTION ✿ : Home\n✿ ARGS ✿ : {}", "", [("Home", {})]),  # stray spaces
    ("✿function✿: home\n✿args✿: {}", "", [("Home", {})]),  # lower case
    ("✿FUNCTION✿: TAP\n✿ARGS✿: {'point': (1, 2)}", "", [("Tap", {"point": [1, 2]})]),  # upper case, quotes
    (
        "✿FUNCTION✿: long_press\n✿ARGS✿: {point: [5, 6], duration_ms: 1500,}",
        "",
        [("LongPress", {"point": [5, 6], "duration_ms": 1500})],
    ),
    (
        '✿FUNCTION✿: Type\n✿ARGS✿: {"text": "Hi \\"Bob\\" \\u00e9"} and then I will press enter',
        "",
        [("Type", {"text": 'Hi "Bob" é'})],
    ),
    (
        "✿FUNCTION✿: Terminate\n✿ARGS✿: {'status': 'success'}\n✿RETURN✿: done",
        "",
        [("Terminate", {"status": "success"})],
    ),
    ('✿FUNCTION✿: Wait\n✿ARGS✿: {"seconds": 2}', "", [("Wait", {"seconds": 2.0})]),
    (  # several calls in one reply
        'Typing the name.\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "Ada"}\n✿FUNCTION✿: Enter\n✿ARGS✿: {}',
        "Typing the name.",
        [("Type", {"text": "Ada"}), ("Enter", {})],
    ),
    ('✿FUNCTION✿: OpenApp\n✿ARGS✿: ```json\n{"name": "Settings"}\n```', "", [("OpenApp", {"name": "Settings"})]),
    (
        '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": "<|box_start|>(100,200),(300,400)<|box_end|>"}',
        "",
        [("Tap", {"point": [200, 300]})],
    ),
    ('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [348.0, 291.0]}', "", [("Tap", {"point": [348, 291]})]),
    ("✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RES", "", [("Home", {})]),  # a partial stop marker at the end
    ("✿FUNCTION✿: Home", "", [("Home", {})]),  # no ARGS at all
    ('✿FUNCTION✿: Tap {"point": [1, 2]}', "", [("Tap", {"point": [1, 2]})]),  # no ARGS marker
    ('✿FUNCTION✿: Answer\n✿ARGS✿: {"text": "3 unread"}', "", [("Answer", {"text": "3 unread"})]),
    # a reply without a call is the final answer
    ("I have found the pizza restaurant nearby in Map.", "I have found the pizza restaurant nearby in Map.", []),
    (": Done, Wi-Fi is on.", "Done, Wi-Fi is on.", []),
    # under Qwen-Agent's Chinese template (a Chinese task): the same markers, thoughts and text in Chinese
    (
        ': 设置图标在屏幕上，我点击它。\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [348, 291]}\n✿RESULT✿: x',
        "设置图标在屏幕上，我点击它。",
        [("Tap", {"point": [348, 291]})],
    ),
    ('我点击“设置”。✿FUNCTION✿: Tap ✿ARGS✿: {"point": (348,291)}', "我点击“设置”。", [("Tap", {"point": [348, 291]})]),
    ("思考：需要返回主页。\n✿FUNCTION✿： Home\n✿ARGS✿： {}", "思考：需要返回主页。", [("Home", {})]),
    ('我点击它。\n✿FUNCTION✿：Tap\n✿ARGS✿：{"point"：[348，291]}', "我点击它。", [("Tap", {"point": [348, 291]})]),
    ('输入名称。\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "你好，世界"}', "输入名称。", [("Type", {"text": "你好，世界"})]),
    ('✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "设置"} 打开设置应用', "", [("OpenApp", {"name": "设置"})]),
    ('✿FUNCTION✿: Answer\n✿ARGS✿: {"text": "有3条未读消息"}', "", [("Answer", {"text": "有3条未读消息"})]),
    (
        '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}\n✿RETURN✿: 任务完成',
        "",
        [("Terminate", {"status": "success"})],
    ),
    (": 无线网络已开启。", "无线网络已开启。", []),
    ("：无线网络已开启，任务完成。", "无线网络已开启，任务完成。", []),  # the continuation's colon, full-width
]


@pytest.mark.parametrize(("reply", "thought", "calls"), GOLDEN)
def test_golden(reply: str, thought: str, calls: list) -> None:
    parsed = parse_reply(reply)
    assert parsed.thought == thought
    got = [(c.name, c.action.model_dump(mode="json", exclude={"type"})) for c in parsed.calls]
    for (name, args), (got_name, got_args) in zip(calls, got, strict=True):
        assert got_name == name
        assert {k: got_args[k] for k in args} == args


ERRORS = [
    ('✿FUNCTION✿: Tapp\n✿ARGS✿: {"point": [1, 2]}', 'Unknown tool "Tapp". Did you mean Tap'),
    ('✿FUNCTION✿: Tap\n✿ARGS✿: {"pt": [1, 2]}', 'missing argument "point"'),
    ('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [1, 2], "force": 3}', 'unknown argument "force"'),
    ('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [1, 2', "not a valid JSON object"),
    ("✿FUNCTION✿: Tap\n✿ARGS✿: point=(1,2)", "must be a JSON object"),
    ('✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "maybe"}', "'success' or 'failure'"),
    ('✿FUNCTION✿: Type\n✿ARGS✿: {"text": ""}', 'argument "text"'),
    ('Tap ✿ARGS✿: {"point": [1, 2]}', "without ✿FUNCTION✿"),
    ("✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿FUNCTION✿: Bogus\n✿ARGS✿: {}", "Call 2: Unknown tool"),
    ('✿FUNCTION✿: 点击\n✿ARGS✿: {"point": [1, 2]}', 'Unknown tool "点击". Available tools: Tap'),
    ("✿FUNCTION✿: Tap\n✿ARGS✿: {“point”: [1, 2]}", "not a valid JSON object"),  # curly quotes are not quotes
    ('我点击设置。\n工具名称：Tap\n工具输入：{"point": [1, 2]}', "nothing was executed"),  # the template's words
    ("", "Your reply was empty."),
    ("\n\n\n  ✿RESULT✿: x", "Your reply was empty."),
]


@pytest.mark.parametrize(("reply", "fragment"), ERRORS)
def test_errors_are_written_for_the_model(reply: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_reply(reply)
    message = str(info.value)
    assert fragment in message
    assert "✿FUNCTION✿: <tool name>" in message  # every error restates the format


def test_action_space_is_enforced() -> None:
    with pytest.raises(ParseError, match='"Click" is not available here'):
        parse_reply('✿FUNCTION✿: Click\n✿ARGS✿: {"point": [1, 2]}', MOBILE_ACTIONS)
    assert parse_reply('✿FUNCTION✿: Click\n✿ARGS✿: {"point": [1, 2]}', DESKTOP_ACTIONS).calls[0].name == "Click"


def test_parse_error_keeps_the_calls_as_written() -> None:
    with pytest.raises(ParseError) as info:
        parse_reply('thinking\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": oops}')
    assert info.value.thought == "thinking"
    assert [(c.name, c.arguments) for c in info.value.raw_calls] == [("Tap", '{"point": oops}')]


def test_validated_actions_are_typed() -> None:
    call = parse_reply('✿FUNCTION✿: LongPress\n✿ARGS✿: {"point": [3, 4]}').calls[0]
    assert call.action == LongPress(point=(3, 4))
    assert isinstance(parse_reply('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [3, 4]}').calls[0].action, Tap)


# Agreement with Qwen-Agent on the replies it accepts: its postprocessing (cut at the first stop word, drop
# a leading ": ", thought = text before "✿FUNCTION✿:", name/args split on "✿ARGS✿:", args cut after the last
# "}" and JSON-parsed) applied by hand to replies in its strict form.
STRICT = [
    ": I will go home.\n✿FUNCTION✿: Home\n✿ARGS✿: {}",
    'Tap it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [10, 20]}\n✿RESULT✿: ',
    '\n\nx\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "a } b"} trailing',
]


def _qwen_agent_reading(reply: str) -> tuple[str, str, dict]:
    for stop in ("✿RESULT✿", "✿RETURN✿"):
        reply = reply.split(stop)[0]
    if reply.startswith(": "):
        reply = reply[2:]
    i = reply.find("✿FUNCTION✿:")
    thought = reply[:i].lstrip("\n").rstrip()
    name, args = reply[i + len("✿FUNCTION✿:") :].split("✿ARGS✿:")
    args = args.strip()
    args = args[: args.rfind("}") + 1]
    return thought, name.strip(), json.loads(args)


@pytest.mark.parametrize("reply", STRICT)
def test_agrees_with_qwen_agent_on_strict_replies(reply: str) -> None:
    thought, name, args = _qwen_agent_reading(reply)
    parsed = parse_reply(reply)
    assert parsed.thought == thought
    assert [(c.name, c.arguments) for c in parsed.calls] == [(name, args)]


def test_clean_reply_cuts_at_any_rendering_of_the_stop_words() -> None:
    assert clean_reply("a *RESULT*: b") == "a"
    assert clean_reply("a **return** b") == "a"
    assert clean_reply(": x ✿RE") == "x"


MARKERS = st.sampled_from(["✿FUNCTION✿:", "✿ARGS✿:", "*FUNCTION*", "**ARGS**", "✿RESULT✿", "{", "}", "(", "'", '"'])
NAMES = st.sampled_from(["Tap", "home", "Type", "long_press", "Swipe", "Terminate", "x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), MARKERS, NAMES), max_size=12).map("".join))
def test_fuzz_only_result_or_parse_error(text: str) -> None:
    try:
        parsed = parse_reply(text)
    except ParseError as e:
        assert str(e)
    else:
        for call in parsed.calls:
            json.dumps(call.arguments)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_reply(text)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_reply('✿FUNCTION✿: Tap\n✿ARGS✿: {"point": ' + "[" * 5000 + "]" * 5000 + "}")
