"""The AndroidWorld adapter without AndroidWorld: the action mapping, the Env adapter and the step logic
on fakes, and ``QwenAgent`` itself against a stand-in ``android_world`` package."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import types
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


@dataclasses.dataclass
class _State:
    pixels: np.ndarray


class _FakeAwEnv:
    """What the adapter uses of AndroidWorld's AsyncEnv."""

    logical_screen_size = (1080, 2400)

    def __init__(self) -> None:
        self.executed: list[Any] = []
        self.interaction_cache = ""
        self.resets = 0

    def get_state(self, wait_to_stabilize: bool = False) -> _State:
        shade = 40 * (len(self.executed) % 5)
        return _State(np.full((2400, 1080, 3), shade, dtype=np.uint8))

    def execute_action(self, action: Any) -> None:
        self.executed.append(action)
        if action["action_type"] == "answer":
            self.interaction_cache = action["text"]

    def reset(self, go_home: bool = False) -> None:
        self.resets += 1


def test_env_adapter_passes_the_conformance_check():
    fake = _FakeAwEnv()
    check_env(lambda: AndroidWorldEnv(fake, make_action=dict), [Tap(point=(100, 200)), Back(), Wait(seconds=1)])
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


def test_stepper_runs_an_episode_the_way_the_loop_does():
    fake = _FakeAwEnv()
    env = AndroidWorldEnv(fake, make_action=dict)
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
    def get_state(self, wait_to_stabilize: bool = False) -> _State:
        return _State(np.full((2400, 1080, 3), 90, dtype=np.uint8))


def test_stepper_tells_the_model_and_stops_when_nothing_changes_as_the_loop_does():
    fake = _FrozenAwEnv()
    env = AndroidWorldEnv(fake, make_action=dict)
    model = ScriptedModel([REPLIES[1]] * 10)
    stepper = EpisodeStepper(env, QwenPolicy(model, env.action_space))
    steps = _run(lambda goal: stepper.step(goal, env.observe()), "Tap the tab")
    assert steps[-1] == (
        True,
        {"step": 5, "status": "stuck", "reason": "the same action had no effect 5 times in a row"},
    )
    assert "the screen has not changed" in str(model.seen[3][-1].content)
    assert len(fake.executed) == 5


def _stand_in_android_world(monkeypatch) -> None:
    """Just enough of android_world for QwenAgent: base_agent and json_action."""

    class EnvironmentInteractingAgent:
        def __init__(self, env, name="", transition_pause=1.0):
            self._env, self._name, self._transition_pause = env, name, transition_pause

        @property
        def env(self):
            return self._env

        def reset(self, go_home=False):
            self.env.reset(go_home=go_home)

        def get_post_transition_state(self):
            return self.env.get_state(wait_to_stabilize=False)

    @dataclasses.dataclass
    class AgentInteractionResult:
        done: bool
        data: dict

    package = types.ModuleType("android_world")
    agents = types.ModuleType("android_world.agents")
    base_agent = types.ModuleType("android_world.agents.base_agent")
    base_agent.EnvironmentInteractingAgent = EnvironmentInteractingAgent
    base_agent.AgentInteractionResult = AgentInteractionResult
    env_pkg = types.ModuleType("android_world.env")
    json_action = types.ModuleType("android_world.env.json_action")
    json_action.JSONAction = dict
    package.agents, agents.base_agent, package.env, env_pkg.json_action = agents, base_agent, env_pkg, json_action
    for name, module in (("android_world", package), ("android_world.agents", agents),
                         ("android_world.agents.base_agent", base_agent), ("android_world.env", env_pkg),
                         ("android_world.env.json_action", json_action)):  # fmt: skip
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "qwen2vl_agent.agent.androidworld.agent", raising=False)


def test_qwen_agent_inside_a_stand_in_androidworld(monkeypatch):
    _stand_in_android_world(monkeypatch)
    from qwen2vl_agent.agent.androidworld import QwenAgent

    fake = _FakeAwEnv()
    agent = QwenAgent(fake, ScriptedModel(REPLIES), transition_pause=0)
    agent.reset(go_home=True)
    results = _run(agent.step, "When does the alarm ring?", done=lambda r: r.done)
    assert fake.resets == 1 and results[-1].done and len(results) == 5
    assert fake.interaction_cache == "7:00 AM"


def test_the_adapter_imports_without_androidworld():
    code = (
        "import sys, qwen2vl_agent.agent.androidworld as aw\n"
        "assert 'android_world' not in sys.modules\n"
        "try:\n    aw.QwenAgent\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "install it from github.com/google-research/android_world" in out.stdout
