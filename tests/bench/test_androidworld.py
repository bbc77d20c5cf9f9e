"""The AndroidWorld adapter without AndroidWorld: the action mapping, the Env adapter and the step logic
on fakes, and ``QwenAgent`` itself against a stand-in ``android_world`` package."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qwen2vl_agent.agent.androidworld import AdbSwipe, AndroidWorldEnv, EpisodeStepper, Json, Pause, to_command
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.envs import ActionRejected, check_env
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.tools import actions as A


@pytest.mark.parametrize(
    ("action", "command"),
    [
        (A.Tap(point=(10, 20)), Json({"action_type": "click", "x": 10, "y": 20})),
        (A.LongPress(point=(5, 6)), AdbSwipe((5, 6), (5, 6), 1000)),
        (A.Swipe(start=(500, 1800), end=(500, 600)), AdbSwipe((500, 1800), (500, 600), 300)),
        (A.Swipe(start=(900, 1000), end=(100, 1050), duration_ms=60), AdbSwipe((900, 1000), (100, 1050), 60)),
        (A.Type(text="Zoë ☕"), Json({"action_type": "input_text", "text": "Zoë ☕"})),
        (A.Back(), Json({"action_type": "navigate_back"})),
        (A.Home(), Json({"action_type": "navigate_home"})),
        (A.Enter(), Json({"action_type": "keyboard_enter"})),
        (A.OpenApp(name="Clock"), Json({"action_type": "open_app", "app_name": "Clock"})),
        (A.Wait(seconds=2), Pause(2)),
        (A.Answer(text="42"), Json({"action_type": "answer", "text": "42"})),
        (A.Terminate(status="success"), Json({"action_type": "status", "goal_status": "complete"})),
        (A.Terminate(status="failure"), Json({"action_type": "status", "goal_status": "infeasible"})),
    ],
)
def test_action_mapping(action, command):
    assert to_command(action) == command


def test_every_json_command_is_a_valid_json_action(aw):
    for action in (A.Tap(point=(1, 2)), A.Type(text="x"), A.Back(), A.Home(), A.Enter(), A.OpenApp(name="Clock"),
                   A.Answer(text="a"), A.Terminate(status="failure")):  # fmt: skip
        command = to_command(action)
        assert isinstance(command, Json)
        assert aw.json_action.JSONAction(**command.fields).as_dict() == command.fields


def test_unmappable_actions_are_told_to_the_model():
    with pytest.raises(ActionRejected, match="AppSwitch is not available"):
        to_command(A.AppSwitch())
    with pytest.raises(ActionRejected, match="desktop action"):
        to_command(A.Click(point=(1, 1)))


STANDIN = Path(__file__).parent / "standin"
_OURS = "qwen2vl_agent.agent.androidworld.agent"


def _aw_modules() -> list[str]:
    return [n for n in sys.modules if n == "android_world" or n.startswith("android_world.") or n == _OURS]


@pytest.fixture
def aw(monkeypatch) -> Iterator[types.SimpleNamespace]:
    """The stand-in ``android_world`` (its real types, field by field), imported fresh; the real package, if
    installed, is shadowed for the test and restored after it."""
    for name in _aw_modules():
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(STANDIN))
    from android_world.agents import base_agent
    from android_world.env import adb_utils, interface, json_action

    assert json_action.__file__.startswith(str(STANDIN))
    yield types.SimpleNamespace(
        base_agent=base_agent, adb_utils=adb_utils, interface=interface, json_action=json_action
    )
    for name in _aw_modules():  # what the test imported goes; monkeypatch puts back what was there before
        del sys.modules[name]


class _Controller:
    """What the adapter uses of AndroidWorld's controller: ``execute_adb_call``."""

    def __init__(self, log: list) -> None:
        self.log = log

    def execute_adb_call(self, request: Any) -> None:
        self.log.append(("adb", request.generic.args))


