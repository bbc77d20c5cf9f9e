"""Model dialects: each family's native GUI-agent protocol behind one interface (``base.Dialect``).

``DIALECTS`` names every dialect; ``get_dialect(name)`` builds one; ``choose_dialect(model, override)``
picks the one a model speaks (from its checkpoint's ``model_type`` and its name) and says why.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from .base import Dialect
from .qwen2vl import Qwen2VL, Qwen2VLInline
from .qwen3vl import Qwen3VL
from .qwen25vl import Qwen25VL
from .uitars import UITars

_CLASSES: dict[str, type[Dialect]] = {cls.name: cls for cls in (Qwen2VL, Qwen2VLInline, Qwen25VL, Qwen3VL, UITars)}
DialectName = Literal["qwen2vl", "qwen2vl-inline", "qwen25vl", "qwen3vl", "uitars"]
"""The dialects' names, as a type (the config's ``dialect`` field and its flag's choices)."""
DIALECTS: tuple[str, ...] = get_args(DialectName)
DEFAULT_DIALECT = "qwen2vl"

# checkpoint model_type -> dialect (config.json of a transformers checkpoint)
_BY_MODEL_TYPE = {"qwen2_vl": "qwen2vl", "qwen2_5_vl": "qwen25vl", "qwen3_vl": "qwen3vl", "qwen3_vl_moe": "qwen3vl"}
# name patterns, checked in order: a fine-tune's name says more than the architecture it shares
_BY_NAME = (
    (re.compile(r"ui[-_]?tars", re.IGNORECASE), "uitars"),
    (re.compile(r"qwen3[-_.]?vl", re.IGNORECASE), "qwen3vl"),
    (re.compile(r"qwen2[-_.]?5[-_.]?vl", re.IGNORECASE), "qwen25vl"),
    (re.compile(r"qwen2[-_.]?vl", re.IGNORECASE), "qwen2vl"),
)

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "Dialect", "DialectName", "choose_dialect", "get_dialect", "select_dialect"]


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``; ``ValueError`` lists the known ones."""
    try:
        return _CLASSES[name]()
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; one of {', '.join(DIALECTS)}") from None


def select_dialect(model_type: str | None, name: str, override: str | None = None) -> tuple[str, str]:
    """(dialect name, why) for a model with this checkpoint ``model_type`` and ``name``."""
    if override:
        get_dialect(override)
        return override, f"--dialect {override}"
    for pattern, dialect in _BY_NAME:
        if pattern.search(name) and dialect in _CLASSES and (dialect == "uitars" or model_type is None):
            return dialect, f"the model name {name!r} matches {pattern.pattern!r}"
    if model_type in _BY_MODEL_TYPE and _BY_MODEL_TYPE[model_type] in _CLASSES:
        return _BY_MODEL_TYPE[model_type], f"the checkpoint's model_type is {model_type!r}"
    return DEFAULT_DIALECT, f"no known family in model_type {model_type!r} or name {name!r}: the default"


def model_identity(model: Any) -> tuple[str | None, str]:
    """(checkpoint ``model_type`` or None, the name to match) of a loaded model: a transformers model's
    config, an OpenAI-compatible server's served model name, else the backend's name."""
    inner = getattr(model, "model", None)
    if isinstance(inner, str):  # OpenAI-compatible backend: the served model's name
        return None, inner
    model_type = getattr(getattr(inner, "config", None), "model_type", None)
    return (model_type if isinstance(model_type, str) else None), str(getattr(model, "name", ""))


def choose_dialect(model: Any, override: str | None = None) -> tuple[Dialect, str]:
    """The dialect ``model`` speaks (or ``override``), and why it was chosen."""
    name, why = select_dialect(*model_identity(model), override)
    return get_dialect(name), why
