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

from qwen2vl_agent.agent.androidworld import AndroidWorldEnv, EpisodeStepper, scroll_direction, to_json_action
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.envs import ActionRejected, check_env
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.tools import (
    Answer,
    AppSwitch,
    Back,
    Click,
    Enter,
    Home,
    LongPress,
    OpenApp,
    Swipe,
    Tap,
    Terminate,
    Type,
    Wait,
)  # fmt: skip


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        (Tap(point=(10, 20)), {"action_type": "click", "x": 10, "y": 20}),
        (LongPress(point=(5, 6)), {"action_type": "long_press", "x": 5, "y": 6}),
        (Swipe(start=(500, 1800), end=(500, 600)), {"action_type": "scroll", "direction": "down"}),
        (Swipe(start=(500, 600), end=(520, 1800)), {"action_type": "scroll", "direction": "up"}),
        (Swipe(start=(900, 1000), end=(100, 1050)), {"action_type": "scroll", "direction": "right"}),
        (Type(text="Zoë ☕"), {"action_type": "input_text", "text": "Zoë ☕"}),
        (Back(), {"action_type": "navigate_back"}),
        (Home(), {"action_type": "navigate_home"}),
        (Enter(), {"action_type": "keyboard_enter"}),
        (OpenApp(name="Clock"), {"action_type": "open_app", "app_name": "Clock"}),
        (Wait(seconds=2), {"action_type": "wait"}),
        (Answer(text="42"), {"action_type": "answer", "text": "42"}),
        (Terminate(status="success"), {"action_type": "status", "goal_status": "complete"}),
        (Terminate(status="failure"), {"action_type": "status", "goal_status": "infeasible"}),
    ],
)
def test_action_mapping(action, fields):
    assert to_json_action(action) == fields


def test_unmappable_actions_are_told_to_the_model():
    with pytest.raises(ActionRejected, match="AppSwitch is not available"):
        to_json_action(AppSwitch())
    with pytest.raises(ActionRejected, match="desktop action"):
        to_json_action(Click(point=(1, 1)))
    assert scroll_direction((0, 0), (100, 0)) == "left"


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
    fake = _FakeAwEnv()
    check_env(lambda: AndroidWorldEnv(fake), [Tap(point=(100, 200)), Back(), Wait(seconds=1)])
    # the last probe (a Wait on the closed adapter) raised before reaching AndroidWorld
    assert fake.executed == [
        {"action_type": "click", "x": 100, "y": 200}, {"action_type": "navigate_back"}, {"action_type": "wait"},
    ]  # fmt: skip


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


@pytest.mark.skipif(importlib.util.find_spec("android_world") is not None, reason="AndroidWorld is installed here")
def test_the_adapter_imports_without_androidworld():
    code = (
        "import sys, qwen2vl_agent.agent.androidworld as aw\n"
        "assert 'android_world' not in sys.modules\n"
        "try:\n    aw.QwenAgent\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "install it from github.com/google-research/android_world" in out.stdout
