"""The action vocabulary: frozen, strict, one discriminated union, a stable public contract."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from qwen2vl_agent.tools import (
    ACTION_ADAPTER,
    ACTION_TYPES,
    DESKTOP_ACTIONS,
    MOBILE_ACTIONS,
    Action,
    CallUser,
    DesktopAction,
    MobileAction,
    OpenApp,
    Tap,
    tool_spec,
)  # fmt: skip

# The public contract: names and required arguments (fine-tuned models and user scripts depend on them).
CONTRACT = {
    "Tap": ["point"], "LongPress": ["point"], "Swipe": ["start", "end"], "Type": ["text"], "Back": [],
    "Home": [], "Enter": [], "AppSwitch": [], "OpenApp": ["name"], "Wait": ["seconds"], "Answer": ["text"],
    "Terminate": ["status"], "CallUser": ["reason"], "Click": ["point"], "DoubleClick": ["point"], "RightClick": ["point"],
    "MoveTo": ["point"], "Drag": ["start", "end"], "Scroll": ["direction"], "Hotkey": ["keys"],
}  # fmt: skip


def test_contract() -> None:
    assert {cls.tool_name(): tool_spec(cls)["parameters"]["required"] for cls in ACTION_TYPES} == CONTRACT
    assert [c.tool_name() for c in MOBILE_ACTIONS] == [
        "Tap", "LongPress", "Swipe", "Type", "Back", "Home", "Enter", "AppSwitch", "OpenApp", "Wait", "Answer",
        "Terminate",
    ]  # fmt: skip
    assert {c.tool_name() for c in DESKTOP_ACTIONS} == {
        "Click", "DoubleClick", "RightClick", "MoveTo", "Drag", "Scroll", "Type", "Hotkey", "Wait", "Terminate",
    }  # fmt: skip


def test_the_tuples_are_the_unions_in_prompt_order() -> None:
    """Each class list is read off its union: the all-actions order is the phone's tools, then the desktop's
    that a phone lacks, then the hand-off action neither offers by default (the order tool sections and the
    parser's name lookup follow)."""
    assert get_args(MobileAction) == MOBILE_ACTIONS and get_args(DesktopAction) == DESKTOP_ACTIONS
    assert get_args(get_args(Action)[0]) == ACTION_TYPES
    desktop_only = tuple(c for c in DESKTOP_ACTIONS if c not in MOBILE_ACTIONS)
    assert MOBILE_ACTIONS + desktop_only + (CallUser,) == ACTION_TYPES
    assert [c.tool_name() for c in DESKTOP_ACTIONS] == [
        "Click", "DoubleClick", "RightClick", "MoveTo", "Drag", "Scroll", "Type", "Hotkey", "Wait", "Terminate",
    ]  # fmt: skip


def test_the_package_re_exports_every_action_and_each_public_name_once() -> None:
    """``qwen2vl_agent.tools`` re-exports the modules' ``__all__``: every action class by its tool name, every
    listed name bound, none listed twice."""
    from qwen2vl_agent import tools

    assert len(tools.__all__) == len(set(tools.__all__))
    assert all(hasattr(tools, name) for name in tools.__all__)
    assert {cls.tool_name() for cls in ACTION_TYPES} <= set(tools.__all__)
    assert all(getattr(tools, cls.__name__) is cls for cls in ACTION_TYPES)


def test_actions_are_frozen_and_strict() -> None:
    tap = Tap(point=(1, 2))
    with pytest.raises(ValidationError):
        tap.point = (3, 4)  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Tap(point=(1, 2), force=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Tap(point=(1, 2, 3))  # type: ignore[arg-type]


def test_union_round_trips_through_json() -> None:
    for action in (Tap(point=(1, 2)), OpenApp(name="Settings")):
        assert ACTION_ADAPTER.validate_json(action.model_dump_json()) == action
    assert ACTION_ADAPTER.validate_python({"type": "OpenApp", "name": "Clock"}) == OpenApp(name="Clock")


def test_tool_spec_schema_is_what_the_prompt_shows() -> None:
    assert tool_spec(Tap) == {
        "name": "Tap",
        "description": "Tap the screen at a point.",
        "parameters": {
            "type": "object",
            "properties": {
                "point": {
                    "type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2,
                    "description": "[x, y] coordinates of the point to tap",
                }
            },
            "required": ["point"],
        },
    }  # fmt: skip
