"""How ``qwen2vl-agent run`` ends: a verdict on disk and a distinct exit code for every ending, inputs checked
before anything slow starts, run directories never shared or silently reused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qwen2vl_agent.agent import exit_codes
from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.envs.sim import SimPhone

PY = sys.executable
DONE = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'
OPEN_SETTINGS = ['✿FUNCTION✿: OpenApp\n✿ARGS✿: {"name": "Settings"}', DONE]


def taps(count: int) -> list[str]:
    """``count`` taps at different points (never the same action twice, so the run never counts as stuck)."""
    return [f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": [{10 + i % 900}, {10 + i // 900}]}}' for i in range(count)]


def script(tmp_path: Path, replies: list[str]) -> str:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(replies), encoding="utf-8")
    return f"scripted:{path}"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def wait_for_steps(proc: subprocess.Popen[bytes], steps: Path, count: int, deadline_s: float = 90.0) -> None:
    deadline = time.monotonic() + deadline_s
    while len(lines(steps)) < count:
        assert proc.poll() is None, "the run ended before it could be stopped"
        assert time.monotonic() < deadline, "the run never wrote its first steps"
        time.sleep(0.05)


def start_long_run(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "run"
    argv = [PY, "-m", "qwen2vl_agent.agent.cli", "run", "tap around", "--env", "fake", "--quiet",
            "--model", script(tmp_path, taps(5000)), "--max-steps", "5000", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_steps(proc, out / "steps.jsonl", 2)
    return proc, out


def assert_every_line_is_a_finished_step(out: Path) -> int:
    recorded = lines(out / "steps.jsonl")
    for i, line in enumerate(recorded):
        step = json.loads(line)  # no torn line: a step is written whole or not at all
        assert step["index"] == i
        assert (out / step["screenshot"]).is_file()
    return len(recorded)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_ends_the_run_with_a_verdict_on_disk(tmp_path: Path, sig: signal.Signals) -> None:
    proc, out = start_long_run(tmp_path)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == exit_codes.INTERRUPTED, err.decode()
    assert b"Traceback" not in err
    result = read_result(out)
    assert result is not None and result.status == "interrupted"
    assert sig.name in result.reason
    assert result.steps == assert_every_line_is_a_finished_step(out) >= 2
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "refresh" not in html and "interrupted" in html


def test_repeated_signals_still_end_with_one_verdict(tmp_path: Path) -> None:
    proc, out = start_long_run(tmp_path)
    deadline = time.monotonic() + 5
    while proc.poll() is None and time.monotonic() < deadline:  # an impatient supervisor: signal after signal
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.002)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == exit_codes.INTERRUPTED, err.decode()
    assert b"Traceback" not in err
    result = read_result(out)
    assert result is not None and result.status == "interrupted"
    assert result.steps == assert_every_line_is_a_finished_step(out)


def test_a_signal_while_the_model_loads_records_nothing(tmp_path: Path) -> None:
    import socket

    out = tmp_path / "run"
    with socket.create_server(("127.0.0.1", 0)) as server:  # a model server that never answers
        server.settimeout(90)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/v1"
        argv = [PY, "-m", "qwen2vl_agent.agent.cli", "run", "t", "--env", "fake", "--model", f"openai:{url}",
                "--out", str(out)]  # fmt: skip
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        conn, _ = server.accept()  # the model is being loaded: it asks the server what it serves
        with conn:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=90)
    assert proc.returncode == exit_codes.INTERRUPTED, err.decode()
    assert b"Traceback" not in err and b"interrupted before the episode started" in err
    assert not out.exists()  # nothing ran: the same command can be repeated as it is


def test_sigkill_keeps_every_finished_step(tmp_path: Path) -> None:
    proc, out = start_long_run(tmp_path)
    proc.kill()
    proc.communicate(timeout=90)
    assert proc.returncode == -signal.SIGKILL
    assert assert_every_line_is_a_finished_step(out) >= 2
    assert not (out / "result.json").exists()


@pytest.mark.parametrize("delay_s", [0.0, 0.013, 0.031, 0.077, 0.19, 0.41])
def test_a_kill_at_any_moment_leaves_no_record_naming_a_missing_image(tmp_path: Path, delay_s: float) -> None:
    from PIL import Image

    proc, out = start_long_run(tmp_path)
    time.sleep(delay_s)  # somewhere in a step: encoding a screenshot, appending its line, updating the page
    proc.kill()
    proc.communicate(timeout=90)
    assert assert_every_line_is_a_finished_step(out) >= 2
    for step in (json.loads(line) for line in lines(out / "steps.jsonl")):
        with Image.open(out / step["screenshot"]) as image:
            image.load()  # the whole PNG is there, not a torn one


def test_a_fault_is_not_reported_as_task_not_done(tmp_path: Path) -> None:
    out = tmp_path / "run"
    # The script runs out after one step: the model fails (an infrastructure fault), the task is not "not done".
    code = main(["run", "t", "--env", "fake", "--model", script(tmp_path, taps(1)), "--out", str(out), "--quiet"])
    assert code == exit_codes.FAULT
    result = read_result(out)
    assert result is not None and result.status == "error" and "ModelFailed" in result.reason


def test_a_bug_in_the_runtime_ends_as_error_with_a_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from qwen2vl_agent.agent.policy import QwenPolicy

    decide = QwenPolicy.decide
    calls = []

    def broken(self: QwenPolicy):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError("a bug")
        return decide(self)

    monkeypatch.setattr(QwenPolicy, "decide", broken)
    out = tmp_path / "run"
    code = main(["run", "t", "--env", "fake", "--model", script(tmp_path, taps(5)), "--out", str(out), "--quiet"])
    assert code == exit_codes.FAULT
    result = read_result(out)
    assert result is not None and result.status == "error"
    assert "ZeroDivisionError" in result.reason and result.steps == 2  # the step in flight is on record
    assert "ZeroDivisionError" in read_steps(out)[-1].fault
    assert "refresh" not in (out / "report.html").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


def test_task_not_done_exits_1_and_done_exits_0(tmp_path: Path) -> None:
    base = ["run", "t", "--env", "fake", "--quiet", "--model"]
    assert main([*base, script(tmp_path, taps(3)), "--max-steps", "2", "--out", str(tmp_path / "a")]) == 1
    assert main([*base, script(tmp_path, [DONE]), "--out", str(tmp_path / "b")]) == 0


def test_help_and_readme_list_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert " ".join(exit_codes.DESCRIPTION.split()) in " ".join(capsys.readouterr().out.split())
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert "3 for an infrastructure fault" in readme and "130 when interrupted" in readme


# ---------------------------------------------------------------- the output directory


def fake_run(tmp_path: Path, out: Path, *extra: str) -> int:
    return main(["run", "t", "--env", "fake", "--model", script(tmp_path, [DONE]), "--out", str(out), "--quiet",
                 *extra])  # fmt: skip


def test_an_existing_run_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert fake_run(tmp_path, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert fake_run(tmp_path, out) == exit_codes.SETUP
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_force_replaces_a_run_directory_and_nothing_else(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", "t", "--env", "fake", "--model", script(tmp_path, taps(3)), "--max-steps", "3",
                 "--out", str(out), "--quiet"]) == 1  # fmt: skip
    assert fake_run(tmp_path, out, "--force") == 0
    assert len(lines(out / "steps.jsonl")) == 1 and not (out / "step_002.png").exists()
    result = read_result(out)
    assert result is not None and result.status == "success"
    (out / "notes.txt").write_text("mine")  # not something a run writes: --force must not delete it
    capsys.readouterr()
    assert fake_run(tmp_path, out, "--force") == exit_codes.SETUP
    assert "notes.txt" in capsys.readouterr().err and (out / "notes.txt").exists()


def test_an_empty_existing_directory_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert fake_run(tmp_path, out) == 0 and read_result(out) is not None


def test_an_unwritable_out_is_a_setup_error_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    missing_model = f"scripted:{tmp_path / 'nope.json'}"  # would fail too, but only once it is loaded
    code = main(["run", "t", "--env", "fake", "--model", missing_model, "--out", str(tmp_path / "file" / "run")])
    assert code == exit_codes.SETUP
    err = capsys.readouterr().err
    assert "--out" in err and "scripted model" not in err and len(err.strip().splitlines()) == 1


def test_a_setup_error_leaves_no_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "t", "--env", "fake", "--model", f"scripted:{tmp_path / 'nope.json'}", "--out", str(out)]) == 2
    assert not out.exists()  # nothing ran: the same command can simply be repeated


def test_default_run_directories_are_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "20260101-000000")  # both runs in the same second
    model = script(tmp_path, [DONE])
    assert main(["run", "Open it", "--env", "fake", "--model", model, "--quiet"]) == 0
    assert main(["run", "Open it", "--env", "fake", "--model", model, "--quiet"]) == 0
    dirs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(dirs) == 2 and dirs[0] == "20260101-000000-open-it"
    for name in dirs:
        assert len(lines(tmp_path / "runs" / name / "steps.jsonl")) == 1


def test_two_concurrent_runs_never_share_a_directory(tmp_path: Path) -> None:
    def start(reply_count: int, name: str) -> subprocess.Popen[bytes]:
        (tmp_path / name).mkdir()
        model = script(tmp_path / name, [*taps(reply_count - 1), DONE])
        argv = [PY, "-m", "qwen2vl_agent.agent.cli", "run", "same task", "--env", "fake", "--quiet", "--model", model]
        return subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    procs = [start(3, "a"), start(5, "b")]
    for proc in procs:
        proc.communicate(timeout=120)
        assert proc.returncode == 0
    counts = sorted(len(lines(d / "steps.jsonl")) for d in (tmp_path / "runs").iterdir())
    assert counts == [3, 5]
    for d in (tmp_path / "runs").iterdir():
        result = read_result(d)
        assert result is not None and result.status == "success" and result.steps == len(lines(d / "steps.jsonl"))


# ---------------------------------------------------------------- other inputs


@pytest.mark.parametrize("task", ["", "   "])
def test_an_empty_task_is_refused(tmp_path: Path, task: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", task, "--env", "fake", "--model", script(tmp_path, [DONE]), "--out", str(out)]) == 2
    assert "task" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("which", ["task", "out"])
def test_invalid_utf8_is_a_setup_error(tmp_path: Path, which: str) -> None:
    task, out = b"open it", os.fsencode(tmp_path / "run")
    if which == "task":
        task = b"open \xff it"
    else:
        out = os.fsencode(tmp_path) + b"/r\xffun"
    argv = [os.fsencode(PY), b"-m", b"qwen2vl_agent.agent.cli", b"run", task, b"--env", b"fake", b"--out", out,
            b"--model", os.fsencode(script(tmp_path, [DONE]))]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, timeout=120)
    assert proc.returncode == exit_codes.SETUP, proc.stderr
    assert b"Traceback" not in proc.stderr and b"UTF-8" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_an_adb_port_out_of_range_is_a_setup_error(
    tmp_path: Path, port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "t", "--env", "android", "--adb-port", port, "--model", script(tmp_path, [DONE]),
            "--out", str(tmp_path / "r")]  # fmt: skip
    assert main(argv) == exit_codes.SETUP
    assert "--adb-port" in capsys.readouterr().err


def test_a_bad_adb_port_variable_is_a_setup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "fifty")
    assert (
        main(["run", "t", "--env", "android", "--model", script(tmp_path, [DONE]), "--out", str(tmp_path / "r")]) == 2
    )
    assert "ANDROID_ADB_SERVER_PORT" in capsys.readouterr().err


def test_an_unreachable_device_is_found_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SimPhone(seed=0) as phone:
        code = main(["run", "x", "--env", "android", "--serial", "nope:1", "--adb-port", str(phone.adb_port),
                     "--model", f"scripted:{tmp_path / 'nope.json'}", "--out", str(tmp_path / "r")])  # fmt: skip
    assert code == exit_codes.SETUP
    err = capsys.readouterr().err
    assert "nope:1" in err and "scripted model" not in err
    assert not (tmp_path / "r").exists()


def test_android_honours_the_adb_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    with SimPhone(seed=0) as phone:
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(phone.adb_port))
        monkeypatch.setenv("ANDROID_SERIAL", phone.serial)
        code = main(["run", "Open Settings", "--env", "android", "--model", script(tmp_path, OPEN_SETTINGS),
                     "--out", str(out), "--quiet"])  # fmt: skip
        assert code == 0
        env = json.loads((out / "meta.json").read_text(encoding="utf-8"))["env"]
        assert env == {"kind": "android", "serial": phone.serial, "adb_host": "127.0.0.1", "adb_port": phone.adb_port}


def test_meta_records_the_simulated_phone_really_used(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", "Open Settings", "--model", script(tmp_path, OPEN_SETTINGS), "--out", str(out), "--quiet"]) == 0
    env = json.loads((out / "meta.json").read_text(encoding="utf-8"))["env"]
    assert env["kind"] == "sim" and env["seed"] == 0
    assert env["adb_host"] == "127.0.0.1" and env["adb_port"] != 5037 and env["serial"]


def test_meta_of_a_fake_run_has_no_adb_fields(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert fake_run(tmp_path, out) == 0
    env = json.loads((out / "meta.json").read_text(encoding="utf-8"))["env"]
    assert env == {"kind": "fake"}
