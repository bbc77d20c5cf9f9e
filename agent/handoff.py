"""Safety and hand-off on the terminal: what ``run --confirm``, ``--policy`` and ``--call-user`` put around the
env (``envs.safety``). The Python API passes its own callbacks to ``Guarded`` and ``HandOff`` instead."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from qwen2vl_agent.envs import Env
from qwen2vl_agent.envs.safety import Guarded, HandOff, SafetyPolicy, Verdict


def terminal_confirm(stdin: TextIO | None = None, stderr: TextIO | None = None):
    """A ``Confirm`` that asks on the terminal; anything but y/yes (end of input included) is a no."""

    def confirm(verdict: Verdict) -> bool:
        out = stderr or sys.stderr
        where = f" in {verdict.app}" if verdict.app else ""
        on = f" on {verdict.text!r}" if verdict.text else ""
        print(f"confirm: {verdict.action}{on}{where} - {verdict.reason} (rule {verdict.rule}). Allow? [y/N] ",
              end="", file=out, flush=True)  # fmt: skip
        answer = (stdin or sys.stdin).readline().strip().lower()
        return answer in ("y", "yes")

    return confirm


def terminal_ask(stdin: TextIO | None = None, stderr: TextIO | None = None):
    """The hand-off on the terminal: the model's reason, then wait for Enter (and whatever the person types)."""

    def ask(reason: str) -> str:
        out = stderr or sys.stderr
        print(f"the agent needs you: {reason}\nDo it on the device, then press Enter (optionally say what you did): ",
              end="", file=out, flush=True)  # fmt: skip
        return (stdin or sys.stdin).readline()

    return ask


def guard(env: Env, *, policy: Path | None, confirm: bool, call_user: bool) -> Env:
    """``env`` wrapped as the options say: a policy (``--policy``, or the default one with ``--confirm``) whose
    ``confirm`` rules ask on the terminal with ``--confirm`` (and are denied without it), then ``CallUser``."""
    if policy is not None or confirm:
        env = Guarded(env, SafetyPolicy.load(policy), terminal_confirm() if confirm else None)
    if call_user:
        env = HandOff(env, terminal_ask())
    return env
