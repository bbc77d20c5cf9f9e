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
from collections.abc import Mapping
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


NO_HAND_OFF = "CallUser is not available here: no person is standing by to take the device."
"""What an env answers ``CallUser`` with: only the hand-off wrapper (``agent.handoff``) offers it and answers it
before the env; without it the model is told so."""


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


ResetOptions = Mapping[str, Any]
"""What ``reset(options=...)`` takes: named per env (e.g. ``{"wake": False}`` on Android, ``{"task": t}`` for
``tasks.TaskEnv``); an env refuses a name it does not know (``ValueError``)."""


@runtime_checkable
class Env(Protocol):
    """A screen the agent can look at and act on, with Gymnasium's contract. Use it as a context manager.

    Behaviour around the calls (stepping a task's setup in, re-seeding a simulator, a step limit) is a
    wrapper (``envs.wrappers.Wrapper``), not a flag of the env.
    """

    action_space: tuple[type, ...]
    """The action classes (members of ``tools.MobileAction``/``tools.DesktopAction``) this env accepts; the
    agent's prompt offers exactly these. ``Answer``/``Terminate`` are in it but handled by the agent."""

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """Put the env in a known state for a new episode and return its first observation.

        Args:
            seed: make the start state reproducible where the env can (a simulated phone is rebuilt from it;
                a real device or desktop cannot be seeded and ignores it). None: keep the current state.
            options: per-env reset options, e.g. ``{"wake": False, "disable_animations": True}`` on Android.

        Returns:
            The first ``Observation`` of the episode.

        Raises:
            ValueError: an option this env does not know.
            EnvError: the env could not be prepared (device gone, screen locked with a PIN...).
        """
        ...

    def observe(self) -> Observation:
        """A fresh look at the screen.

        Returns:
            An ``Observation`` whose screenshot defines the pixel space of the next action.

        Raises:
            EnvError: the capture failed (``CaptureFailed``), the device is gone (``DeviceLost``), or the
                env is closed.
        """
        ...

    def execute(self, action: Action) -> Outcome:
        """Carry out one action, its points given in pixels of the last screenshot.

        Args:
            action: one of ``action_space`` (never ``Answer``/``Terminate``, which the agent handles).

        Returns:
            An ``Outcome``: a note for the model (may be empty) and the seconds spent settling.

        Raises:
            ModelError: the model asked for what cannot be done here (``ActionRejected``); told to the model.
            EnvError: the env failed; the run stops.
            TypeError: an action the env never accepts (a bug of the caller).
        """
        ...

    def close(self) -> None:
        """Release everything; idempotent. Later ``observe``/``execute`` raise ``EnvError``."""
        ...

    def __enter__(self) -> Env: ...

    def __exit__(self, *exc: object) -> None: ...


def reset_options(options: ResetOptions | None, known: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``known`` (each name's default) updated with ``options``; ``ValueError`` names an unknown option."""
    given = dict(options or {})
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown reset option(s) {', '.join(unknown)}; known: {', '.join(known) or 'none'}")
    return {**known, **given}


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
