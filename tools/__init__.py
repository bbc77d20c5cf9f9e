"""The action vocabulary and coordinate geometry: pure data, no I/O, imports nothing else of ours."""

from .actions import (
    ACTION_ADAPTER,
    ACTION_TYPES,
    DESKTOP_ACTIONS,
    MOBILE_ACTIONS,
    Action,
    Answer,
    AppSwitch,
    Back,
    Click,
    DesktopAction,
    DoubleClick,
    Drag,
    Enter,
    Home,
    Hotkey,
    LongPress,
    MobileAction,
    MoveTo,
    OpenApp,
    Point,
    RightClick,
    Scroll,
    Swipe,
    Tap,
    Terminate,
    Type,
    Wait,
    action_by_name,
    point_fields,
    tool_spec,
    tool_specs,
)
from .coords import (
    CONVENTIONS,
    DEFAULT_CONVENTION,
    Convention,
    Frame,
    PointOutOfRange,
    from_screen,
    map_action,
    to_screen,
)
from .errors import ModelError

__all__ = [
    "ACTION_ADAPTER", "ACTION_TYPES", "CONVENTIONS", "DEFAULT_CONVENTION", "DESKTOP_ACTIONS", "MOBILE_ACTIONS",
    "Action", "Answer", "AppSwitch", "Back", "Click", "Convention", "DesktopAction", "DoubleClick", "Drag",
    "Enter", "Frame", "Home", "Hotkey", "LongPress", "MobileAction", "ModelError", "MoveTo", "OpenApp",
    "Point", "PointOutOfRange", "RightClick", "Scroll", "Swipe", "Tap", "Terminate", "Type", "Wait",
    "action_by_name", "from_screen", "map_action", "point_fields", "to_screen", "tool_spec", "tool_specs",
]  # fmt: skip
