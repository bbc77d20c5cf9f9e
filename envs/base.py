"""What every environment is: the ``Env`` interface, its records, its errors.

An environment owns a screen. ``observe()`` returns an ``Observation`` whose screenshot defines the pixel
space; ``execute(action)`` takes an action whose points are pixels of that screenshot (the agent maps the
model's coordinates before calling it, see ``tools.coords``) and returns an ``Outcome``.

Errors, and who sees them:

- ``tools.ModelError`` (and subclasses such as ``ActionRejected``): the model asked for something that
  cannot be done (an unknown app, a key that does not exist, a point outside every monitor). The agent
  shows the message to the model as the call's result.
- ``EnvError`` and subclasses: the environment itself failed (device gone, X server dead, capture failed).
  The agent stops the run with the message; finished steps are already on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from qwen2vl_agent.tools import Action, ModelError

if TYPE_CHECKING:
    from PIL.Image import Image


class EnvError(Exception):
    """The environment failed (infrastructure, not the model's fault); the run stops."""


class DeviceLost(EnvError):
    """The device or display went away or stopped answering within the time limit."""


class CaptureFailed(EnvError):
    """A screenshot could not be taken or decoded (or came back black: a failed or secure capture)."""


class ActionRejected(ModelError):
    """The action is well-formed but cannot be carried out here (told to the model, the run goes on)."""


@dataclass(frozen=True)
class Observation:
    """One look at the screen.

    ``screenshot`` is an RGB image; its size is the pixel space of the actions the env accepts.
    ``screen_size`` is the device's own size in its input units (equal to the screenshot size on phones;
    on a HiDPI desktop the screenshot may be larger than the pointer space).
    """

    screenshot: Image
    screen_size: tuple[int, int]
    timestamp: float = field(default_factory=time.time)
    foreground: str | None = None  # e.g. "com.android.settings/.Settings" or a window title
    ui_tree: str | None = None  # e.g. uiautomator XML, when asked for
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def image_size(self) -> tuple[int, int]:
        return self.screenshot.size


@dataclass(frozen=True)
class Outcome:
    """What executing one action did: a note for the model (may be empty) and the time spent settling."""

    message: str = ""
    settle_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Env(Protocol):
    """A screen the agent can look at and act on. Use it as a context manager.

    ``action_space``: the action classes this env accepts; the agent's prompt lists exactly these.
    ``reset()``: prepare for a new episode (wake the screen, ...) and return the first observation.
    ``observe()``: a fresh observation.
    ``execute(action)``: carry out one action given in screenshot pixels; raise ``ModelError`` for what the
    model should hear about, ``EnvError`` for faults.
    ``close()``: release everything; idempotent.
    """

    action_space: tuple[type, ...]

    def reset(self) -> Observation: ...

    def observe(self) -> Observation: ...

    def execute(self, action: Action) -> Outcome: ...

    def close(self) -> None: ...

    def __enter__(self) -> Env: ...

    def __exit__(self, *exc: object) -> None: ...


class EnvBase:
    """Context-manager and closed-state plumbing shared by the concrete environments.

    A subclass frees what it holds in ``_release()`` (called once, by the first ``close()``) and calls
    ``_check_open()`` before doing any work, so a closed env raises ``EnvError`` instead of touching a
    released device.
    """

    _closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release everything; later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        self._release()

    def _release(self) -> None:
        """Free the env's resources (once)."""

    def _check_open(self) -> None:
        if self._closed:
            raise EnvError(f"the {self._label()} is closed")

    def _label(self) -> str:
        return type(self).__name__
