"""Tiny Qwen2.5-VL and Qwen3-VL checkpoints (``make-tiny --arch``): built through the real transformers
classes, loaded by ``load_model`` and the transformers backend, replying through the checkpoint's own
generation settings, with every fast path equal to the plain one and ``image_size`` equal to what the real
processor produces."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
import transformers
from transformers import AutoConfig, AutoModelForImageTextToText, AutoProcessor

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.model import ImagePart, Message, ModelUnavailable, TextPart
from qwen2vl_agent.model.arches import ARCHES, spec
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.hf import HFModel
from qwen2vl_agent.model.patch_embed import use_linear_patch_embed
from qwen2vl_agent.model.tiny import is_tiny_checkpoint
from qwen2vl_agent.model.vision import PixelBudget

NEW = ("qwen2_5_vl", "qwen3_vl")
# Phone and desktop sizes, portrait and landscape, including ones that are not multiples of 28 or 32.
SCREENS = ((1080, 2400), (720, 1600), (1440, 3120), (1920, 1080), (1366, 768), (2560, 1440))
TOOL_REPLY = (
    'Thought: open the app.\n<tool_call>\n{"name": "mobile_use", "arguments": {"action": "click", '
    '"coordinate": [348, 291]}}\n</tool_call>'
)
# The Qwen3-VL-Instruct chat_template.json, as pinned by its published digest (see model/arches.py).
QWEN3VL_TEMPLATE_SHA256 = "3636d0f0bd6bef02654cdffdc447b79cb2cef8ab02cc75267345946291a489e4"


def _conversation(helpers: SimpleNamespace, image, task: str = "Task: open the settings.") -> list[Message]:
    system = Message.text("system", "You are a phone agent. Call one tool per step. " * 4)
    return [system, Message("user", (TextPart(task), ImagePart(image)))]


@pytest.mark.parametrize("arch", NEW)
def test_built_with_the_real_classes(arch: str, tiny_arch_dir, monkeypatch) -> None:
    path = tiny_arch_dir(arch)
    s = spec(arch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert is_tiny_checkpoint(path, arch) and not is_tiny_checkpoint(path)
    config = AutoConfig.from_pretrained(path)
    assert config.model_type == arch and type(config).__name__ == s.config_class
    model = AutoModelForImageTextToText.from_pretrained(path)
    assert type(model) is getattr(transformers, s.model_class)
    processor = AutoProcessor.from_pretrained(path)
    assert type(processor).__name__ == s.processor_class
    assert type(processor.video_processor).__name__ == s.video_processor_class
    assert processor.image_processor.patch_size == s.patch_size and processor.image_processor.merge_size == 2
    assert processor.chat_template == s.chat_template()


def test_qwen3vl_ships_the_official_template(tiny_arch_dir) -> None:
    text = (tiny_arch_dir("qwen3_vl") / "chat_template.jinja").read_text(encoding="utf-8")
    assert hashlib.sha256((text + "\n").encode()).hexdigest() == QWEN3VL_TEMPLATE_SHA256
    processor = AutoProcessor.from_pretrained(tiny_arch_dir("qwen3_vl"))
    tools = [{"type": "function", "function": {"name": "mobile_use", "parameters": {"type": "object"}}}]
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "S"}]},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image"}]},
    ]
    text = processor.apply_chat_template(messages, tools=tools, add_generation_prompt=True, tokenize=False)
    assert text.startswith("<|im_start|>system\nS\n\n# Tools\n\nYou may call one or more functions")
    assert '<tools>\n{"type": "function", "function": {"name": "mobile_use"' in text
    assert text.endswith(
        "<|im_start|>user\na<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize("arch", NEW)
def test_added_tokens_are_single_and_kept_when_decoding(arch: str, tiny_arch_dir) -> None:
    tok = AutoProcessor.from_pretrained(tiny_arch_dir(arch)).tokenizer
    assert len(tok) == 2048
    for token in spec(arch).added_tokens:
        ids = tok.encode(token)
        assert len(ids) == 1, token
        assert tok.decode(ids, skip_special_tokens=True) == token  # not special, as in the official tokenizer
    ids = tok.convert_tokens_to_ids(list(spec(arch).tokens))
    assert ids == list(range(2048 - len(ids), 2048))  # Qwen's order, after the ordinary tokens


@pytest.mark.parametrize("arch", NEW)
def test_loads_and_replies_through_its_generation_settings(arch: str, tiny_arch_dir, helpers) -> None:
    model = load_model(str(tiny_arch_dir(arch)))
    assert isinstance(model, HFModel)
    facts = model.describe()
    assert facts["model_type"] == arch and facts["patch_factor"] == spec(arch).factor
    with helpers.forced_reply(model, TOOL_REPLY + "<|im_end|>"):
        gen = model.generate(_conversation(helpers, helpers.noise(1080, 2400)), max_new_tokens=80)
    assert gen.text == TOOL_REPLY and gen.stop_reason == "eos"
    assert gen.image_sizes == [model.image_size(1080, 2400)]


@pytest.mark.parametrize("arch", ARCHES)
def test_image_size_is_what_the_real_processor_produces(arch: str, tiny_arch_dir, helpers) -> None:
    """At the agent budget (the backend's) and at the official one (the processor as saved)."""
    path = tiny_arch_dir(arch)
    model = load_model(str(path), prefix_cache=0, vision_cache=0)
    official = AutoProcessor.from_pretrained(path).image_processor
    size = official.size
    budget = PixelBudget(size["shortest_edge"], size["longest_edge"], official.patch_size * official.merge_size)
    patch = spec(arch).patch_size
    for w, h in SCREENS:
        image = helpers.noise(w, h)
        for processor, expected in (
            (model.processor.image_processor, model.image_size(w, h)),
            (official, budget.resize(w, h)),
        ):
            _, gh, gw = processor(images=[image], return_tensors="pt")["image_grid_thw"][0].tolist()
            assert (gw * patch, gh * patch) == expected, (arch, w, h)
        rw, rh = model.image_size(w, h)
        assert rw % spec(arch).factor == 0 and rh % spec(arch).factor == 0
        assert model.image_tokens(w, h) == (rw // spec(arch).factor) * (rh // spec(arch).factor)


@pytest.mark.parametrize("arch", NEW)
def test_fast_paths_equal_the_plain_path(arch: str, tiny_arch_dir, helpers) -> None:
    """Prefix cache, vision cache (Qwen3-VL's deepstack features included), linear patch embedding, static
    cache and left-padded batching each leave the greedy replies as the plain path gives them."""
    path = str(tiny_arch_dir(arch))
    conversations = [
        _conversation(helpers, helpers.noise(1080, 2400, 1)),
        _conversation(helpers, helpers.noise(1920, 1080, 2), "Task: send a message."),
    ]
    plain = load_model(path, prefix_cache=0, vision_cache=0, linear_patch_embed=False)
    expected = [plain.generate(c, max_new_tokens=12).text for c in conversations]
    assert expected[0] != expected[1]
    for options in ({}, {"static_cache": True}):
        fast = load_model(path, **options)
        for _ in range(2):  # the second round is served from the prefix and vision caches
            assert [fast.generate(c, max_new_tokens=12).text for c in conversations] == expected
            assert [g.text for g in fast.generate_batch(conversations, max_new_tokens=12)] == expected
        assert fast.prefix_cache.hits > 0 and fast.vision_cache.hits > 0


def test_qwen3vl_patch_embedding_with_bias_as_a_matmul(tiny_arch_dir) -> None:
    model = AutoModelForImageTextToText.from_pretrained(tiny_arch_dir("qwen3_vl"))
    embed = model.model.visual.patch_embed
    assert embed.proj.bias is not None
    patches = torch.randn(64, 3 * 2 * 16 * 16)
    with torch.inference_mode():
        conv = embed(patches)
        assert use_linear_patch_embed(model, True)
        linear = embed(patches)
        use_linear_patch_embed(model, False)
    torch.testing.assert_close(linear, conv, rtol=1e-4, atol=1e-4)  # float32 rounding of a 1536-term sum


def test_make_tiny_arch_and_info(tmp_path: Path, capsys) -> None:
    target = tmp_path / "q3"
    assert main(["model", "make-tiny", str(target), "--arch", "qwen3_vl"]) == 0
    assert "tiny Qwen3-VL checkpoint in" in capsys.readouterr().out
    assert main(["model", "info", "--model", str(target), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert facts["model_type"] == "qwen3_vl" and facts["patch_factor"] == 32
    assert facts["architecture"] == "Qwen3VLForConditionalGeneration"
    assert facts["phone 1080x2400"] == "seen as 672x1472, 966 image tokens"
    assert facts["desktop 1920x1080"] == "seen as 1312x736, 943 image tokens"
    # A directory built for one architecture is rebuilt, not reused, for another.
    assert main(["model", "make-tiny", str(target), "--arch", "qwen2_5_vl"]) == 0
    assert json.loads((target / "config.json").read_text())["model_type"] == "qwen2_5_vl"


def test_tiny_arch_spec(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QWEN2VL_AGENT_CACHE", str(tmp_path))
    model = load_model("tiny:qwen2_5_vl")
    assert model.describe()["model_type"] == "qwen2_5_vl" and (tmp_path / "tiny-qwen2_5_vl").is_dir()
    with pytest.raises(ModelUnavailable, match="tiny:ARCH takes one of qwen2_vl, qwen2_5_vl, qwen3_vl"):
        load_model("tiny:llava")
