"""Text and images in, text out. Backends: ``scripted`` (replays replies), ``hf`` (transformers,
in-process), ``openai`` (an OpenAI-compatible server such as vLLM). Heavy backends are imported where
used; importing this package loads neither torch nor transformers."""

from .base import (
    Generation,
    ImagePart,
    Message,
    Model,
    ModelFailed,
    ModelUnavailable,
    Part,
    TextPart,
    ToolCall,
    cut_at_stop,
)
from .scripted import ScriptedModel

__all__ = [
    "Generation", "ImagePart", "Message", "Model", "ModelFailed", "ModelUnavailable", "Part", "ScriptedModel",
    "TextPart", "ToolCall", "cut_at_stop",
]  # fmt: skip