class _FakeAwEnv:
    """What the adapter uses of AndroidWorld's ``AsyncEnv``: ``answer`` fills ``interaction_cache`` as in
    ``AsyncAndroidEnv``; ``log`` keeps every use in order (states, actions, adb requests)."""

    logical_screen_size = (1080, 2400)

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.controller = _Controller(self.log)
        self.interaction_cache = ""
        self.resets = 0

    @property
    def executed(self) -> list[dict[str, Any]]:
        """The actions that reached the device: JSONActions as dicts, adb requests as their arguments."""
        return [e[1].as_dict() if e[0] == "action" else e[1] for e in self.log if e[0] in ("action", "adb")]

    def get_state(self, wait_to_stabilize: bool = False) -> Any:
        from android_world.env import interface

        self.log.append(("state", wait_to_stabilize))
        shade = 40 * (len(self.executed) % 5)
        return interface.State(np.full((2400, 1080, 3), shade, dtype=np.uint8), forest=None, ui_elements=[])

    def execute_action(self, action: Any) -> None:
        self.log.append(("action", action))
        if action.action_type == "answer":
            self.interaction_cache = action.text

    def reset(self, go_home: bool = False) -> None:
        self.resets += 1


def test_env_adapter_passes_the_conformance_check(aw):
    fake, slept = _FakeAwEnv(), []
    check_env(lambda: AndroidWorldEnv(fake, sleep=slept.append), [A.Tap(point=(100, 200)), A.Back(), A.Wait(seconds=1)])
    # the last probe (a Wait on the closed adapter) raised before reaching AndroidWorld; the Wait before it slept
    assert fake.executed == [{"action_type": "click", "x": 100, "y": 200}, {"action_type": "navigate_back"}]
    assert slept == [1]


REPLIES = [
    'I open the clock.\n✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Clock"}',
    'I tap the tab.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 250]}',
    "not a call ✿FUNCTION✿: Nope",
    'The alarm is at 7.\n✿FUNCTION✿: Answer\n✿ARGS✿: {"text": "7:00 AM"}',
    'Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
]


def _run(step, goal: str, done=lambda r: r[0], max_steps: int = 10) -> list:
    """Call ``step(goal)`` until it reports done, as AndroidWorld's episode runner does."""
    out = []
    for _ in range(max_steps):
        out.append(step(goal))
        if done(out[-1]):
            break
    return out


def test_stepper_runs_an_episode_the_way_the_loop_does(aw):
    fake = _FakeAwEnv()
    env = AndroidWorldEnv(fake)
    model = ScriptedModel(REPLIES)
    stepper = EpisodeStepper(env, QwenPolicy(model, env.action_space))
    steps = _run(lambda goal: stepper.step(goal, env.observe()), "When does the alarm ring?")
    assert [done for done, _ in steps] == [False, False, False, False, True]
    assert "parse_error" in steps[2][1] and steps[4][1]["status"] == "success"
    assert fake.executed == [
        {"action_type": "open_app", "app_name": "Clock"},
        {"action_type": "click", "x": 540, "y": 600},  # 0-1000 grid -> screen pixels
        {"action_type": "answer", "text": "7:00 AM"},
    ]
    assert fake.interaction_cache == "7:00 AM"
    last = model.seen[-1]  # later turns show the model its earlier calls and their results
    assert sum(len(m.images()) for m in last) >= 2


class _FrozenAwEnv(_FakeAwEnv):
    def get_state(self, wait_to_stabilize: bool = False) -> Any:
        from android_world.env import interface

        return interface.State(np.full((2400, 1080, 3), 90, dtype=np.uint8), forest=None, ui_elements=[])


def test_stepper_tells_the_model_and_stops_when_nothing_changes_as_the_loop_does(aw):
    fake = _FrozenAwEnv()
    env = AndroidWorldEnv(fake)
    model = ScriptedModel([REPLIES[1]] * 10)
    stepper = EpisodeStepper(env, QwenPolicy(model, env.action_space))
    steps = _run(lambda goal: stepper.step(goal, env.observe()), "Tap the tab")
    assert steps[-1] == (
        True,
        {"step": 5, "status": "stuck", "reason": "the same action had no effect 5 times in a row"},
    )
    assert "the screen has not changed" in str(model.seen[3][-1].content)
    assert len(fake.executed) == 5


