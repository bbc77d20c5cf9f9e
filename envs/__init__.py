"""Where actions run: the ``Env`` interface, a fake, and the concrete environments in subpackages
(``sim``: the simulated phone, ``android``: phones over ADB, ``desktop``: mouse and keyboard,
``tasks``: benchmark episodes). Subpackages are imported where used; nothing heavy loads here."""

from . import screen
from .base import (
    NO_HAND_OFF,
    ActionRejected,
    CaptureFailed,
    DeviceLost,
    Env,
    EnvBase,
    EnvError,
    Observation,
    Outcome,
    ResetOptions,
    reset_options,
)
from .check import EnvCheckError, check_env
from .fake import FakeEnv, make_screens
from .wrappers import Wrapper

__all__ = [
    "NO_HAND_OFF", "ActionRejected", "CaptureFailed", "DeviceLost", "Env", "EnvBase", "EnvCheckError", "EnvError",
    "FakeEnv", "Observation", "Outcome", "ResetOptions", "Wrapper", "check_env", "make_screens", "reset_options",
    "screen",
]  # fmt: skip
