"""Scripted automation: a ``Phone`` (and ``Desktop``) facade with selectors over the UI tree, waits without
sleeps, and vision steps through the model, every call recorded like an agent run.

    from qwen2vl_agent.agent.scripting import Phone, Selector

The ``sim_phone`` pytest fixture comes with the package (``pytest_plugin``, a ``pytest11`` entry point).
The names below load on first use, so pytest loading the plugin imports none of the envs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import AiAssertionError, Screen, Verdict
    from .cache import CachingModel, ReplyCache
    from .desktop import Desktop
    from .element import Element
    from .grounding import Box, VisionReplyError
    from .phone import Phone
    from .selector import ElementNotFound, Selector

_WHERE = {
    "AiAssertionError": "base", "Screen": "base", "Verdict": "base", "CachingModel": "cache", "ReplyCache": "cache",
    "Desktop": "desktop", "Element": "element", "Box": "grounding", "VisionReplyError": "grounding",
    "Phone": "phone", "ElementNotFound": "selector", "Selector": "selector",
}  # fmt: skip
__all__ = [
    "AiAssertionError", "Box", "CachingModel", "Desktop", "Element", "ElementNotFound", "Phone", "ReplyCache",
    "Screen", "Selector", "Verdict", "VisionReplyError",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