def test_qwen_agent_inside_a_stand_in_androidworld(aw):
    from qwen2vl_agent.agent.androidworld import QwenAgent

    fake = _FakeAwEnv()
    agent = QwenAgent(fake, ScriptedModel(REPLIES), transition_pause=0)
    agent.reset(go_home=True)
    results = _run(agent.step, "When does the alarm ring?", done=lambda r: r.done)
    assert fake.resets == 1 and results[-1].done and len(results) == 5
    assert fake.interaction_cache == "7:00 AM"


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run in a new interpreter (nothing imported yet); it must exit 0."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out


@pytest.mark.skipif(importlib.util.find_spec("android_world") is not None, reason="AndroidWorld is installed here")
def test_the_adapter_imports_without_androidworld():
    code = (
        "import sys, qwen2vl_agent.agent.androidworld as aw\n"
        "assert 'android_world' not in sys.modules\n"
        "try:\n    aw.QwenAgent\nexcept ImportError as e:\n    print(e)\n"
    )
    out = _fresh_python(code)
    assert "install it from github.com/google-research/android_world" in out.stdout


# ---------------------------------------------------------------- issue 21


@pytest.mark.parametrize(
    ("action", "adb"),
    [
        (A.Swipe(start=(540, 2300), end=(540, 1500), duration_ms=800), ["540", "2300", "540", "1500", "800"]),
        (A.Swipe(start=(100, 0), end=(100, 900)), ["100", "0", "100", "900", "300"]),  # the notification shade
        (A.LongPress(point=(5, 6), duration_ms=2500), ["5", "6", "5", "6", "2500"]),
    ],
)
def test_swipes_and_presses_run_exactly_through_the_controller(aw, action, adb):
    fake = _FakeAwEnv()
    AndroidWorldEnv(fake).execute(action)
    assert fake.executed == [["shell", "input", "swipe", *adb]]  # AndroidWorld's own adb swipe command


def test_wait_waits_as_long_as_asked(aw):
    slept: list[float] = []
    fake = _FakeAwEnv()
    AndroidWorldEnv(fake, sleep=slept.append).execute(A.Wait(seconds=2.5))
    assert slept == [2.5] and fake.executed == []


def test_an_unknown_app_is_told_to_the_model(aw):
    fake = _FakeAwEnv()
    env = AndroidWorldEnv(fake)
    for name in ("Clock", "settings", "contacts", "com.example.notes"):
        env.execute(A.OpenApp(name=name))
    with pytest.raises(ActionRejected, match="no app named 'Notez'"):
        env.execute(A.OpenApp(name="Notez"))
    assert [a["app_name"] for a in fake.executed] == ["Clock", "settings", "contacts", "com.example.notes"]


def test_the_tool_section_says_what_androidworld_does(aw):
    from qwen2vl_agent.agent.androidworld import QwenAgent

    model = ScriptedModel([REPLIES[-1]])
    agent = QwenAgent(_FakeAwEnv(), model, transition_pause=0)
    agent.step("Say hi")
    system = str(model.seen[0][0].content)
    assert "then presses Enter" in system and "ASCII" in system  # input_text's own behaviour
    assert "package name" in system


def test_a_closing_reply_keeps_the_answer_given_before(aw):
    fake = _FakeAwEnv()
    env = AndroidWorldEnv(fake)
    stepper = EpisodeStepper(
        env, QwenPolicy(ScriptedModel([REPLIES[3], "The alarm rings at seven."]), env.action_space)
    )
    steps = _run(lambda goal: stepper.step(goal, env.observe()), "When does the alarm ring?")
    assert [done for done, _ in steps] == [False, True]
    assert fake.interaction_cache == "7:00 AM" and steps[-1][1]["answer"] == "7:00 AM"


def test_a_closing_reply_without_an_answer_before_is_the_answer(aw):
    fake = _FakeAwEnv()
    env = AndroidWorldEnv(fake)
    stepper = EpisodeStepper(env, QwenPolicy(ScriptedModel([REPLIES[1], "It rings at 7:00 AM."]), env.action_space))
    _run(lambda goal: stepper.step(goal, env.observe()), "When does the alarm ring?")
    assert fake.interaction_cache == "It rings at 7:00 AM."


TWO_TAPS = 'Two taps.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [100, 100]}\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [900, 900]}'


