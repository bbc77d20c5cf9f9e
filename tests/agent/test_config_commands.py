"""``--config FILE`` for ``model info`` and ``sim start``/``sim serve``: every flag can be set from the file and
is overridden by the flag; a typo names the key and the file; ``--print-config`` loads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.commands import model as model_cmd
from qwen2vl_agent.agent.commands import sim as sim_cmd
from qwen2vl_agent.agent.commands.config import Flag
from qwen2vl_agent.model.spec import HFSpec, TinySpec

from .test_config_file import RUN_VALUES, _env_for, _get, _is_switch, _merge, _nested, _parse, _plain, _write

INFO_VALUES: dict[tuple[str, ...], tuple[Any, str]] = {
    **{path: values for path, values in RUN_VALUES.items() if path[0] == "model"},
    ("model", "attn_implementation"): ("sdpa", "eager"),
    ("dialect",): ("qwen25vl", "qwen3vl"),
}


@pytest.mark.parametrize("f", model_cmd.INFO_FLAGS, ids=lambda f: f.names[0])
def test_every_model_info_flag_is_settable_from_the_file_and_overridden_by_the_flag(f: Flag, tmp_path: Path) -> None:
    def load(*argv: str) -> model_cmd.InfoConfig:
        return model_cmd.load_info_config(_parse(["model", "info", "--config", str(config_file), *argv]))

    if f.path == ("model",):
        config_file = _write(tmp_path, {"model": {"kind": "tiny", "dtype": "float32"}})
        assert isinstance(load().model, TinySpec)
        assert load("--model", "some/ckpt").model == HFSpec(model="some/ckpt", dtype="float32")
        return
    defaults = model_cmd.InfoConfig(**_env_for(f.path))
    if _is_switch(f):  # the file sets another value; the flag sets the one it names
        flagged = f.data(True)
        opposite = {path: {True: False, "json": "text"}.get(value, 2) for path, value in flagged.items()}
        data = _env_for(f.path)
        for path, value in opposite.items():
            data = _merge(data, _nested(path, value))
        config_file = _write(tmp_path, data)
        for path, value in flagged.items():
            assert _get(load(), path) == opposite[path] != _get(load(f.names[0]), path) == value
        return
    file_value, flag_value = INFO_VALUES[f.path]
    config_file = _write(tmp_path, _merge(_env_for(f.path), _nested(f.path, file_value)))
    assert _get(defaults, f.path) != _get(load(), f.path) == _plain(file_value, _get(load(), f.path))
    assert _get(load(f.names[0], flag_value), f.path) not in (_get(load(), f.path), _get(defaults, f.path))


SIM_VALUES: dict[str, tuple[Any, str]] = {
    "devices": (2, "3"), "seed": (4, "5"), "size": ([540, 1200], "720x1600"), "density": (210, "320"),
    "bind": ("all", "localhost"),
}  # fmt: skip


@pytest.mark.parametrize("action", ["start", "serve"])
@pytest.mark.parametrize("f", sim_cmd.SIM_FLAGS, ids=lambda f: f.names[0])
def test_every_sim_flag_is_settable_from_the_file_and_overridden_by_the_flag(
    f: Flag, action: str, tmp_path: Path
) -> None:
    file_value, flag_value = SIM_VALUES[f.path[-1]]
    config_file = _write(tmp_path, {f.path[-1]: file_value})
    from_file = sim_cmd.load_sim_config(_parse(["sim", action, "--config", str(config_file)]))
    from_flag = sim_cmd.load_sim_config(_parse(["sim", action, "--config", str(config_file), f.names[0], flag_value]))
    default = getattr(sim_cmd.SimConfig(), f.path[-1])
    assert getattr(from_file, f.path[-1]) != default
    assert getattr(from_file, f.path[-1]) == (tuple(file_value) if isinstance(file_value, list) else file_value)
    if f.path == ("bind",):  # a two-valued choice: the flag takes back what the file set
        assert getattr(from_flag, f.path[-1]) == default
    else:
        assert getattr(from_flag, f.path[-1]) not in (default, getattr(from_file, f.path[-1]))


def test_sim_reads_a_size_written_as_text_and_names_a_typo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = _write(tmp_path, {"size": "540x1200"})
    assert sim_cmd.load_sim_config(_parse(["sim", "serve", "--config", str(config_file)])).size == (540, 1200)
    config_file = _write(tmp_path, {"devics": 2}, "sim.toml")
    assert main(["sim", "start", "--config", str(config_file)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'devics'" in err and str(config_file) in err


def test_model_info_names_a_typo_and_prints_a_config_that_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = _write(tmp_path, {"modle": "tiny"}, "info.toml")
    assert main(["model", "info", "--config", str(config_file)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'modle'" in err and str(config_file) in err
    argv = ["model", "info", "--model", "tiny", "--dtype", "float32", "--dialect", "qwen25vl", "--json"]
    assert main([*argv, "--print-config"]) == 0
    (tmp_path / "printed.toml").write_text(capsys.readouterr().out, encoding="utf-8")
    again = model_cmd.load_info_config(_parse(["model", "info", "--config", str(tmp_path / "printed.toml")]))
    assert again == model_cmd.load_info_config(_parse(argv))
