"""``SimEnv``: the Android environment on a simulated phone, whose ``reset(seed=N)`` rebuilds the phone.

A real device cannot be seeded; the simulated one can, so the seed goes to the phone (``SimPhone.reset``)
before the Android environment prepares the screen. The same seed gives the same start state, screen for
screen (``envs.check.check_env(..., seeds=...)`` checks it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import Observation, ResetOptions
from ..wrappers import Wrapper

if TYPE_CHECKING:
    from .phone import SimPhone


class SimEnv(Wrapper):
    """``AndroidEnv`` on ``phone`` through its adb server, with the wrappers its config asks for
    (``android.open_android``); ``options`` are ``AndroidConfig`` fields."""

    def __init__(self, phone: SimPhone, **options: Any) -> None:
        from ..android import open_android

        self.phone = phone
        super().__init__(open_android(phone.serial, host=phone.adb_host, port=phone.adb_port, **options))

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """With a ``seed``, the phone is first rebuilt from it (apps, data, screen); None keeps its state.
        ``options`` are the Android env's (``wake``, ``dismiss_keyguard``, ``disable_animations``)."""
        if seed is not None and not self.env.closed:  # a closed env raises EnvError below, untouched
            self.phone.reset(seed=seed)
        return self.env.reset(seed=seed, options=options)