def test_calls_of_one_reply_settle_between_them(aw):
    from qwen2vl_agent.agent.androidworld import QwenAgent

    fake = _FakeAwEnv()
    agent = QwenAgent(fake, ScriptedModel([TWO_TAPS]), transition_pause=None)  # None: AndroidWorld's stable wait
    agent.step("Tap twice")
    kinds = [(kind, value if kind == "state" else value.action_type) for kind, value in fake.log]
    assert kinds == [("state", True), ("action", "click"), ("state", True), ("action", "click")]


def test_a_fixed_transition_pause_is_the_settle_between_calls(aw, monkeypatch):
    from qwen2vl_agent.agent.androidworld import QwenAgent

    slept: list[float] = []
    monkeypatch.setattr(aw.base_agent.time, "sleep", slept.append)  # the base class's own pause
    fake = _FakeAwEnv()
    agent = QwenAgent(fake, ScriptedModel([TWO_TAPS]), transition_pause=0.25, sleep=slept.append)
    agent.step("Tap twice")
    assert slept == [0.25, 0.25]  # before the screenshot (AndroidWorld's), between the two taps (ours)


def test_the_agent_acts_on_the_env_it_is_given(aw):
    from qwen2vl_agent.agent.androidworld import QwenAgent

    old, new = _FakeAwEnv(), _FakeAwEnv()
    agent = QwenAgent(old, ScriptedModel(REPLIES), transition_pause=0)
    agent.env = new  # the base class's public setter; suite runners swap envs this way
    agent.reset()
    _run(agent.step, "When does the alarm ring?", done=lambda r: r.done)
    assert old.log == [] and old.resets == 0
    assert new.interaction_cache == "7:00 AM" and len(new.executed) == 3


def test_the_launcher_says_how_to_install_androidworld(monkeypatch, capsys):
    from qwen2vl_agent.agent.cli import main

    monkeypatch.setitem(sys.modules, "android_world", None)  # not installed, whatever this machine has
    assert main(["androidworld", "run", "--suite", "android", "--tasks", "ClockStopWatchRunning"]) == 2
    err = capsys.readouterr().err
    assert "AndroidWorld is not installed" in err and "setuptools<81" in err and "--no-build-isolation" in err


def test_the_launcher_help_loads_nothing_heavy():
    code = (
        "import sys\nfrom qwen2vl_agent.agent.cli import main\n"
        "try:\n    main(['androidworld', 'run', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'transformers', 'android_world') if m in sys.modules))\n"
    )
    out = _fresh_python(code)
    assert out.stdout.strip().endswith("[]") and "--suite" in out.stdout


class _HalfSizeAwEnv(_FakeAwEnv):
    """Screenshots at half the logical screen size (a scaled-down capture, or a landscape/portrait mismatch)."""

    def get_state(self, wait_to_stabilize: bool = False) -> Any:
        from android_world.env import interface

        self.log.append(("state", wait_to_stabilize))
        return interface.State(np.zeros((1200, 540, 3), dtype=np.uint8), forest=None, ui_elements=[])


def test_points_are_scaled_from_the_screenshot_to_the_logical_screen(aw):
    fake = _HalfSizeAwEnv()
    env = AndroidWorldEnv(fake)
    obs = env.observe()
    assert obs.screenshot.size == (540, 1200) and obs.screen_size == (1080, 2400)
    env.execute(A.Tap(point=(100, 200)))
    env.execute(A.Swipe(start=(270, 1100), end=(270, 100), duration_ms=500))
    env.execute(A.LongPress(point=(539, 1199), duration_ms=1000))
    assert fake.executed == [
        {"action_type": "click", "x": 200, "y": 400},
        ["shell", "input", "swipe", "540", "2200", "540", "200", "500"],
        ["shell", "input", "swipe", "1078", "2398", "1078", "2398", "1000"],
    ]


def test_a_point_outside_the_screenshot_is_told_to_the_model(aw):
    fake = _HalfSizeAwEnv()
    env = AndroidWorldEnv(fake)
    env.observe()
    with pytest.raises(ActionRejected, match="outside the 540x1200 screen"):
        env.execute(A.Tap(point=(600, 100)))
    assert fake.executed == []
