"""``qwen2vl-agent run --env desktop``: a scripted model's calls reach the real Tk app through the CLI."""

from __future__ import annotations

import json

from qwen2vl_agent.agent.cli import main


def test_run_on_the_desktop(xserver, app, tmp_path):
    replies = [
        'Click the text field.\n✿FUNCTION✿: Click\n✿ARGS✿: {"point": [750, 125]}',  # rel1000: (960, 100)
        'Type.\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "héllo 中文 <ok>"}',
        'Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
    ]
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(replies), encoding="utf-8")
    argv = ["run", "--env", "desktop", "--display", xserver.name, "--model", f"scripted:{script}",
            "--out", str(tmp_path / "run"), "--quiet", "type a greeting"]  # fmt: skip
    assert main(argv) == 0
    meta = json.loads((tmp_path / "run" / "meta.json").read_text(encoding="utf-8"))
    assert meta["env"] == {"kind": "desktop", "display": xserver.name, "monitor": 1}  # no adb fields
    state = app.wait_for(lambda s: s["text"] == "héllo 中文 <ok>")
    assert state["text"] == "héllo 中文 <ok>"
    assert [e["x"] for e in state["events"] if e["kind"] == "press"] == [960]
