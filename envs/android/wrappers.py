"""The settle wait and the UI tree as wrappers around ``AndroidEnv``, and the env its config asks for.

``AndroidEnv`` acts and captures, nothing more. What a run wants around that is a wrapper (``envs.wrappers``):

- ``Settle(env, policy)``: after each action (but ``Wait``), wait until the screen stops changing
  (``settle.SettleWait``), and hand the frame the wait ended on on as the next observation, so a static
  screen costs at most one capture beyond the observation, and that capture *is* the observation; where the
  device gives its page-flip count, none: the count says nothing was composed since the kept frame. What
  the wait cost is in ``Outcome.settle_s`` and ``Outcome.extra["settle"]``.
- ``WithUITree(env)``: every observation carries the ``uiautomator dump`` XML (``Observation.ui_tree``).

``open_android(...)`` (or ``wrap(AndroidEnv(...))``) composes them from the env's ``AndroidConfig``
(``settle``, ``reuse_settled_s``, ``ui_tree``): ``WithUITree(Settle(AndroidEnv))``. The tree is dumped
outside the settle wrapper, after it has decided whether its frame still stands for the screen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qwen2vl_agent.tools import Action
from qwen2vl_agent.tools import actions as A

from .. import base
from ..wrappers import Wrapper
from .settle import Settled, SettlePolicy, SettleWait

if TYPE_CHECKING:
    from .capture import Capture
    from .env import AndroidEnv

log = logging.getLogger(__name__)


class Settle(Wrapper):
    """Waits for the screen to settle after each action; the settled frame is the next observation.

    ``env`` is the ``AndroidEnv`` itself (the wrapper grabs frames from its capturer, reads the page-flip
    count or frame timestamps from its device, and builds the observation from a frame with
    ``AndroidEnv.observe(frame)``).
    ``reuse_s``: the settled frame stands for a fresh capture at most this long after the wait, and only
    if no command reached the device since (e.g. through ``env.device`` directly); 0: always capture afresh.
    """

    def __init__(self, env: AndroidEnv, policy: SettlePolicy, *, reuse_s: float = 0.5) -> None:
        super().__init__(env)
        self.android = env
        self.reuse_s = reuse_s
        device = env.device
        self.settle_wait = SettleWait(policy, env.capturer.grab, device.latest_frame, page_flips=device.page_flips)
        self.last_settle: Settled | None = None  # what the last settle wait cost
        self._settled: tuple[Capture, float, int] | None = None  # (frame, when, device.calls) of the last wait

    def reset(self, *, seed: int | None = None, options: base.ResetOptions | None = None) -> base.Observation:
        self._settled = None
        self.settle_wait.forget()  # the reset changes the screen behind the wait's back
        return self.env.reset(seed=seed, options=options)

    def observe(self) -> base.Observation:
        frame = self._settled_frame()  # before any other command is sent
        return self.android.observe(frame) if frame is not None else self.env.observe()

    def execute(self, action: Action) -> base.Outcome:
        self._settled = None
        self.last_settle = None
        outcome = self.env.execute(action)
        if isinstance(action, A.Wait):  # the model asked to wait: it has waited
            return outcome
        settled = self._wait()
        if not settled.waited_s:
            return outcome
        s = settled
        cost = {"signal": s.signal, "frames": s.frames, "probes": s.probes, "settled": s.settled}
        return replace(outcome, settle_s=s.waited_s, extra={**outcome.extra, "settle": cost})

    def _wait(self) -> Settled:
        """Wait until the screen stops changing; keep the frame it ended on for the ``observe()`` that normally
        follows at once. (Frames come straight from the capturer: a transition may pass through a black
        frame, which is no error here.)"""
        settled, frame = self.settle_wait.wait()
        self.last_settle = settled
        if settled.settled:
            self._settled = (frame, time.monotonic(), self.android.device.calls)
        else:
            log.info("screen still changing %.1f s after the action", settled.waited_s)
        return settled

    def _settled_frame(self) -> Capture | None:
        """The frame the last wait ended on, if it can stand for a fresh capture (used once only)."""
        kept, self._settled = self._settled, None
        if kept is None or self.reuse_s <= 0 or kept[2] != self.android.device.calls:
            return None
        if time.monotonic() - kept[1] > self.reuse_s or kept[0].is_black():
            return None
        return kept[0]


class WithUITree(Wrapper):
    """Adds the UI hierarchy (``uiautomator dump`` XML) to every observation, ``reset``'s included.

    When uiautomator keeps failing the observation goes out without it (``ui_tree`` None and
    ``extra["ui_tree_error"]``): the tree is an optional extra, the screenshot still makes a valid step. A
    lost device still raises ``DeviceLost``.
    """

    def reset(self, *, seed: int | None = None, options: base.ResetOptions | None = None) -> base.Observation:
        return self._with_tree(self.env.reset(seed=seed, options=options))

    def observe(self) -> base.Observation:
        return self._with_tree(self.env.observe())

    def _with_tree(self, obs: base.Observation) -> base.Observation:
        android = self.unwrapped
        try:
            return replace(obs, ui_tree=android.device.ui_dump())
        except base.DeviceLost:
            raise
        except base.EnvError as e:
            log.warning("%s: no UI tree this step: %s", android.serial, e)
            return replace(obs, extra={**obs.extra, "ui_tree_error": str(e)})


def wrap(env: AndroidEnv) -> base.Env:
    """``env`` with the wrappers its config asks for: ``Settle`` when ``config.settle`` is set (reusing the
    settled frame per ``config.reuse_settled_s``), then ``WithUITree`` when ``config.ui_tree``."""
    config = env.config
    wrapped: base.Env = env
    if config.settle is not None:
        wrapped = Settle(env, config.settle, reuse_s=config.reuse_settled_s)
    if config.ui_tree:
        wrapped = WithUITree(wrapped)
    return wrapped


def open_android(serial: str | None = None, **kwargs: Any) -> base.Env:
    """An ``AndroidEnv`` as its config asks for it: ``wrap(AndroidEnv(serial, **kwargs))``. The arguments are
    the constructor's (``host``, ``port``, ``config`` or ``AndroidConfig`` fields, ``transport``).
    ``open_android("emulator-5554")`` reads well at call sites; use it as a context manager."""
    from .env import AndroidEnv

    return wrap(AndroidEnv(serial, **kwargs))
