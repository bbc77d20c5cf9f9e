"""``--model`` specs that name no backend are a setup error listing the accepted forms, never a hub lookup."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qwen2vl_agent.model import ModelUnavailable
from qwen2vl_agent.model.factory import load_model

NOT_SPECS = [
    "foo:bar",  # an unknown scheme
    "hf:Qwen/Qwen2-VL-2B-Instruct",
    "http://localhost:8000/v1",  # a server URL without openai:
    "vllm:Qwen/Qwen2-VL-7B-Instruct#qwen2vl",
    "Qwen/Qwen2-VL 2B",  # not a valid hub id
    "Qwen/--bad",
]


@pytest.mark.parametrize("spec", NOT_SPECS)
def test_a_spec_that_names_no_backend_lists_the_accepted_forms(spec: str, no_network) -> None:
    with pytest.raises(ModelUnavailable) as info:
        load_model(spec)
    message = str(info.value)
    assert repr(spec) in message
    for form in ("tiny", "scripted:FILE", "openai:URL[#MODEL]", "checkpoint directory", "Qwen/Qwen2-VL-2B-Instruct"):
        assert form in message
    assert "hf download" not in message


def test_an_unknown_scheme_loads_nothing_heavy(tmp_path: Path) -> None:
    import subprocess

    code = (
        "import sys\nfrom qwen2vl_agent.model import ModelUnavailable\n"
        "from qwen2vl_agent.model.factory import load_model\n"
        "try:\n    load_model('foo:bar')\nexcept ModelUnavailable:\n    pass\n"
        "print(sorted(m for m in ('torch', 'transformers', 'huggingface_hub') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_an_existing_path_with_a_colon_is_a_directory_not_a_scheme(tmp_path: Path) -> None:
    odd = tmp_path / "ckpt:v2"
    odd.mkdir()
    with pytest.raises(ModelUnavailable, match=r"no config\.json"):
        load_model(str(odd))


def test_one_parser_of_specs(tmp_path: Path, caplog) -> None:
    """The agent's load_model is the model package's: scripted:FILE and its warning about options included."""
    import json

    from qwen2vl_agent.agent import factory as agent_factory
    from qwen2vl_agent.model import factory as model_factory

    assert agent_factory.load_model is model_factory.load_model
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(["✿FUNCTION✿: Home\n✿ARGS✿: {}"]))
    agent_factory.load_model(f"scripted:{script}", max_pixels=1000)
    assert "the scripted model takes no options" in caplog.text
