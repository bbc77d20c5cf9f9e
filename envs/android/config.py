"""``AndroidConfig``: every knob of the Android environment, as typed data (unknown keys are errors)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .device import Timeouts
from .retry import RetryPolicy
from .settle import SettlePolicy


class AndroidConfig(BaseModel):
    """Options of ``AndroidEnv``; the defaults suit a real phone.

    ``capture``: ``auto`` (raw screencap, PNG if raw cannot be parsed), ``raw`` or ``png``.
    ``display_id``: passed to ``screencap -d`` on multi-display devices.
    ``settle``: how to wait for the screen to settle after an action; None to not wait.
    ``reuse_settled_s``: ``observe()`` right after an action returns the frame the settle wait ended on when
    it is at most this old, instead of capturing again (0: always capture afresh).
    ``ui_tree``: add the ``uiautomator dump`` XML to every observation (slow: 1-3 s on phones).
    These three are applied by wrappers (``wrappers.Settle``, ``wrappers.WithUITree``) that ``wrap(env)`` and
    ``open_android(...)`` compose from the config; a bare ``AndroidEnv`` neither waits nor dumps the tree.
    ``foreground``: read the focused app on every observation.
    ``keyboard``: ``auto``, ``input`` or ``adbkeyboard`` (see ``text_entry``); ``text_chunk``: characters
    per ``input text`` call. ``check_typing``: before ``Type``, find the focused text field in the UI tree
    (none: the model is told to tap one, nothing is typed), and read it back after (two UI dumps per ``Type``);
    turn off for apps whose fields the UI tree does not show (games, some custom views).
    ``wake_on_reset``, ``dismiss_keyguard``: prepare the screen in ``reset()``.
    ``disable_animations``: set the three animation scales to 0 in ``reset()``, restored on ``close()``.
    ``wake_on_black``: if a frame is black because the screen went off mid-episode, wake it and retry once.
    ``app_labels``: extra app names for ``OpenApp``, ``{"Simple Calendar Pro": "com.simplemobiletools..."}``
    (Android's shell cannot tell launcher labels; the alias table covers common apps).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    capture: Literal["auto", "raw", "png"] = "auto"
    display_id: str | None = None
    settle: SettlePolicy | None = Field(default_factory=SettlePolicy)
    reuse_settled_s: float = Field(0.5, ge=0)
    ui_tree: bool = False
    foreground: bool = True
    keyboard: Literal["auto", "input", "adbkeyboard"] = "auto"
    text_chunk: int = Field(64, ge=2, le=1000)
    check_typing: bool = True
    wake_on_reset: bool = True
    dismiss_keyguard: bool = True
    disable_animations: bool = False
    wake_on_black: bool = True
    app_labels: dict[str, str] = Field(default_factory=dict)
    timeouts: Timeouts = Field(default_factory=Timeouts)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
