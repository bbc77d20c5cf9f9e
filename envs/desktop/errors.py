"""The desktop's infrastructure errors: each message names the fix.

All are ``envs.base.EnvError`` subclasses (the run stops). Model mistakes on the desktop (an unknown key
name, a point outside every monitor, a paste that no text field took) are ``ActionRejected`` instead.

- ``DesktopUnavailable``: a Python or Debian package the desktop needs is missing (pyautogui, tkinter, mss).
- ``DisplayUnavailable``: there is no X display to talk to (DISPLAY unset, bad name, server not running).
  - ``XAuthorityError``: the X server refused us for lack of an authorization cookie.
- ``TypingUnavailable``: no typing method in the configured chain can deliver the text.
- ``FailSafeTriggered``: the user moved the pointer into a screen corner to stop the agent.
- ``envs.base.DeviceLost``: the X server went away during the run.
- ``envs.base.CaptureFailed``: a screenshot could not be taken while the server is still alive.
"""

from __future__ import annotations

from ..base import EnvError


class DesktopUnavailable(EnvError):
    """A package the desktop environment needs is not installed."""


class DisplayUnavailable(EnvError):
    """No usable X display: DISPLAY is unset or wrong, or the X server is not running."""


class XAuthorityError(DisplayUnavailable):
    """The X server requires an authorization cookie that we do not have."""


class TypingUnavailable(EnvError):
    """None of the configured typing methods can type the text."""


class FailSafeTriggered(EnvError):
    """The user moved the pointer into a screen corner (pyautogui's fail-safe gesture) to stop the agent."""
