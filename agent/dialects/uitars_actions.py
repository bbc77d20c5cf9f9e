"""UI-TARS's action space mapped onto our action union, both ways.

``to_actions(call, space, frame)`` reads one call (``uitars_syntax.CallText``) into our actions (one call
can be two: ``type(content='x\\n')`` types and then submits; ``finished(content='x')`` answers and then
ends); ``write_action(action, desktop)`` writes one of ours in UI-TARS-1.5's syntax. Points stay in the
dialect's convention on both sides. The outcomes:

- ``finished()`` is ``Terminate("success")``; with ``content``, an ``Answer`` first (where answers exist).
- ``call_user()`` ("call the user when the task is unsolvable, or when you need the user's help") is
  ``Terminate("failure")``: the run ends as a failure, the reply says why; it never counts as success.
- mobile ``scroll(point, direction)`` "shows more information on the direction side": a swipe from the
  point against that direction over half the screen; desktop ``scroll`` is our wheel ``Scroll``.
"""

from __future__ import annotations

import difflib

from pydantic import ValidationError
from typing_extensions import assert_never

from qwen2vl_agent.tools import Action, Frame, ModelError
from qwen2vl_agent.tools import actions as A

from .uitars_syntax import CallText, quote

MOBILE_VERBS = (
    "click", "long_press", "type", "scroll", "open_app", "drag", "press_home", "press_back", "finished", "wait",
    "call_user",
)  # fmt: skip
DESKTOP_VERBS = (
    "click", "left_double", "right_single", "drag", "hotkey", "type", "scroll", "wait", "finished", "call_user",
)  # fmt: skip
_KEYS = {"arrowleft": "left", "arrowright": "right", "arrowup": "up", "arrowdown": "down", "space": "space"}
_MOBILE_KEYS: dict[str, type[Action]] = {"enter": A.Enter, "back": A.Back, "home": A.Home, "app_switch": A.AppSwitch}
WAIT_SECONDS = 5.0  # "Sleep for 5s and take a screenshot"
_POINT_KEYS = ("point", "start_box", "start_point")
_END_KEYS = ("end_point", "end_box")


def _point(call: CallText, keys: tuple[str, ...] = _POINT_KEYS) -> str:
    for key in keys:
        if call.arguments.get(key, "").strip():
            return call.arguments[key]
    raise ModelError(f"The action {call.name}() needs {keys[0]}='<point>x y</point>'.")


def _text(call: CallText, key: str) -> str:
    return call.arguments.get(key, "")


def _typed(content: str, submit: Action) -> list[Action]:
    """``type(content=...)``: a trailing newline (or the escape written literally) submits."""
    for ending in ("\\n", "\n"):
        if content.endswith(ending):
            body = content[: -len(ending)]
            return [A.Type(text=body), submit] if body else [submit]
    if not content:
        raise ModelError("The action type() needs content='the text'.")
    return [A.Type(text=content)]


def _finished(call: CallText, answers: bool) -> list[Action]:
    content = _text(call, "content").strip()
    return (
        [A.Answer(text=content), A.Terminate(status="success")]
        if content and answers
        else [A.Terminate(status="success")]
    )


def _extent(frame: Frame, axis: int) -> int:
    match frame.convention:
        case "rel1000":
            return 1000
        case "rel999" | "norm999":
            return 999
        case "abs_resized":
            return frame.model_image[axis]
        case "abs_screen":
            return frame.screen[axis]
        case _:
            assert_never(frame.convention)


