"""load_model specs, the tiny cache, and one clear ModelUnavailable for every way loading can fail."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from qwen2vl_agent.model import ModelUnavailable, ScriptedModel
from qwen2vl_agent.model.factory import CACHE_ENV, cache_dir, ensure_tiny_checkpoint, load_model
from qwen2vl_agent.model.hf import HFModel


def test_local_directory_never_touches_the_network(tiny_dir: Path, no_network) -> None:
    model = load_model(str(tiny_dir), max_pixels=512 * 28 * 28)
    assert isinstance(model, HFModel)
    assert model.config.max_pixels == 512 * 28 * 28


def test_tiny_spec_uses_the_cache_directory(tiny_dir: Path, tmp_path: Path, monkeypatch, no_network) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_dir() == tmp_path
    shutil.copytree(tiny_dir, tmp_path / "tiny-qwen2vl")
    before = (tmp_path / "tiny-qwen2vl" / "model.safetensors").stat().st_mtime_ns
    model = load_model("tiny", device=None, dtype=None)  # None overrides are ignored
    assert model.name == "tiny"
    assert (tmp_path / "tiny-qwen2vl" / "model.safetensors").stat().st_mtime_ns == before  # reused, not rebuilt


def test_a_stale_tiny_build_is_replaced_and_a_foreign_directory_refused(tmp_path: Path) -> None:
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "qwen2vl-agent-tiny.json").write_text(json.dumps({"version": 0}))
    assert ensure_tiny_checkpoint(stale) == stale and (stale / "model.safetensors").is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ModelUnavailable, match="not a tiny checkpoint"):
        ensure_tiny_checkpoint(foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "stale"]  # no staging left behind


def test_scripted_spec(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(["✿FUNCTION✿: Home\n✿ARGS✿: {}"]))
    model = load_model(f"scripted:{script}")
    assert isinstance(model, ScriptedModel)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing", "no checkpoint directory"),
        (lambda d: d, "no config.json"),
        (lambda d: _write(d / "config.json", {"model_type": "qwen2_vl"}).parent, "no weights"),
    ],
    ids=["missing", "empty", "no-weights"],
)
def test_unusable_directories(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(ModelUnavailable, match=message) as info:
        load_model(str(make(tmp_path)))
    assert "Traceback" not in str(info.value)


def test_not_a_qwen2vl_checkpoint(tiny_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "llama"
    shutil.copytree(tiny_dir, other)
    config = json.loads((other / "config.json").read_text())
    _write(other / "config.json", {**config, "model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    with pytest.raises(ModelUnavailable, match="this backend runs Qwen2-VL"):
        load_model(str(other))


def test_uncached_hub_id_offline_says_what_to_download(tmp_path: Path, monkeypatch, no_network) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(ModelUnavailable) as info:
        load_model("Qwen/Qwen2-VL-2B-Instruct")
    message = str(info.value)
    assert "hf download Qwen/Qwen2-VL-2B-Instruct" in message and "--model tiny" in message


def test_unreachable_hub_fails_fast_with_the_same_advice(tmp_path: Path, monkeypatch) -> None:
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(ModelUnavailable, match=r"cannot be reached.*hf download Qwen/Qwen2-VL-7B-Instruct"):
        load_model("Qwen/Qwen2-VL-7B-Instruct")


@pytest.mark.parametrize(
    "overrides", [{"max_pixels": 10}, {"dtype": "float8"}, {"colour": "red"}, {"attn_implementation": "magic"}]
)
def test_bad_options_are_one_clear_error(tiny_dir: Path, overrides) -> None:
    with pytest.raises(ModelUnavailable, match="bad model options"):
        load_model(str(tiny_dir), **overrides)


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_a_cached_hub_model_loads_without_the_network(tiny_dir: Path, tmp_path: Path, monkeypatch) -> None:
    # Lay the tiny checkpoint out as the hub cache would hold "acme/tiny-vl".
    snapshot = tmp_path / "models--acme--tiny-vl" / "snapshots" / ("0" * 40)
    shutil.copytree(tiny_dir, snapshot)
    (tmp_path / "models--acme--tiny-vl" / "refs").mkdir()
    (tmp_path / "models--acme--tiny-vl" / "refs" / "main").write_text("0" * 40)

    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    model = load_model("acme/tiny-vl")
    assert isinstance(model, HFModel) and model.name == "acme/tiny-vl"
