"""Typed configuration end to end: every flag of ``run`` and ``bench`` can be set from a TOML file and is
overridden by the flag; unknown keys name the key and the file; ``--model`` strings and ``[model]`` tables are
one typed spec; ``--print-config`` prints a file that loads back to the same configuration."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from qwen2vl_agent.agent.cli import build_parser, main
from qwen2vl_agent.agent.commands import bench as bench_cmd
from qwen2vl_agent.agent.commands import run as run_cmd
from qwen2vl_agent.agent.commands.config import Flag
from qwen2vl_agent.agent.factory import AndroidEnvSpec
from qwen2vl_agent.envs.android import AndroidConfig
from qwen2vl_agent.model.spec import HFSpec, OpenAISpec, ScriptedSpec, TinySpec, parse_model_spec, spec_from_data


def _parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _get(config: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        config = getattr(config, part)
    return config


def _write(tmp_path: Path, data: dict[str, Any], name: str = "c.toml") -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def _nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return out


# One (file value, flag value) pair per flag's path; each pair differs from the default and from each other.
RUN_VALUES: dict[tuple[str, ...], tuple[Any, str]] = {
    ("out",): ("from-file", "from-flag"),
    ("safety", "policy"): ("file-policy.toml", "flag-policy.toml"),
    ("loop", "max_steps"): (7, "9"),
    ("agent", "dialect"): ("qwen25vl", "qwen3vl"),
    ("agent", "convention"): ("rel999", "abs_screen"),
    ("agent", "history_images"): (2, "3"),
    ("agent", "max_new_tokens"): (100, "120"),
    ("model", "device"): ("cpu", "cuda:1"),
    ("model", "dtype"): ("float16", "float32"),
    ("model", "max_pixels"): (200704, "401408"),
    ("model", "min_pixels"): (6272, "12544"),
    ("model", "extra_body"): ({"top_k": 1}, '{"top_k": 2}'),
    ("model", "max_concurrency"): (4, "8"),
}


def _flag_argv(f: Flag, value: str | None) -> list[str]:
    return [f.names[0]] if value is None else [f.names[0], value]


def _env_for(path: tuple[str, ...]) -> dict[str, Any]:
    if path in (("model", "extra_body"), ("model", "max_concurrency")):  # the OpenAI-compatible backend's own
        return {"model": {"kind": "openai", "base_url": "http://127.0.0.1:8000/v1"}}
    if path[:1] != ("env",):
        return {}
    kind = {"seed": "sim", "display": "desktop", "monitor": "desktop"}.get(path[1], "android")
    return {"env": {"kind": kind}}


def _is_switch(f: Flag) -> bool:
    return "type" not in f.kwargs


@pytest.mark.parametrize("f", run_cmd.FLAGS, ids=lambda f: f.names[0])
def test_every_run_flag_is_settable_from_the_file_and_overridden_by_the_flag(f: Flag, tmp_path: Path) -> None:
    if f.path in (("env", "kind"), ("model",)):  # the tables' tags: a whole spec each
        return _check_kind_flag(f, tmp_path)
    defaults = run_cmd.RunConfig(**{k: v for k, v in _env_for(f.path).items()})
    if _is_switch(f):  # the file can set either value; the flag sets the one it names
        flagged = f.data(True)
        opposite = {path: (not value if isinstance(value, bool) else 2) for path, value in flagged.items()}
        data = _merge(_env_for(f.path), {})
        for path, value in opposite.items():
            data = _merge(data, _nested(path, value))
        config_file = _write(tmp_path, data)
        from_file = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file)]))
        from_flag = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file), f.names[0]]))
        for path, value in flagged.items():
            assert _get(from_file, path) == opposite[path] != _get(from_flag, path) == value
        return
    file_value, flag_value = RUN_VALUES.get(f.path) or _odd_values(f)
    config_file = _write(tmp_path, _merge(_env_for(f.path), _nested(f.path, file_value)))
    from_file = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file)]))
    from_flag = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file), f.names[0], flag_value]))
    assert _get(from_file, f.path) != _get(defaults, f.path)
    assert _get(from_file, f.path) == _plain(file_value, _get(from_file, f.path))
    assert _get(from_flag, f.path) not in (_get(from_file, f.path), _get(defaults, f.path))


def _odd_values(f: Flag) -> tuple[Any, str]:
    name = f.path[-1]
    table = {
        "serial": ("file-serial", "flag-serial"), "adb_host": ("10.0.0.1", "10.0.0.2"), "adb_port": (5038, "5039"),
        "devices": ("all", "S1,S2"),
        "seed": (5, "6"), "display": (":5", ":6"), "monitor": (2, "3"), "capture": ("raw", "png"),
        "display_id": ("1", "2"), "reuse_settled_s": (0.25, "0.75"), "keyboard": ("input", "adbkeyboard"),
        "text_chunk": (32, "16"), "settle": ({"timeout_s": 1.0}, '{"timeout_s": 2.0}'),
        "app_labels": ({"A": "com.a"}, '{"B": "com.b"}'), "timeouts": ({"query": 3.0}, '{"query": 4.0}'),
        "retry": ({"attempts": 1}, '{"attempts": 2}'),
    }  # fmt: skip
    assert name in table, f"no test values for {f.names[0]}: add a pair here"
    return table[name]


def _plain(file_value: Any, typed: Any) -> Any:
    """What a file value becomes once typed (a path, a dataclass), to compare with the typed config."""
    if isinstance(typed, Path):
        return Path(file_value)
    if isinstance(file_value, dict) and not isinstance(typed, dict):
        return type(typed)(**{**vars(typed), **file_value})
    return file_value


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = _merge(out[key], value) if isinstance(out.get(key), dict) else value
    return out


def _check_kind_flag(f: Flag, tmp_path: Path) -> None:
    if f.path == ("env", "kind"):
        config_file = _write(tmp_path, {"env": {"kind": "desktop", "monitor": 2}})
        assert run_cmd.load_config(_parse(["run", "t", "--config", str(config_file)])).env.kind == "desktop"
        flagged = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file), "--env", "fake"]))
        assert flagged.env.kind == "fake"  # the file's desktop-only keys are dropped with its kind
    else:
        config_file = _write(tmp_path, {"model": {"kind": "tiny", "dtype": "float32"}})
        assert isinstance(run_cmd.load_config(_parse(["run", "t", "--config", str(config_file)])).model, TinySpec)
        flagged = run_cmd.load_config(_parse(["run", "t", "--config", str(config_file), "--model", "some/ckpt"]))
        assert flagged.model == HFSpec(model="some/ckpt", dtype="float32")  # same options, another checkpoint


BENCH_VALUES: dict[str, tuple[Any, str | None]] = {
    "suite": ("smoke", "easy"), "tasks": (["ClockStopwatch*"], "Launcher*,Contacts*"), "combinations": (2, "3"),
    "seed": (4, "5"), "parallel": (2, "3"), "policy": ("random", "oracle"), "out": ("file-out", "flag-out"),
    "max_steps_factor": (1.5, "2.5"), "screen_size": ([540, 1200], "720x1600"), "density": (210, "320"),
    "retries": (0, "1"), "device_timeout_s": (5.0, "6.0"), "html": (False, None), "video": (True, None), "quiet": (True, None),
    "executor": ("ray", "local"), "ray_address": ("file-head:6379", "flag-head:6379"),
    "ray_resource": ("phone_a", "phone_b"), "env": ("android", "sim"), "devices": ("S1", "S2,S3"),
    "adb_host": ("10.0.0.1", "10.0.0.2"), "adb_port": (5038, "5039"),
}  # fmt: skip


@pytest.mark.parametrize("f", (*bench_cmd.FLAGS, *bench_cmd.RUN_FLAGS), ids=lambda f: f.names[0])
def test_every_bench_flag_is_settable_from_the_file_and_overridden_by_the_flag(f: Flag, tmp_path: Path) -> None:
    if f.path == ("model",):
        config_file = _write(tmp_path, {"policy": "model", "model": "tiny"})
        assert isinstance(bench_cmd.load_options(_parse(["bench", "--config", str(config_file)])).model, TinySpec)
        flagged = bench_cmd.load_options(_parse(["bench", "--config", str(config_file), "--model", "a/b"]))
        assert flagged.model == HFSpec(model="a/b")
        return
    file_value, flag_value = BENCH_VALUES[f.path[-1]]
    config_file = _write(tmp_path, {f.path[-1]: file_value})
    from_file = bench_cmd.load_options(_parse(["bench", "--config", str(config_file)]))
    from_flag = bench_cmd.load_options(_parse(["bench", "--config", str(config_file), *_flag_argv(f, flag_value)]))
    default = getattr(bench_cmd.BenchOptions(), f.path[-1])
    assert getattr(from_file, f.path[-1]) != default
    if flag_value == default:  # a two-valued choice: the flag takes back what the file set
        assert getattr(from_flag, f.path[-1]) == default
    elif flag_value is not None:
        assert getattr(from_flag, f.path[-1]) not in (default, getattr(from_file, f.path[-1]))


def test_model_and_agent_flags_of_bench_come_from_the_file_too(tmp_path: Path) -> None:
    config_file = _write(
        tmp_path, {"policy": "model", "model": {"kind": "tiny", "max_pixels": 200704}, "agent": {"history_images": 2}}
    )
    options = bench_cmd.load_options(_parse(["bench", "--config", str(config_file), "--history-images", "3"]))
    assert options.model == TinySpec(max_pixels=200704) and options.agent.history_images == 3
    options = bench_cmd.load_options(_parse(["bench", "--config", str(config_file), "--max-pixels", "401408"]))
    assert options.model == TinySpec(max_pixels=401408) and options.agent.history_images == 2


@pytest.mark.parametrize(
    "data, key",
    [
        ({"env": {"kind": "android", "serail": "x"}}, "env.serail"),
        ({"loop": {"max_step": 3}}, "loop.max_step"),
        ({"modle": "tiny"}, "modle"),
        ({"env": {"android": {"captur": "raw"}}}, "env.android.captur"),
        ({"model": {"kind": "openai", "base_url": "http://127.0.0.1:1/v1", "devise": "cpu"}}, "model.devise"),
    ],
)
def test_a_typo_in_the_file_is_exit_2_naming_the_key_and_the_file(
    data: dict[str, Any], key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = _write(tmp_path, data, "typo.toml")
    assert main(["run", "t", "--config", str(config_file), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"unknown key {key!r}" in err and str(config_file) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_bench_names_the_typo_and_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = _write(tmp_path, {"paralel": 2}, "bench.toml")
    assert main(["bench", "--config", str(config_file)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'paralel'" in err and str(config_file) in err


def test_a_bad_value_in_the_file_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = _write(tmp_path, {"env": {"kind": "android", "adb_port": 0}})
    assert main(["run", "t", "--config", str(config_file), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "'env.adb_port'" in err and str(config_file) in err


def test_a_missing_or_broken_file_is_a_setup_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "t", "--config", str(tmp_path / "none.toml")]) == 2
    assert "none.toml" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text("env = [", encoding="utf-8")
    assert main(["run", "t", "--config", str(tmp_path / "bad.toml")]) == 2
    assert "bad.toml is not valid TOML" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, table",
    [
        ("tiny", {"kind": "tiny"}),
        ("Qwen/Qwen2-VL-7B-Instruct", {"kind": "hf", "model": "Qwen/Qwen2-VL-7B-Instruct"}),
        (
            "openai:http://127.0.0.1:8000#qwen",
            {"kind": "openai", "base_url": "http://127.0.0.1:8000/v1", "model": "qwen"},
        ),
        ("scripted:replies.json", {"kind": "scripted", "file": "replies.json"}),
    ],
)
def test_model_strings_and_tables_are_the_same_typed_spec(text: str, table: dict[str, Any], tmp_path: Path) -> None:
    spec = parse_model_spec(text)
    assert spec == spec_from_data(table) == spec_from_data(text)
    assert isinstance(spec, (TinySpec, HFSpec, OpenAISpec, ScriptedSpec))
    from_flag = run_cmd.load_config(_parse(["run", "t", "--model", text]))
    for file_form in (table, text):
        from_file = run_cmd.load_config(_parse(["run", "t", "--config", str(_write(tmp_path, {"model": file_form}))]))
        assert from_file.model == from_flag.model == spec


def test_the_android_config_is_reachable_from_flags_and_the_file(tmp_path: Path) -> None:
    config_file = _write(
        tmp_path, {"env": {"kind": "android", "android": {"capture": "png", "timeouts": {"query": 3}}}}
    )
    argv = ["run", "t", "--config", str(config_file), "--android-ui-tree", "--android-timeouts", '{"capture": 4}']
    env = run_cmd.load_config(_parse(argv)).env
    assert isinstance(env, AndroidEnvSpec)
    assert env.android.capture == "png" and env.android.ui_tree is True
    assert (env.android.timeouts.query, env.android.timeouts.capture) == (3, 4)  # merged, not replaced
    assert set(AndroidConfig.model_fields) <= {f.path[-1] for f in run_cmd.FLAGS if f.path[:2] == ("env", "android")}


def test_a_flag_for_another_env_kind_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    config = run_cmd.load_config(_parse(["run", "t", "--env", "fake", "--seed", "3"]))
    assert config.env.kind == "fake" and "ignoring --seed" in caplog.text


def test_print_config_is_a_file_that_loads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--env", "android", "--serial", "S1", "--model", "tiny", "--max-steps", "5", "--android-ui-tree"]
    assert main([*argv, "--print-config"]) == 0
    text = capsys.readouterr().out
    (tmp_path / "printed.toml").write_text(text, encoding="utf-8")
    again = run_cmd.load_config(_parse(["run", "t", "--config", str(tmp_path / "printed.toml")]))
    assert again == run_cmd.load_config(_parse(["run", "t", *argv[1:]]))
    assert 'kind = "android"' in text and "[env.android]" in text and "[model]" in text


def test_print_config_redacts_the_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["run", "--env", "fake", "--model", "openai:http://127.0.0.1:1/v1?api-key=SECRET#m", "--print-config"])
        == 0
    )
    out = capsys.readouterr().out
    assert "SECRET" not in out and "api-key=***" in out


def test_bench_print_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--suite", "smoke", "-k", "2", "--print-config"]) == 0
    out = capsys.readouterr().out
    assert 'suite = "smoke"' in out and "combinations = 2" in out


def test_run_without_a_task_still_says_it_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--env", "fake"])
    assert info.value.code == 2 and "required: task" in capsys.readouterr().err


def test_a_file_configures_a_whole_run(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(['✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}']), encoding="utf-8")
    out = tmp_path / "run"
    config_file = _write(
        tmp_path,
        {"out": str(out), "quiet": True, "env": {"kind": "fake"}, "model": {"kind": "scripted", "file": str(script)}},
    )
    assert main(["run", "finish", "--config", str(config_file)]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["model"] == f"scripted:{script}" and meta["env"]["kind"] == "fake"


def test_help_with_config_options_imports_no_torch(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom qwen2vl_agent.agent.cli import main\n"
        "for argv in (['run', '--help'], ['bench', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('torch', 'transformers', 'pyautogui', 'mss') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr


def test_the_readme_example_file_is_a_valid_run_config(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme.split("### Configuration")[1], re.DOTALL)[:1]
    (tmp_path / "agent.toml").write_text(example, encoding="utf-8")
    config = run_cmd.load_config(_parse(["run", "t", "--config", str(tmp_path / "agent.toml")]))
    assert isinstance(config.env, AndroidEnvSpec) and config.env.android.timeouts.query == 5.0
    assert config.model == HFSpec(model="Qwen/Qwen2-VL-7B-Instruct", dtype="bfloat16")
