"""The action vocabulary: one frozen pydantic model per action, joined in one discriminated union.

Names and required arguments are a public contract (fine-tuned models and user scripts depend on them).
Each model's docstring is the tool description the model reads; each field's ``description`` is the
parameter description. The prompt's tool section is generated from these models (see
``tool_specs``), never written by hand.

Points are ``(x, y)`` integer pairs. Which space they live in depends on who made the action: a model's
point is in its coordinate convention (``tools.coords``), an action handed to an environment is in the
pixels of the screenshot that environment returned.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema

__all__ = [
    "ACTION_ADAPTER", "ACTION_TYPES", "DESKTOP_ACTIONS", "MOBILE_ACTIONS", "Action", "Answer", "AppSwitch", "Back",
    "CallUser", "Click", "DesktopAction", "DoubleClick", "Drag", "Enter", "Home", "Hotkey", "LongPress",
    "MobileAction", "MoveTo", "OpenApp", "Point", "RightClick", "Scroll", "Swipe", "Tap", "Terminate", "Type",
    "Wait", "action_by_name", "point_fields", "tool_spec", "tool_specs",
]  # fmt: skip

_NUMBER = re.compile(r"-?\d{1,400}(?:\.\d{1,400})?")


_LIMIT = 1_000_000_000  # larger than any screen in any convention; bigger numbers are not coordinates


def _coerce_point(value: Any) -> Any:
    """Accept the point spellings Qwen-family models produce.

    ``[x, y]``, ``(x, y)``, ``"(348,291)"``, ``"<|box_start|>(348,291)<|box_end|>"``, floats with an integral
    value, and a box ``[x1, y1, x2, y2]`` (its centre, rounded). Coordinates that are not integers
    (``[0.348, 0.291]``) or not finite are a ``ValueError`` for the model, never rounded; anything else is left
    for pydantic to reject with a field error.
    """
    if isinstance(value, str):
        numbers = _NUMBER.findall(value[:200])
        if len(numbers) in (2, 4):
            value = [float(n) for n in numbers]
        else:
            return value
    if isinstance(value, (list, tuple)) and len(value) in (2, 4) and all(_is_number(v) for v in value):
        for v in value:
            if not math.isfinite(v) or abs(v) > _LIMIT:
                raise ValueError(f"{v:g} is not a coordinate on any screen")
            if v != int(v):
                raise ValueError(f"coordinates must be integers, not fractions like {v:g}")
        if len(value) == 4:
            x1, y1, x2, y2 = value
            value = [(x1 + x2) / 2, (y1 + y2) / 2]
        return (round(value[0]), round(value[1]))
    return value


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_POINT_SCHEMA = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}

Point = Annotated[tuple[int, int], BeforeValidator(_coerce_point), WithJsonSchema(_POINT_SCHEMA)]
"""An ``(x, y)`` integer pair; schema: an array of two integers."""


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def tool_name(cls) -> str:
        return cls.model_fields["type"].default

    def arguments(self) -> dict[str, Any]:
        """The call's arguments as JSON-ready data (tuples become lists), without the ``type`` tag."""
        return self.model_dump(mode="json", exclude={"type"}, exclude_defaults=True)


# ---------------------------------------------------------------- mobile


class Tap(_Action):
    """Tap the screen at a point."""

    type: Literal["Tap"] = "Tap"
    point: Point = Field(description="[x, y] coordinates of the point to tap")


class LongPress(_Action):
    """Press and hold the screen at a point."""

    type: Literal["LongPress"] = "LongPress"
    point: Point = Field(description="[x, y] coordinates of the point to press")
    duration_ms: int = Field(1000, ge=300, le=10_000, description="how long to hold, in milliseconds")


class Swipe(_Action):
    """Swipe from one point to another, e.g. to scroll a list (swipe up to see what is below)."""

    type: Literal["Swipe"] = "Swipe"
    start: Point = Field(description="[x, y] coordinates where the finger goes down")
    end: Point = Field(description="[x, y] coordinates where the finger lifts")
    duration_ms: int = Field(300, ge=50, le=10_000, description="duration of the swipe, in milliseconds")


class Type(_Action):
    """Type text into the focused input field."""

    type: Literal["Type"] = "Type"
    text: str = Field(min_length=1, max_length=2000, description="the text to type")


class Back(_Action):
    """Press the Back button."""

    type: Literal["Back"] = "Back"


class Home(_Action):
    """Go to the home screen."""

    type: Literal["Home"] = "Home"


class Enter(_Action):
    """Press the Enter key (submit a search or a form)."""

    type: Literal["Enter"] = "Enter"


class AppSwitch(_Action):
    """Show the recent apps."""

    type: Literal["AppSwitch"] = "AppSwitch"


class OpenApp(_Action):
    """Open an app by its name, e.g. "Settings" or "Contacts"."""

    type: Literal["OpenApp"] = "OpenApp"
    name: str = Field(min_length=1, max_length=100, description="the app's name")


class Wait(_Action):
    """Wait for the screen to change, e.g. while something loads."""

    type: Literal["Wait"] = "Wait"
    seconds: float = Field(gt=0, le=60, description="how long to wait, in seconds")


class Answer(_Action):
    """Give the answer to a question about what is on the screen."""

    type: Literal["Answer"] = "Answer"
    text: str = Field(min_length=1, max_length=5000, description="the answer")


class Terminate(_Action):
    """End the task, saying whether it was completed successfully."""

    type: Literal["Terminate"] = "Terminate"
    status: Literal["success", "failure"] = Field(description='"success" or "failure"')


