"""A fake environment with scripted screens, so the whole loop runs anywhere.

``FakeEnv`` keeps a list of screens (PIL images) and a cursor. Every executed action is recorded in
``executed``; an action that changes the screen advances the cursor (``Wait``, ``Answer`` and
``Terminate`` do not), staying on the last screen once the script runs out. Screens can be given, or
generated: each generated screen is a solid colour with its index written on it, so consecutive screens
differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qwen2vl_agent.tools import MOBILE_ACTIONS, Action, Answer, Terminate, Wait

from .base import ActionRejected, EnvBase, EnvError, Observation, Outcome, ResetOptions, reset_options

if TYPE_CHECKING:
    from PIL.Image import Image

_PALETTE = [(32, 96, 160), (200, 80, 40), (40, 150, 90), (140, 60, 160), (220, 180, 40), (60, 60, 60)]


def make_screens(count: int, size: tuple[int, int] = (1080, 2400)) -> list[Image]:
    """``count`` distinct solid screens of ``size``, labelled with their index."""
    from PIL import Image, ImageDraw

    screens = []
    for i in range(count):
        img = Image.new("RGB", size, _PALETTE[i % len(_PALETTE)])
        draw = ImageDraw.Draw(img)
        draw.text((size[0] // 10, size[1] // 10), f"screen {i}", fill=(255, 255, 255))
        draw.rectangle((0, 0, i * 7 % size[0], 3), fill=(255, 255, 255))
        screens.append(img)
    return screens


class FakeEnv(EnvBase):
    """Scripted screens; records what it was asked to do.

    ``fail_on``: tool names whose execution raises ``EnvError`` (to test infrastructure faults).
    ``reject``: tool names whose execution raises ``ActionRejected`` (a mistake told to the model).
    ``static``: never advance the screen (to test no-progress detection).
    """

    def __init__(
        self,
        screens: Sequence[Image] | None = None,
        *,
        action_space: tuple[type, ...] = MOBILE_ACTIONS,
        fail_on: Sequence[str] = (),
        reject: Sequence[str] = (),
        static: bool = False,
    ) -> None:
        self.screens = list(screens) if screens is not None else make_screens(6)
        if not self.screens:
            raise ValueError("FakeEnv needs at least one screen")
        self.action_space = action_space
        self.fail_on = set(fail_on)
        self.reject = set(reject)
        self.static = static
        self.index = 0
        self.executed: list[Action] = []
        self.resets = 0
        self.seeds: list[int | None] = []  # the seed of every reset, in order

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """Back to the first screen, nothing executed. Options: ``start`` (the screen index to start on, 0 by
        default); ``seed`` is kept in ``seeds`` (the scripted screens need none)."""
        self._check_open()
        opts = reset_options(options, {"start": 0}, "fake env")
        self.seeds.append(seed)
        self.index = min(int(opts["start"]), len(self.screens) - 1)
        self.executed.clear()
        self.resets += 1
        return self.observe()

    def observe(self) -> Observation:
        self._check_open()
        screen = self.screens[self.index]
        return Observation(screenshot=screen, screen_size=screen.size, foreground="fake/.Screen")

    def execute(self, action: Action) -> Outcome:
        self._check_open()
        if type(action) not in self.action_space:
            raise TypeError(f"{type(action).__name__} is not in this env's action space")
        if action.type in self.fail_on:
            raise EnvError(f"fake failure while executing {action.type}")
        if action.type in self.reject:
            raise ActionRejected(f"{action.type} cannot be done on this screen")
        self.executed.append(action)
        if not self.static and not isinstance(action, (Wait, Answer, Terminate)):
            self.index = min(self.index + 1, len(self.screens) - 1)
        return Outcome()

    def _label(self) -> str:
        return "fake env"
