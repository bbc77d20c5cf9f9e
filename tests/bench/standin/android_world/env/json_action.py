"""``android_world.env.json_action`` as in d9c569f: ``JSONAction`` is a dataclass that validates itself."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

ANSWER = "answer"
CLICK = "click"
DOUBLE_TAP = "double_tap"
INPUT_TEXT = "input_text"
KEYBOARD_ENTER = "keyboard_enter"
LONG_PRESS = "long_press"
NAVIGATE_BACK = "navigate_back"
NAVIGATE_HOME = "navigate_home"
OPEN_APP = "open_app"
SCROLL = "scroll"
STATUS = "status"
SWIPE = "swipe"
UNKNOWN = "unknown"
WAIT = "wait"

_ACTION_TYPES = (CLICK, DOUBLE_TAP, SCROLL, SWIPE, INPUT_TEXT, NAVIGATE_HOME, NAVIGATE_BACK, KEYBOARD_ENTER, OPEN_APP,
                 STATUS, WAIT, LONG_PRESS, ANSWER, UNKNOWN)  # fmt: skip
_SCROLL_DIRECTIONS = ("left", "right", "down", "up")


@dataclasses.dataclass()
class JSONAction:
    action_type: str | None = None
    index: str | int | None = None
    x: int | None = None
    y: int | None = None
    text: str | None = None
    direction: str | None = None
    goal_status: str | None = None
    app_name: str | None = None
    keycode: str | None = None
    clear_text: bool | None = None

    def __post_init__(self) -> None:
        if self.action_type not in _ACTION_TYPES:
            raise ValueError(f"Invalid action type: {self.action_type}")
        if self.index is not None:
            self.index = int(self.index)
            if self.x is not None or self.y is not None:
                raise ValueError("Either an index or a <x, y> should be provided.")
        if self.direction and self.direction not in _SCROLL_DIRECTIONS:
            raise ValueError(f"Invalid scroll direction: {self.direction}")
        if self.text is not None and not isinstance(self.text, str):
            self.text = str(self.text)
        if self.keycode is not None and not self.keycode.startswith("KEYCODE_"):
            raise ValueError(f"Invalid keycode: {self.keycode}")

    def __eq__(self, other: object) -> bool:  # as the real one: app name and text compared without case
        if not isinstance(other, JSONAction):
            return False
        a, b = self.as_dict(), other.as_dict()
        for key in ("app_name", "text"):
            if isinstance(a.get(key), str) and isinstance(b.get(key), str):
                a[key], b[key] = a[key].lower(), b[key].lower()
        return a == b

    def as_dict(self, skip_none: bool = True) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def json_str(self) -> str:
        return json.dumps(self.as_dict(skip_none=True), separators=(",", ":"))
