"""`qwen2vl-agent run --env sim` and `--env android --serial ...` end to end with a scripted model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.envs.sim import SimPhone

# Open Settings by name, then declare success.
REPLIES = [
    'Settings is in the dock.\n✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Settings"}',
    'Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
]


def _script(tmp_path: Path) -> str:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(REPLIES), encoding="utf-8")
    return f"scripted:{path}"


def test_run_on_the_built_in_simulated_phone(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert (
        main(["run", "Open Settings", "--model", _script(tmp_path), "--out", str(out), "--quiet"]) == 0
    )  # default env: sim
    steps = read_steps(out)
    assert steps[0].calls[0].executed == {"type": "OpenApp", "name": "Settings"}
    assert steps[1].foreground is not None and steps[1].foreground.startswith("com.android.settings/")
    assert steps[0].geometry.screenshot_size == (1080, 2400)
    assert read_result(out).status == "success"


def test_run_on_a_phone_by_serial(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with SimPhone(seed=0) as phone:
        code = main(
            ["run", "Open Settings", "--env", "android", "--serial", phone.serial, "--adb-port", str(phone.adb_port),
             "--model", _script(tmp_path), "--out", str(out), "--quiet"]
        )  # fmt: skip
        assert code == 0
        assert phone.adb_device().app_current().package == "com.android.settings"
    assert [s.index for s in read_steps(out)] == [0, 1]


def test_unknown_serial_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SimPhone(seed=0) as phone:
        code = main(
            ["run", "x", "--env", "android", "--serial", "nope:1", "--adb-port", str(phone.adb_port),
             "--model", _script(tmp_path), "--out", str(tmp_path / "r")]
        )  # fmt: skip
    assert code == 2
    assert "nope:1" in capsys.readouterr().err
