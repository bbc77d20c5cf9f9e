"""Our AndroidWorld adapter against AndroidWorld's own code (no emulator): run where ``android_world`` is installed.

    python benchmarks/androidworld_check.py

1. Every action the adapter sends as JSON builds a real ``JSONAction``.
2. ``episode_runner.run_episode`` drives ``QwenAgent`` (a scripted model) on AndroidWorld's ``FakeAsyncEnv``,
   whose ``execute_action`` is here AndroidWorld's real one (``AsyncAndroidEnv.execute_action``, down to
   ``actuation`` and ``adb_utils``), so the adb requests the agent's actions become are AndroidWorld's own;
   the controller is ``FakeAsyncEnv``'s mock, which records them.
3. ``suite_utils.run`` (through our launcher, ``agent.androidworld.suite.run_suite``) scores a two-task suite of
   AndroidWorld's fake tasks on the plain ``FakeAsyncEnv``, with its incremental checkpointer.

Prints one line per check and exits 1 if any fails; 2 if AndroidWorld is not installed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

try:
    from android_world import episode_runner, suite_utils
    from android_world.env import interface, json_action
    from android_world.utils import test_utils
except ModuleNotFoundError as e:  # pragma: no cover - the point of the script
    sys.exit(f"AndroidWorld is not installed ({e}); see the README, section AndroidWorld")

from qwen2vl_agent.agent.androidworld import Json, QwenAgent, to_command
from qwen2vl_agent.agent.androidworld.suite import SuiteConfig, run_suite
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.tools import Answer, Back, Enter, Home, OpenApp, Tap, Terminate, Type

CALL = "✿FUNCTION✿: {}\n✿ARGS✿: {}"
EPISODE = [
    "I open the clock.\n" + CALL.format("OpenApp", '{"name": "Clock"}'),
    "I pull the shade down, exactly.\n"
    + CALL.format("Swipe", '{"start": [500, 0], "end": [500, 700], "duration_ms": 600}'),
    "Two taps in one reply.\n"
    + CALL.format("Tap", '{"point": [100, 100]}')
    + "\n"
    + CALL.format("Tap", '{"point": [900, 900]}'),
    "I hold the alarm.\n" + CALL.format("LongPress", '{"point": [500, 500], "duration_ms": 2000}'),
    "It rings at seven.\n" + CALL.format("Answer", '{"text": "7:00 AM"}'),
    "The alarm rings at 7:00 AM.",  # a closing reply without a call: the answer above stays
]
FINISH = ["Done.\n" + CALL.format("Terminate", '{"status": "success"}')]


class ActuatedFakeEnv(test_utils.FakeAsyncEnv):
    """``FakeAsyncEnv`` that executes actions as the real env does (onto its mock controller)."""

    def __init__(self) -> None:
        super().__init__()
        self.interaction_cache = ""
        self.actions: list[json_action.JSONAction] = []

    def execute_action(self, action: json_action.JSONAction) -> None:
        self.actions.append(action)
        interface.AsyncAndroidEnv.execute_action(self, action)


def adb_args(env: ActuatedFakeEnv) -> list[list[str]]:
    """The adb requests that reached the controller: generic ones as their args, taps as ``tap X Y``."""
    out = []
    for call in env.controller.execute_adb_call.call_args_list:
        request = call.args[0]
        kind = request.WhichOneof("command")
        out.append(list(request.generic.args) if kind == "generic" else [kind, *str(getattr(request, kind)).split()])
    return out


def check(name: str, ok: bool, detail: object = "") -> bool:
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' if detail != '' else ''}{detail}")
    return ok


def check_json_actions() -> bool:
    actions = [Tap(point=(1, 2)), Type(text="x"), Back(), Home(), Enter(), OpenApp(name="Clock"), Answer(text="a"),
               Terminate(status="success")]  # fmt: skip
    built = [json_action.JSONAction(**c.fields) for a in actions if isinstance(c := to_command(a), Json)]
    return check("every JSON command is a real JSONAction", len(built) == len(actions), [b.action_type for b in built])


def check_episode() -> bool:
    env = ActuatedFakeEnv()
    agent = QwenAgent(env, ScriptedModel(EPISODE), transition_pause=0)
    result = episode_runner.run_episode("When does the alarm ring?", agent, max_n_steps=10, print_fn=lambda s: None)
    adb = adb_args(env)
    swipes = [a for a in adb if a[:3] == ["shell", "input", "swipe"]]
    print(f"     JSONActions: {[a.json_str() for a in env.actions]}")
    print(f"     adb swipes: {swipes}")
    return all([
        check("run_episode ends when the agent is done", result.done and len(result.step_data["step_number"]) == 6,
              f"done={result.done}, steps={len(result.step_data['step_number'])}"),
        check("the answer survives the closing reply", env.interaction_cache == "7:00 AM", repr(env.interaction_cache)),
        check("Swipe and LongPress reach adb exactly", swipes == [  # 0-1000 grid -> the 10x10 screenshot -> the 100x100 logical screen  # noqa: E501
            ["shell", "input", "swipe", "50", "0", "50", "70", "600"],
            ["shell", "input", "swipe", "50", "50", "50", "50", "2000"],
        ]),
        check("both taps of one reply reach the device", sum(a[0] == "tap" for a in adb) == 2),
    ])  # fmt: skip


def check_suite() -> bool:
    registry = {"FakeCurrentStateEval": test_utils.FakeCurrentStateEval, "FakeAdbEval": test_utils.FakeAdbEval}
    suite = suite_utils.create_suite(registry, n_task_combinations=2, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        config = SuiteConfig(suite_family="android", checkpoint_dir=Path(tmp))
        results = run_suite(ScriptedModel(FINISH * 4), config, env=test_utils.FakeAsyncEnv(), suite=suite)
        saved = sorted(p.name for p in Path(tmp).iterdir())
    scores = [(r["task_template"], r["is_successful"], r["episode_length"], r["exception_info"]) for r in results]
    print(f"     results: {scores}")
    print(f"     checkpoints: {saved}")
    return all([
        check("suite_utils.run scores every instance", [s[1] for s in scores] == [1.0] * 4),
        check("nothing raised", all(s[3] is None for s in scores)),
        check("each instance checkpointed", len(saved) == 4, saved),
    ])  # fmt: skip


def main() -> int:
    results = [check_json_actions(), check_episode(), check_suite()]
    print("all checks passed" if all(results) else "SOME CHECKS FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
