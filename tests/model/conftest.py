"""Shared fixtures: the tiny checkpoint, built once per test session into a temporary directory (never
a pre-existing cache), and loaded through the same factory and backend as a real checkpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import ensure_tiny_checkpoint, load_model
from qwen2vl_agent.model.hf import HFModel


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_tiny_checkpoint(tmp_path_factory.mktemp("cache") / "tiny-qwen2vl")


@pytest.fixture(scope="session")
def tiny_model(tiny_dir: Path) -> HFModel:
    model = load_model(str(tiny_dir))
    assert isinstance(model, HFModel)
    return model


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """A random RGB screenshot (never time or compare on all-zero inputs)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def conversation(image: Image.Image | None = None, task: str = "Task: open the settings.") -> list[Message]:
    parts: tuple = (TextPart(task),) + ((ImagePart(image),) if image is not None else ())
    return [Message.text("system", "You are a phone agent."), Message("user", parts)]


@contextlib.contextmanager
def forced_reply(model: HFModel, reply: str, context: int = 3) -> Iterator[list[int]]:
    """Make the real model greedily say ``reply`` after the generation prompt, then restore it.

    Uses the checkpoint's own ``generation_config.sequence_bias`` (a standard transformers setting that
    a checkpoint could ship): each reply token gets +100 after the ``context`` tokens that precede it.
    Nothing in the backend knows about this. Yields the reply's token ids.
    """
    tok = model.tokenizer
    ids = tok.encode(reply)
    seq = tok.encode("<|im_start|>assistant\n")[-context:] + ids
    rules: dict[tuple[int, ...], int] = {}
    for i in range(context, len(seq)):
        key = tuple(seq[i - context : i])
        if rules.setdefault(key, seq[i]) != seq[i]:
            raise ValueError(f"{reply!r} repeats a {context}-token context with different successors")
    saved = model.model.generation_config.sequence_bias
    model.model.generation_config.sequence_bias = [[[*key, nxt], 100.0] for key, nxt in rules.items()]
    try:
        yield ids
    finally:
        model.model.generation_config.sequence_bias = saved


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """The helpers above, for test modules (which cannot import conftest under importlib mode)."""
    return SimpleNamespace(noise=noise, conversation=conversation, forced_reply=forced_reply)
