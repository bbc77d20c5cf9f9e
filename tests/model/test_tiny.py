"""The tiny checkpoint: standard files, Qwen's special tokens and chat template, loadable offline by the
real transformers classes, and a deterministic build."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from transformers import AutoModelForImageTextToText, AutoProcessor, Qwen2VLConfig, Qwen2VLForConditionalGeneration

from qwen2vl_agent.model.tiny import SPECIAL_TOKENS, VOCAB_SIZE, build_tiny_checkpoint, is_tiny_checkpoint

MARKERS = ("✿FUNCTION✿", "✿ARGS✿", "✿RESULT✿", "✿RETURN✿")


@pytest.fixture(scope="module")
def processor(tiny_dir: Path):
    return AutoProcessor.from_pretrained(tiny_dir, local_files_only=True)


def test_standard_files(tiny_dir: Path) -> None:
    names = {p.name for p in tiny_dir.iterdir()}
    assert {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json"} <= names
    assert {"processor_config.json", "chat_template.jinja"} <= names
    assert is_tiny_checkpoint(tiny_dir)


def test_loads_offline_with_the_real_classes(tiny_dir: Path, monkeypatch, processor) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = AutoModelForImageTextToText.from_pretrained(tiny_dir)
    assert isinstance(model, Qwen2VLForConditionalGeneration)
    assert isinstance(model.config, Qwen2VLConfig)
    text = model.config.text_config
    assert text.hidden_size // text.num_attention_heads == 2 * sum(text.rope_parameters["mrope_section"])
    assert model.config.vision_config.hidden_size == text.hidden_size
    assert type(processor).__name__ == "Qwen2VLProcessor"
    assert type(processor.image_processor).__name__ == "Qwen2VLImageProcessor"
    assert processor.video_processor is not None  # the standard processor, video section included


def test_special_tokens_in_qwen_order(processor, tiny_dir: Path) -> None:
    tok = processor.tokenizer
    ids = tok.convert_tokens_to_ids(list(SPECIAL_TOKENS))
    assert ids == list(range(VOCAB_SIZE - len(SPECIAL_TOKENS), VOCAB_SIZE))
    assert len(tok) == VOCAB_SIZE
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    config = json.loads((tiny_dir / "config.json").read_text())
    assert config["image_token_id"] == tok.convert_tokens_to_ids("<|image_pad|>")
    assert config["vision_start_token_id"] == tok.convert_tokens_to_ids("<|vision_start|>")
    generation = json.loads((tiny_dir / "generation_config.json").read_text())
    assert sorted(generation["eos_token_id"]) == sorted(tok.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"]))


@pytest.mark.parametrize("marker", MARKERS)
def test_markers_tokenize_compactly_and_round_trip(processor, marker: str) -> None:
    tok = processor.tokenizer
    ids = tok.encode(f"{marker}: ")
    assert len(ids) <= 3
    assert tok.decode(ids) == f"{marker}: "


def test_chat_template_renders_images_in_place(processor) -> None:
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "S"}]},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]},
    ]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == (
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\na<|vision_start|><|image_pad|><|vision_end|>b"
        "<|im_end|>\n<|im_start|>assistant\n"
    )


def test_build_is_deterministic(tiny_dir: Path, tmp_path: Path) -> None:
    again = build_tiny_checkpoint(tmp_path / "again")

    def digest(d: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}

    assert digest(again) == digest(tiny_dir)