def _swipe_for_scroll(point: tuple[int, int], direction: str, frame: Frame) -> A.Swipe:
    """The finger moves against ``direction`` by half the screen, so content on that side comes into view."""
    dx, dy = {"down": (0, -1), "up": (0, 1), "right": (-1, 0), "left": (1, 0)}[direction]
    width, height = _extent(frame, 0), _extent(frame, 1)
    x, y = point
    end = (min(width - 1, max(0, x + dx * width // 2)), min(height - 1, max(0, y + dy * height // 2)))
    return A.Swipe(start=point, end=end)


def _direction(call: CallText) -> str:
    direction = _text(call, "direction").strip().lower()
    if direction not in ("up", "down", "left", "right"):
        raise ModelError(f"scroll() needs direction='down', 'up', 'left' or 'right', not {direction!r}.")
    return direction


def mobile_actions(call: CallText, frame: Frame) -> list[Action]:
    match call.name:
        case "click" | "left_single":
            return [A.Tap(point=_point(call))]
        case "long_press":
            return [A.LongPress(point=_point(call))]
        case "type":
            return _typed(_text(call, "content"), A.Enter())
        case "scroll":
            if any(call.arguments.get(k) for k in _END_KEYS):  # UI-TARS v1: scroll(start_box, end_box)
                return [A.Swipe(start=_point(call), end=_point(call, _END_KEYS))]
            start = A.Tap(point=_point(call)).point if _point_or_none(call) else _centre(frame)
            return [_swipe_for_scroll(start, _direction(call), frame)]
        case "drag":
            return [A.Swipe(start=_point(call), end=_point(call, _END_KEYS))]
        case "open_app":
            return [A.OpenApp(name=_text(call, "app_name"))]
        case "press_home":
            return [A.Home()]
        case "press_back":
            return [A.Back()]
        case "press_enter":
            return [A.Enter()]
        case "hotkey" | "press" if _text(call, "key").strip().lower() in _MOBILE_KEYS:
            return [_MOBILE_KEYS[_text(call, "key").strip().lower()]()]
        case "wait":
            return [A.Wait(seconds=WAIT_SECONDS)]
        case "finished":
            return _finished(call, answers=True)
        case "call_user":
            return [A.Terminate(status="failure")]
    raise _unknown(call.name, MOBILE_VERBS)


def _point_or_none(call: CallText) -> bool:
    return any(call.arguments.get(k, "").strip() for k in _POINT_KEYS)


def _centre(frame: Frame) -> tuple[int, int]:
    return _extent(frame, 0) // 2, _extent(frame, 1) // 2


def desktop_actions(call: CallText, frame: Frame) -> list[Action]:
    clicks: dict[str, type[A.Click | A.DoubleClick | A.RightClick | A.MoveTo]] = {
        "click": A.Click, "left_single": A.Click, "left_double": A.DoubleClick, "right_single": A.RightClick,
        "hover": A.MoveTo,
    }  # fmt: skip
    if call.name in clicks:
        return [clicks[call.name](point=_point(call))]
    match call.name:
        case "drag" | "select":
            return [A.Drag(start=_point(call), end=_point(call, _END_KEYS))]
        case "hotkey" | "press":
            keys = [_KEYS.get(k, k) for k in _text(call, "key").lower().split()]
            if not keys:
                raise ModelError("hotkey() needs key='ctrl c' (keys split by spaces).")
            return [A.Hotkey(keys=keys)]
        case "type":
            return _typed(_text(call, "content"), A.Hotkey(keys=["enter"]))
        case "scroll":
            point = A.Click(point=_point(call)).point if _point_or_none(call) else None
            return [A.Scroll(direction=_direction(call), point=point)]  # type: ignore[arg-type]
        case "wait":
            return [A.Wait(seconds=WAIT_SECONDS)]
        case "finished":
            return _finished(call, answers=False)
        case "call_user":
            return [A.Terminate(status="failure")]
    raise _unknown(call.name, DESKTOP_VERBS)


def to_actions(call: CallText, frame: Frame, *, desktop: bool) -> list[Action]:
    """Our actions for one UI-TARS call (``ModelError`` for the model when it is not one)."""
    try:
        return desktop_actions(call, frame) if desktop else mobile_actions(call, frame)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ModelError(f"The action {call.name}(): {where}: {first['msg']}.") from None


def _unknown(name: str, verbs: tuple[str, ...]) -> ModelError:
    close = difflib.get_close_matches(name, verbs, n=2, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return ModelError(f'Unknown action "{name}".{hint} Available actions: {", ".join(verbs)}.')


def _p(point: tuple[int, int]) -> str:
    return f"'<point>{point[0]} {point[1]}</point>'"


def write_action(action: Action) -> str:
    """One of our actions in UI-TARS-1.5's syntax (``Answer`` as ``finished(content=...)``)."""
    match action:
        case A.Tap(point=p) | A.Click(point=p):
            return f"click(point={_p(p)})"
        case A.LongPress(point=p):
            return f"long_press(point={_p(p)})"
        case A.Swipe(start=a, end=b) | A.Drag(start=a, end=b):
            return f"drag(start_point={_p(a)}, end_point={_p(b)})"
        case A.Type(text=text):
            return f"type(content={quote(text)})"
        case A.Enter():
            return "type(content='\\n')"
        case A.Back():
            return "press_back()"
        case A.Home():
            return "press_home()"
        case A.AppSwitch():
            return "hotkey(key='app_switch')"
        case A.OpenApp(name=name):
            return f"open_app(app_name={quote(name)})"
        case A.Wait():
            return "wait()"
        case A.Answer(text=text):
            return f"finished(content={quote(text)})"
        case A.Terminate(status="success"):
            return "finished()"
        case A.Terminate():
            return "call_user()"
        case A.DoubleClick(point=p):
            return f"left_double(point={_p(p)})"
        case A.RightClick(point=p):
            return f"right_single(point={_p(p)})"
        case A.MoveTo(point=p):
            return f"hover(point={_p(p)})"
        case A.Scroll(direction=d, point=p):
            return f"scroll(point={_p(p)}, direction='{d}')" if p else f"scroll(direction='{d}')"
        case A.Hotkey(keys=keys):
            return f"hotkey(key={quote(' '.join(keys))})"
        case A.CallUser():
            return "call_user()"
        case _:
            assert_never(action)
