"""Our actions as what AndroidWorld executes (``android_world/env/json_action.py``, ``env/actuation.py``). Pure data.

Each action becomes one command, exact wherever AndroidWorld's env can do exactly what the model asked:

- ``Json``: a ``JSONAction`` for ``execute_action`` (tap, typing, keys, opening apps, answers, status).
- ``AdbSwipe``: ``Swipe`` and ``LongPress`` keep their points and duration: they run as AndroidWorld's own adb
  swipe command (``adb_utils.generate_swipe_command``) through the env's controller. AndroidWorld's JSON
  ``scroll``/``swipe`` only go from the screen centre to an edge, and its ``long_press`` holds a fixed second.
- ``Pause``: ``Wait`` sleeps the seconds asked (AndroidWorld's ``wait`` is a fixed second).

Two are AndroidWorld's and described so in the tool section (``TOOL_NOTES``): ``Type`` becomes
``input_text`` without an element (AndroidWorld types into the focused field, drops what is not ASCII,
then presses Enter), and ``OpenApp`` takes the names AndroidWorld knows or a package name (the env adapter
refuses others, where AndroidWorld would run ``monkey -p NAME`` and fail silently). ``AppSwitch`` and the
desktop actions have no equivalent and are rejected with a message for the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.envs import NO_HAND_OFF, ActionRejected
from qwen2vl_agent.tools import MOBILE_ACTIONS, Action
from qwen2vl_agent.tools import actions as A

ACTIONS: tuple[type, ...] = tuple(cls for cls in MOBILE_ACTIONS if cls is not A.AppSwitch)
"""The actions the adapter offers the model (AndroidWorld has no app switcher)."""

TOOL_NOTES: dict[str, str] = {
    "Type": "Types text into the focused input field, then presses Enter (AndroidWorld always does). Only ASCII "
    "is typed: accents are dropped (é becomes e) and other characters are left out.",
    "OpenApp": 'Open an app by its name, e.g. "Settings", "Chrome", "Clock" or "Contacts", or by its package '
    'name, e.g. "com.android.settings".',
}
"""Tool descriptions for this env, where AndroidWorld does something other than the generic description says."""


@dataclass(frozen=True)
class Json:
    """A ``JSONAction`` with these fields."""

    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AdbSwipe:
    """``adb shell input swipe`` from ``start`` to ``end`` over ``duration_ms`` (a long press when equal)."""

    start: tuple[int, int]
    end: tuple[int, int]
    duration_ms: int


@dataclass(frozen=True)
class Pause:
    seconds: float


Command = Json | AdbSwipe | Pause


def to_command(action: Action) -> Command:
    """What AndroidWorld runs for ``action`` (points in screen pixels, as AndroidWorld takes them)."""
    match action:
        case A.Tap(point=(x, y)):
            return Json({"action_type": "click", "x": x, "y": y})
        case A.LongPress(point=point, duration_ms=ms):
            return AdbSwipe(point, point, ms)
        case A.Swipe(start=start, end=end, duration_ms=ms):
            return AdbSwipe(start, end, ms)
        case A.Type(text=text):
            return Json({"action_type": "input_text", "text": text})
        case A.Back():
            return Json({"action_type": "navigate_back"})
        case A.Home():
            return Json({"action_type": "navigate_home"})
        case A.Enter():
            return Json({"action_type": "keyboard_enter"})
        case A.OpenApp(name=name):
            return Json({"action_type": "open_app", "app_name": name})
        case A.Wait(seconds=seconds):
            return Pause(seconds)
        case A.Answer(text=text):
            return Json({"action_type": "answer", "text": text})
        case A.Terminate(status=status):
            return Json({"action_type": "status", "goal_status": "complete" if status == "success" else "infeasible"})
        case A.AppSwitch():
            raise ActionRejected("AppSwitch is not available here; use Home and OpenApp instead.")
        case A.Click() | A.DoubleClick() | A.RightClick() | A.MoveTo() | A.Drag() | A.Scroll() | A.Hotkey():
            names = ", ".join(cls.tool_name() for cls in ACTIONS)
            raise ActionRejected(f"{action.type} is a desktop action; on this phone use one of: {names}.")
        case A.CallUser():  # offered only by the hand-off wrapper, which answers it before the env
            raise ActionRejected(NO_HAND_OFF)
        case _:
            assert_never(action)
