"""Scripted automation: a ``Phone`` (and ``Desktop``) facade with selectors over the UI tree, waits without
sleeps, and vision steps through the model, every call recorded like an agent run.

    from qwen2vl_agent.agent.scripting import Phone, Selector

The ``sim_phone`` pytest fixture comes with the package (``pytest_plugin``). Importing this package starts
nothing; the simulated phone and the model load when used.
"""

from .base import AiAssertionError, Screen, Verdict
from .cache import CachingModel, ReplyCache
from .desktop import Desktop
from .element import Element
from .grounding import Box, VisionReplyError
from .phone import Phone
from .selector import ElementNotFound, Selector

__all__ = [
    "AiAssertionError", "Box", "CachingModel", "Desktop", "Element", "ElementNotFound", "Phone", "ReplyCache",
    "Screen", "Selector", "Verdict", "VisionReplyError",
]  # fmt: skip
