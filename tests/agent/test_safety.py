"""Safety and hand-off: the default policy stops a message being sent and a contact being deleted at
``confirm``; the answer "no" leaves the phone as it was and the model is told why; ``CallUser`` pauses the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt import render_text
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.agent.trajectory import read_steps
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.envs.android import open_android
from qwen2vl_agent.envs.safety import Guarded, HandOff, SafetyPolicy, Verdict, label_at
from qwen2vl_agent.envs.sim import SimPhone
from qwen2vl_agent.envs.tasks import data
from qwen2vl_agent.envs.tasks.device import TaskDevice
from qwen2vl_agent.model.scripted import ScriptedModel
from qwen2vl_agent.tools import OpenApp, Tap, Type

# rel1000 points on the seed-0 phone (1080x2400): a conversation, its text field, Send (above the keyboard), a contact, Delete
SEND_THEN_DELETE = [
    '✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Messages"}',
    '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [463, 125]}',
    '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [413, 902]}\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "I quit"}',
    'I send it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [897, 618]}',
    '✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Contacts"}',
    '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [556, 521]}',
    'I delete Jamal.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [767, 61]}',
    '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "failure"}',
]


def test_default_policy_stops_sending_and_deleting_at_confirm(tmp_path: Path) -> None:
    asked: list[Verdict] = []

    def say_no(verdict: Verdict) -> bool:
        asked.append(verdict)
        return False

    model = ScriptedModel(SEND_THEN_DELETE)
    with SimPhone(seed=0) as phone, open_android(serial=phone.serial, host=phone.adb_host, port=phone.adb_port) as env:
        device = TaskDevice(env.device)
        before = (data.sms(device), [dict(r) for r in data.contacts(device)])
        guarded = Guarded(env, SafetyPolicy.load(), confirm=say_no)
        result = run_episode(guarded, QwenPolicy(model, guarded.action_space), "t", LoopConfig(), [
            TrajectoryRecorder(tmp_path, html=False)])  # fmt: skip
        after = (data.sms(device), [dict(r) for r in data.contacts(device)])
    assert result.status == "failure"
    assert [(v.rule, v.text, v.app.split("/")[0]) for v in asked] == [
        ("send-message", "Send SMS", "com.google.android.apps.messaging"),
        ("delete", "Delete", "com.android.contacts"),
    ]
    assert after == before  # no message sent, no contact deleted
    steps = read_steps(tmp_path)
    denied = [c for s in steps for c in s.calls if c.safety and c.safety.get("answer") == "no"]
    assert [c.safety["rule"] for c in denied] == ["send-message", "delete"]  # the decision is in the trajectory
    assert (
        denied[0].result
        == "Error: Tap was not executed: sending a message (the user declined it, rule 'send-message')."
    )
    allowed = [c.safety for s in steps for c in s.calls if c.safety and c.safety["decision"] == "allow"]
    assert allowed and all("answer" not in a for a in allowed)
    # the model saw why, in the next prompt
    assert "the user declined it, rule 'send-message'" in render_text(model.seen[4])
    assert "the user declined it, rule 'delete'" in render_text(model.seen[7])


@pytest.mark.parametrize(
    ("action", "app", "text", "decision"),
    [
        (Type(text="hunter2!Pass"), "com.android.chrome", "hunter2!Pass", "confirm"),
        (Type(text="1234"), None, "1234", "confirm"),
        (Type(text="hello there"), None, "hello there", "allow"),
        (Tap(point=(1, 1)), "com.android.vending", "Install", "confirm"),
        (Tap(point=(1, 1)), "com.example.shop", "Place order", "confirm"),
        (Tap(point=(1, 1)), "com.example.shop", "Sender name", "allow"),
        (OpenApp(name="Settings"), None, "Settings", "allow"),
    ],
)
def test_default_policy_rules(action, app, text, decision) -> None:
    assert SafetyPolicy.load().decide(action, app, text).decision == decision


def test_a_policy_file_denies_by_app_and_the_model_hears_it(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('[[rules]]\nname = "no-fake"\napp = "fake"\ndecision = "deny"\nreason = "hands off"\n')
    with FakeEnv() as env:
        guarded = Guarded(env, SafetyPolicy.load(policy))
        model = ScriptedModel(["✿FUNCTION✿: Home\n✿ARGS✿: {}", '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "failure"}'])
        run_episode(guarded, QwenPolicy(model, guarded.action_space), "t")
        assert env.executed == []
    assert "Home was not executed: hands off (the safety policy denies it, rule 'no-fake')." in render_text(
        model.seen[1]
    )


def test_label_at_picks_the_smallest_element() -> None:
    xml = ('<hierarchy><node text="" content-desc="" bounds="[0,0][100,100]"><node text="Row" bounds="[0,0][100,50]">'
           '<node text="" content-desc="Send" bounds="[60,0][100,50]"/></node></node></hierarchy>')  # fmt: skip
    assert label_at(xml, (70, 10)) == "Send"
    assert label_at(xml, (10, 10)) == "Row"
    assert label_at(xml, (10, 80)) == ""


def test_call_user_is_offered_only_with_hand_off_and_pauses_the_run() -> None:
    heard: list[str] = []
    with FakeEnv() as env:
        plain = QwenPolicy(ScriptedModel([]), env.action_space)
        plain.begin("t", env.reset().screenshot)
        assert "CallUser" not in plain.system
        handoff = HandOff(env, lambda reason: heard.append(reason) or "logged in")
        model = ScriptedModel([
            '✿FUNCTION✿: CallUser\n✿ARGS✿: {"reason": "please log in"}',
            '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
        ])  # fmt: skip
        result = run_episode(handoff, QwenPolicy(model, handoff.action_space), "t")
    assert result.status == "success" and heard == ["please log in"]
    assert "### CallUser" in render_text(model.seen[0])
    assert "The user has finished and handed the device back. They said: logged in" in render_text(model.seen[1])


def test_run_confirm_asks_on_the_terminal(tmp_path: Path) -> None:
    replies = [
        '✿FUNCTION✿: Type\n✿ARGS✿: {"text": "S3cret!pw"}',
        '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "failure"}',
    ]
    (tmp_path / "r.json").write_text(json.dumps(replies), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "qwen2vl_agent.agent.cli", "run", "log in", "--env", "fake", "--model",
         f"scripted:{tmp_path / 'r.json'}", "--out", str(tmp_path / "run"), "--confirm", "--quiet"],
        input="n\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "confirm: Type on 'S3cret!pw' in fake/.Screen - typing what looks like a password or a PIN" in proc.stderr
    step = json.loads((tmp_path / "run" / "steps.jsonl").read_text().splitlines()[0])
    assert step["calls"][0]["safety"]["answer"] == "no"
