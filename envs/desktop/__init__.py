"""The Linux desktop (X11) as an environment: mss screenshots, pyautogui mouse, exact Unicode typing.

``DesktopEnv(display=None, monitor=1, ...)`` is the entry point; ``VirtualDisplay`` starts a private Xvfb
for headless runs. Nothing heavy is imported here: pyautogui, mss and python-xlib load when an env is
built (``python -X importtime -c "import qwen2vl_agent.envs.desktop"`` shows none of them).
"""

from .capture import Capture, MssCapture
from .env import DesktopEnv
from .errors import DesktopUnavailable, DisplayUnavailable, FailSafeTriggered, TypingUnavailable, XAuthorityError
from .geometry import Monitor, OffScreen, ScreenMap
from .keys import resolve_key
from .textinput import DEFAULT_TYPING, TYPING_METHODS, TypingMethod
from .x11input import DesktopInput
from .xvfb import VirtualDisplay

__all__ = [
    "DEFAULT_TYPING", "TYPING_METHODS", "Capture", "DesktopEnv", "DesktopInput", "DesktopUnavailable",
    "DisplayUnavailable", "FailSafeTriggered", "Monitor", "MssCapture", "OffScreen", "ScreenMap",
    "TypingMethod", "TypingUnavailable", "VirtualDisplay", "XAuthorityError", "resolve_key",
]  # fmt: skip
