"""Our actions as AndroidWorld ``JSONAction`` fields (``android_world/env/json_action.py``). Pure data.

AndroidWorld's action space is smaller than ours, so three mappings are approximations, said here once:

- ``Swipe`` has no free-form JSON action: it becomes ``scroll`` in the direction that reveals the content
  the finger pulls into view (finger up -> ``scroll down``), over the whole screen.
- ``Type`` becomes ``input_text`` without an element: AndroidWorld types into the focused field and then
  presses Enter.
- ``Wait`` becomes ``wait`` (AndroidWorld waits a fixed second). ``AppSwitch`` and the desktop actions
  have no equivalent and are rejected with a message for the model.

``Answer`` and ``Terminate`` map to ``answer`` and ``status`` (complete / infeasible): the adapter sends
the answer to the environment (AndroidWorld's information tasks read it from ``interaction_cache``) and
turns a termination into ``done``.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.envs import ActionRejected
from qwen2vl_agent.tools import (
    MOBILE_ACTIONS,
    Action,
    Answer,
    AppSwitch,
    Back,
    Click,
    DoubleClick,
    Drag,
    Enter,
    Home,
    Hotkey,
    LongPress,
    MoveTo,
    OpenApp,
    RightClick,
    Scroll,
    Swipe,
    Tap,
    Terminate,
    Type,
    Wait,
)

ACTIONS: tuple[type, ...] = tuple(cls for cls in MOBILE_ACTIONS if cls is not AppSwitch)
"""The actions the adapter offers the model (AndroidWorld has no app switcher)."""


def scroll_direction(start: tuple[int, int], end: tuple[int, int]) -> str:
    """The AndroidWorld scroll direction of a swipe: the opposite of the finger's main movement."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    if abs(dy) >= abs(dx):
        return "down" if dy < 0 else "up"
    return "right" if dx < 0 else "left"


def to_json_action(action: Action) -> dict[str, Any]:
    """The ``JSONAction`` keyword arguments for ``action`` (points in screen pixels, as AndroidWorld takes)."""
    match action:
        case Tap(point=(x, y)):
            return {"action_type": "click", "x": x, "y": y}
        case LongPress(point=(x, y)):
            return {"action_type": "long_press", "x": x, "y": y}
        case Swipe(start=start, end=end):
            return {"action_type": "scroll", "direction": scroll_direction(start, end)}
        case Type(text=text):
            return {"action_type": "input_text", "text": text}
        case Back():
            return {"action_type": "navigate_back"}
        case Home():
            return {"action_type": "navigate_home"}
        case Enter():
            return {"action_type": "keyboard_enter"}
        case OpenApp(name=name):
            return {"action_type": "open_app", "app_name": name}
        case Wait():
            return {"action_type": "wait"}
        case Answer(text=text):
            return {"action_type": "answer", "text": text}
        case Terminate(status=status):
            return {"action_type": "status", "goal_status": "complete" if status == "success" else "infeasible"}
        case AppSwitch():
            raise ActionRejected("AppSwitch is not available here; use Home and OpenApp instead.")
        case Click() | DoubleClick() | RightClick() | MoveTo() | Drag() | Scroll() | Hotkey():
            names = ", ".join(cls.tool_name() for cls in ACTIONS)
            raise ActionRejected(f"{action.type} is a desktop action; on this phone use one of: {names}.")
        case _:
            assert_never(action)
