"""``AndroidWorldEnv``: an AndroidWorld environment (``android_world.env.interface.AsyncEnv``) as our ``Env``.

Observations come from AndroidWorld's state (``pixels``, an RGB array of the screen); actions go out as
``mapping`` says: ``JSONAction``s through ``execute_action``, exact swipes and presses as AndroidWorld's adb
swipe command through the env's controller, waits as a sleep here. AndroidWorld is imported only when an
action is first carried out.

Several calls in one reply are one AndroidWorld step: the harness pauses before each step's screenshot, not
between the calls. So the adapter settles before every action that follows another without a look at the
screen in between (``settle``; ``QwenAgent`` passes AndroidWorld's own transition pause or stable wait).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.envs import ActionRejected, EnvBase, EnvError, Observation, Outcome, ResetOptions, reset_options
from qwen2vl_agent.tools import Action

from .mapping import ACTIONS, AdbSwipe, Command, Json, Pause, to_command

_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+")


def observation_from_state(state: Any, screen_size: tuple[int, int] | None = None) -> Observation:
    """Our ``Observation`` of an AndroidWorld ``State`` (its ``pixels`` array is the screenshot)."""
    from PIL import Image

    image = Image.fromarray(state.pixels).convert("RGB")
    return Observation(screenshot=image, screen_size=screen_size or image.size)


def app_known(name: str) -> bool:
    """Whether AndroidWorld's ``adb_utils.launch_app`` can open ``name``: one of its default apps, a name its
    activity table matches, or a package name (which it hands to ``monkey -p``)."""
    from android_world.env import adb_utils

    defaults = getattr(adb_utils, "_DEFAULT_URIS", {})
    return name in defaults or adb_utils.get_adb_activity(name) is not None or bool(_PACKAGE.fullmatch(name))


class AndroidWorldEnv(EnvBase):
    """Wraps ``aw_env`` (replaceable: ``QwenAgent`` points it at the agent's current env).

    ``settle()`` runs before an action that follows another with no observation between them (none by
    default); ``sleep`` carries out ``Wait``.
    """

    action_space = ACTIONS

    def __init__(
        self, aw_env: Any, *, settle: Callable[[], None] | None = None, sleep: Callable[[float], Any] = time.sleep
    ) -> None:
        self.aw_env = aw_env
        self.settle = settle
        self.sleep = sleep
        self._closed = False
        self._unseen = False  # an action ran since the last observation
        self._image_size: tuple[int, int] | None = None  # the last screenshot's size: the actions' pixel space

    def screen_size(self) -> tuple[int, int] | None:
        size = getattr(self.aw_env, "logical_screen_size", None)
        return tuple(size) if size else None  # type: ignore[return-value]

    def reset(self, *, seed: int | None = None, options: ResetOptions | None = None) -> Observation:
        """The current screen; the episode's reset (go home, clear state, seeding) is AndroidWorld's own
        business, so ``seed`` is ignored and no options are taken."""
        reset_options(options, {}, "AndroidWorld env")
        return self.observe()

    def observe(self) -> Observation:
        self._check_open()
        return self.observation_of(self.aw_env.get_state(wait_to_stabilize=False))

    def observation_of(self, state: Any) -> Observation:
        """``state`` (fetched by the harness) as our observation; the actions before it have been seen."""
        self._unseen = False
        obs = observation_from_state(state, self.screen_size())
        self._image_size = obs.screenshot.size
        return obs

    def execute(self, action: Action) -> Outcome:
        self._check_open()
        command = self._to_screen(to_command(action))
        settle_s = self._settle()
        self._run(command)
        self._unseen = True
        return Outcome(settle_s=settle_s)

    def answer(self, text: str) -> None:
        """Hand the agent's answer to AndroidWorld (its information tasks read ``interaction_cache``)."""
        self._check_open()
        self._run(Json({"action_type": "answer", "text": text}))

    def close(self) -> None:
        self._closed = True  # the AndroidWorld env belongs to its runner, which closes it

    def _run(self, command: Command) -> None:
        match command:
            case Json(fields={"action_type": "open_app", "app_name": name}) if not app_known(name):
                raise ActionRejected(
                    f"There is no app named {name!r} here; use the name shown on the home screen or in the app "
                    "drawer (e.g. Settings, Chrome, Clock, Contacts), or the app's package name."
                )
            case Json(fields=fields):
                from android_world.env import json_action

                self.aw_env.execute_action(json_action.JSONAction(**fields))
            case AdbSwipe(start=(x1, y1), end=(x2, y2), duration_ms=ms):
                from android_world.env import adb_utils

                adb_utils.issue_generic_request(
                    adb_utils.generate_swipe_command(x1, y1, x2, y2, ms), self.aw_env.controller
                )
            case Pause(seconds=seconds):
                self.sleep(seconds)
            case _:
                assert_never(command)

    def _to_screen(self, command: Command) -> Command:
        """``command`` with its points moved from screenshot pixels (the actions' space) to AndroidWorld's
        logical screen, which its adb commands take; a point off the screenshot goes back to the model."""
        match command:
            case Json(fields={"x": x, "y": y} as fields):
                x, y = self._point((x, y))
                return Json({**fields, "x": x, "y": y})
            case AdbSwipe(start=start, end=end, duration_ms=ms):
                return AdbSwipe(self._point(start), self._point(end), ms)
            case _:
                return command

    def _point(self, point: tuple[int, int]) -> tuple[int, int]:
        screen = self.screen_size()
        image = self._image_size or screen
        if image is None:  # nothing seen and no logical size: AndroidWorld's pixels are all we have
            return point
        x, y = point
        if not (0 <= x < image[0] and 0 <= y < image[1]):
            raise ActionRejected(f"The point [{x}, {y}] is outside the {image[0]}x{image[1]} screen.")
        if screen is None or screen == image:
            return point
        return min(x * screen[0] // image[0], screen[0] - 1), min(y * screen[1] // image[1], screen[1] - 1)

    def _settle(self) -> float:
        if not (self._unseen and self.settle):
            return 0.0
        started = time.perf_counter()
        self.settle()
        return time.perf_counter() - started

    def _check_open(self) -> None:
        if self._closed:
            raise EnvError("the AndroidWorld environment adapter is closed")
