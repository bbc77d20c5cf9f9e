"""Every way an episode of ``qwen2vl-agent run`` ends leaves a verdict: ``result.json``, a final report, and
an exit code that says which kind of ending it was.

``SignalGate`` turns SIGINT, SIGTERM and SIGHUP into ``KeyboardInterrupt`` - but never while a hook is
writing, so a step is on disk whole or not at all. ``run_to_end`` runs the episode through an
``EpisodeGuard`` that forwards the hooks' calls under the gate; the loop itself ends an episode cut short by a
signal (status ``interrupted``) or by a bug in the runtime (status ``error``, the exception named) with every
hook's ``on_end``, and the guard keeps that verdict. Only SIGKILL leaves no verdict (every finished step is on
disk all the same).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING

from .. import exit_codes
from ..records import DONE_STATUSES, EpisodeResult, Status, Step

if TYPE_CHECKING:
    from qwen2vl_agent.envs import Env, Observation

    from ..loop import Hook, LoopConfig
    from ..policy import QwenPolicy

log = logging.getLogger(__name__)

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def exit_code(status: Status) -> int:
    """The exit code of ``run`` for an episode that ended with ``status``."""
    if status in DONE_STATUSES:
        return exit_codes.DONE
    return {"error": exit_codes.FAULT, "interrupted": exit_codes.INTERRUPTED}.get(status, exit_codes.NOT_DONE)


class SignalGate:
    """While entered (in the main thread), a stop signal raises ``KeyboardInterrupt`` once - at once, or when
    the ``hold()`` block it came in ends. Further signals are only noted while the verdict is recorded and
    after it (``settle()``), except once inside ``teardown()``, to cut a slow teardown short. ``received`` is
    the first signal's name. Once a signal came, the stop signals stay ignored after the gate is left: the
    process is on its way out, and its exit code must be the one that says so."""

    def __init__(self) -> None:
        self.received: str | None = None
        self._held = 0
        self._quiet = False  # an interrupt was raised, or the verdict is recorded: do not raise again
        self._teardown = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> SignalGate:
        self._previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, signal.SIG_IGN if self.received else handler)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = self.received or signal.Signals(signum).name
        if self._held or (self._quiet and not self._teardown):
            return
        self._quiet, self._teardown = True, False
        raise KeyboardInterrupt(self.received)

    def settle(self) -> None:
        """The verdict is recorded: from now on a signal is only noted."""
        self._quiet = True

    @contextlib.contextmanager
    def teardown(self) -> Iterator[None]:
        """A block that one signal may interrupt even after the verdict (stopping a device that hangs). The
        interrupt ends the block, not the caller: it may come at any bytecode of the block, the first included."""
        try:
            self._teardown = True
            yield
        except KeyboardInterrupt:
            log.warning("a signal cut the teardown short")
        finally:
            self._teardown = False

    @contextlib.contextmanager
    def hold(self, *, deliver: bool = True) -> Iterator[None]:
        """Defer the stop signals during the block; with ``deliver``, raise for one that came meanwhile (or
        one whose ``KeyboardInterrupt`` was swallowed on the way: the next hook call raises it again)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        if deliver and self.received and not self._held:
            self._quiet = True
            raise KeyboardInterrupt(self.received)


class EpisodeGuard:
    """A loop hook in front of the real ones: forwards each call with signals held, and keeps the verdict the
    loop handed them. The loop ends every episode it began for its hooks (``interrupted`` and ``error``
    included); ``finish`` is for one that never began - a hook or the env failed at the start."""

    def __init__(self, task: str, hooks: Sequence[Hook], gate: SignalGate) -> None:
        self.hooks, self.gate, self.task = list(hooks), gate, task
        self.started = time.time()
        self.result: EpisodeResult | None = None

    def on_start(self, task: str, observation: Observation) -> None:
        with self.gate.hold():
            for hook in self.hooks:
                hook.on_start(task, observation)

    def on_step(self, step: Step, observation: Observation) -> None:
        with self.gate.hold():
            for hook in self.hooks:
                hook.on_step(step, observation)

    def on_end(self, result: EpisodeResult, observation: Observation | None) -> None:
        with self.gate.hold():
            for hook in self.hooks:
                hook.on_end(result, observation)
            self.result = result

    def finish(self, status: Status, reason: str) -> EpisodeResult:
        """End, for the hooks, an episode that never began (no step ran, no screenshot to keep)."""
        result = EpisodeResult(
            task=self.task, status=status, reason=reason, steps=0, duration_s=time.time() - self.started
        )
        with self.gate.hold(deliver=False):
            for hook in self.hooks:
                hook.on_end(result, None)
        self.result = result
        return result


def run_to_end(
    env: Env, policy: QwenPolicy, task: str, config: LoopConfig, hooks: Sequence[Hook], gate: SignalGate
) -> EpisodeResult:
    """``run_episode``, ended for the hooks whatever happens: a result is always returned and on disk."""
    from ..loop import run_episode

    guard = EpisodeGuard(task, hooks, gate)
    try:
        return run_episode(env, policy, task, config, [guard])
    except KeyboardInterrupt:
        if guard.result is not None:  # the episode had ended: its verdict stands
            return guard.result
        return guard.finish("interrupted", f"stopped by {gate.received or 'SIGINT'}")
    except Exception as e:
        log.info("the runtime failed during the episode", exc_info=True)
        if guard.result is not None:
            return guard.result
        return guard.finish("error", f"unexpected {type(e).__name__}: {e}")
    finally:
        gate.settle()