class CallUser(_Action):
    """Hand the device to the user for what only a person can do (a login, a CAPTCHA, a choice), and wait
    until they say it is done."""

    type: Literal["CallUser"] = "CallUser"
    reason: str = Field(min_length=1, max_length=500, description="what the user should do, and why")


# ---------------------------------------------------------------- desktop


class Click(_Action):
    """Click the left mouse button at a point."""

    type: Literal["Click"] = "Click"
    point: Point = Field(description="[x, y] coordinates of the point to click")


class DoubleClick(_Action):
    """Double-click the left mouse button at a point."""

    type: Literal["DoubleClick"] = "DoubleClick"
    point: Point = Field(description="[x, y] coordinates of the point to double-click")


class RightClick(_Action):
    """Click the right mouse button at a point."""

    type: Literal["RightClick"] = "RightClick"
    point: Point = Field(description="[x, y] coordinates of the point to right-click")


class MoveTo(_Action):
    """Move the mouse pointer to a point."""

    type: Literal["MoveTo"] = "MoveTo"
    point: Point = Field(description="[x, y] coordinates to move the pointer to")


class Drag(_Action):
    """Press the left mouse button at one point, move to another and release it."""

    type: Literal["Drag"] = "Drag"
    start: Point = Field(description="[x, y] coordinates where the drag starts")
    end: Point = Field(description="[x, y] coordinates where the drag ends")


class Scroll(_Action):
    """Scroll the mouse wheel; "down" shows what is further down."""

    type: Literal["Scroll"] = "Scroll"
    direction: Literal["up", "down", "left", "right"] = Field(description='"up", "down", "left" or "right"')
    point: Point | None = Field(None, description="[x, y] coordinates to scroll at (default: where the pointer is)")
    amount: int = Field(5, ge=1, le=50, description="how many wheel clicks")


class Hotkey(_Action):
    """Press a key or a key combination, e.g. ["ctrl", "c"] or ["enter"]."""

    type: Literal["Hotkey"] = "Hotkey"
    keys: list[str] = Field(min_length=1, max_length=5, description="key names pressed together, in order")


MobileAction = Union[Tap, LongPress, Swipe, Type, Back, Home, Enter, AppSwitch, OpenApp, Wait, Answer, Terminate]
"""What a phone accepts, in the order the prompt lists the tools."""
DesktopAction = Union[Click, DoubleClick, RightClick, MoveTo, Drag, Scroll, Type, Hotkey, Wait, Terminate]
"""What a desktop accepts, in the order the prompt lists the tools."""

HandOffAction = CallUser
"""Offered only where the run enables hand-off (``envs.safety.HandOff`` adds it to an env's action space), so
the default tool section stays as it is."""

Action = Annotated[Union[MobileAction, DesktopAction, HandOffAction], Field(discriminator="type")]
"""Every action, discriminated by ``type`` (the tool name): the two unions joined (a union of unions is
flattened, each class once, in first-seen order)."""

# The tuples are read off the unions above, so a new action is spelled in exactly one place.
MOBILE_ACTIONS: tuple[type[_Action], ...] = get_args(MobileAction)
DESKTOP_ACTIONS: tuple[type[_Action], ...] = get_args(DesktopAction)
ACTION_TYPES: tuple[type[_Action], ...] = get_args(get_args(Action)[0])

ACTION_ADAPTER: TypeAdapter[Any] = TypeAdapter(Action)


def action_by_name(name: str) -> type[_Action]:
    """The action class whose tool name is exactly ``name``; KeyError otherwise."""
    for cls in ACTION_TYPES:
        if cls.tool_name() == name:
            return cls
    raise KeyError(name)


def point_fields(cls: type[_Action]) -> tuple[str, ...]:
    """Names of the fields of ``cls`` that hold points (for coordinate mapping)."""
    return tuple(n for n, f in cls.model_fields.items() if _is_point_annotation(f.annotation))


def _is_point_annotation(annotation: Any) -> bool:
    return annotation in (tuple[int, int], tuple[int, int] | None)


def tool_spec(cls: type[_Action]) -> dict[str, Any]:
    """The tool's description in Qwen-Agent's function format: name, description, JSON-schema parameters."""
    schema = cls.model_json_schema()
    properties = {}
    for key, prop in schema.get("properties", {}).items():
        if key == "type" and "const" in prop:
            continue  # the union tag, not an argument
        properties[key] = _clean_property(prop)
    required = [k for k in schema.get("required", []) if k in properties]
    return {
        "name": cls.tool_name(),
        "description": (cls.__doc__ or "").strip(),
        "parameters": {"type": "object", "properties": properties, "required": required},
    }


_KEY_ORDER = ("type", "items", "enum", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum",
              "exclusiveMaximum", "minLength", "maxLength", "description")  # fmt: skip


def _clean_property(prop: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's presentation keys (title, default), flatten ``X | None`` to ``X``, order keys as
    JSON-schema is usually written (type first, description last), as in Qwen-Agent's examples."""
    if "anyOf" in prop:
        options = [o for o in prop["anyOf"] if o.get("type") != "null"]
        if len(options) == 1:
            prop = {**options[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    kept = {k: v for k, v in prop.items() if k not in ("title", "default")}
    rank = {k: i for i, k in enumerate(_KEY_ORDER)}
    return dict(sorted(kept.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def tool_specs(actions: tuple[type[_Action], ...]) -> list[dict[str, Any]]:
    return [tool_spec(cls) for cls in actions]
