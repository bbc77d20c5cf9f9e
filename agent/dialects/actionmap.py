"""The ``mobile_use`` / ``computer_use`` action space of the Qwen2.5-VL / Qwen3-VL tool-call family, both ways.

``to_actions(tool, arguments)`` reads one call's arguments into our actions (``ModelError`` for the model
when it cannot); ``to_arguments(action)`` writes one of our actions as that tool's arguments. Points pass
through unchanged: they are in the dialect's convention on both sides.
"""

from __future__ import annotations

import difflib
from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.tools import Action, ModelError
from qwen2vl_agent.tools import actions as A

MOBILE_VERBS = ("key", "click", "long_press", "swipe", "type", "system_button", "open", "wait", "terminate", "answer")
DESKTOP_VERBS = (
    "key", "type", "mouse_move", "left_click", "left_click_drag", "right_click", "double_click", "scroll", "wait",
    "terminate",
)  # fmt: skip
_BUTTONS: dict[str, type[Action]] = {"back": A.Back, "home": A.Home, "enter": A.Enter, "menu": A.AppSwitch}


def _need(arguments: dict[str, Any], key: str, verb: str) -> Any:
    if arguments.get(key) in (None, ""):
        raise ModelError(f'The action "{verb}" needs the argument "{key}".')
    return arguments[key]


def _button(value: Any) -> Action:
    name = str(value).strip().lower().removeprefix("keycode_")
    if name not in _BUTTONS:
        raise ModelError(f'The button "{value}" is not available here: use Back, Home, Menu or Enter.')
    return _BUTTONS[name]()


def _seconds(arguments: dict[str, Any], default: float) -> float:
    value = arguments.get("time", default)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def mobile_action(arguments: dict[str, Any]) -> Action:
    verb = str(arguments.get("action", ""))
    match verb:
        case "click":
            return A.Tap(point=_need(arguments, "coordinate", verb))
        case "long_press":
            ms = min(10_000, max(300, round(_seconds(arguments, 1.0) * 1000)))
            return A.LongPress(point=_need(arguments, "coordinate", verb), duration_ms=ms)
        case "swipe":
            return A.Swipe(start=_need(arguments, "coordinate", verb), end=_need(arguments, "coordinate2", verb))
        case "system_button":
            return _button(_need(arguments, "button", verb))
        case "key":
            return _button(_need(arguments, "text", verb))
        case "open":
            return A.OpenApp(name=_need(arguments, "text", verb))
        case "answer":
            return A.Answer(text=_need(arguments, "text", verb))
    return _shared(verb, arguments, MOBILE_VERBS)


def desktop_action(arguments: dict[str, Any]) -> Action:
    verb = str(arguments.get("action", ""))
    clicks: dict[str, type[A.Click | A.DoubleClick | A.RightClick | A.MoveTo]] = {
        "left_click": A.Click, "double_click": A.DoubleClick, "right_click": A.RightClick, "mouse_move": A.MoveTo,
    }  # fmt: skip
    if verb in clicks:
        return clicks[verb](point=_need(arguments, "coordinate", verb))
    match verb:
        case "left_click_drag":
            return A.Drag(start=_need(arguments, "start_coordinate", verb), end=_need(arguments, "coordinate", verb))
        case "scroll":
            pixels = _need(arguments, "pixels", verb)
            if not isinstance(pixels, int | float) or isinstance(pixels, bool) or pixels == 0:
                raise ModelError('The action "scroll" needs a non-zero number "pixels" (positive scrolls up).')
            amount = min(50, max(1, round(abs(pixels))))
            return A.Scroll(direction="up" if pixels > 0 else "down", point=arguments.get("coordinate"), amount=amount)
        case "key":
            keys = _need(arguments, "keys", verb)
            return A.Hotkey(keys=[keys] if isinstance(keys, str) else keys)
    return _shared(verb, arguments, DESKTOP_VERBS)


def _shared(verb: str, arguments: dict[str, Any], verbs: tuple[str, ...]) -> Action:
    """The verbs ``mobile_use`` and ``computer_use`` both have, read the same way; else the unknown-verb error."""
    match verb:
        case "type":
            return A.Type(text=_need(arguments, "text", verb))
        case "wait":
            return A.Wait(seconds=min(60.0, max(0.1, _seconds(arguments, 2.0))))
        case "terminate":
            return A.Terminate(status=_need(arguments, "status", verb))
    raise _unknown(verb, verbs)


def _unknown(verb: str, verbs: tuple[str, ...]) -> ModelError:
    close = difflib.get_close_matches(verb, verbs, n=2, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return ModelError(f'Unknown action "{verb}".{hint} Available actions: {", ".join(verbs)}.')


def to_arguments(action: Action) -> dict[str, Any]:
    """One of our actions as ``mobile_use`` / ``computer_use`` arguments (points as lists)."""
    match action:
        case A.Tap(point=p):
            return {"action": "click", "coordinate": list(p)}
        case A.LongPress(point=p, duration_ms=ms):
            return {"action": "long_press", "coordinate": list(p), "time": ms / 1000}
        case A.Swipe(start=a, end=b):
            return {"action": "swipe", "coordinate": list(a), "coordinate2": list(b)}
        case A.Type(text=text):
            return {"action": "type", "text": text}
        case A.Back() | A.Home() | A.Enter() | A.AppSwitch():
            button = {"Back": "Back", "Home": "Home", "Enter": "Enter", "AppSwitch": "Menu"}[action.type]
            return {"action": "system_button", "button": button}
        case A.OpenApp(name=name):
            return {"action": "open", "text": name}
        case A.Wait(seconds=s):
            return {"action": "wait", "time": s}
        case A.Answer(text=text):
            return {"action": "answer", "text": text}
        case A.Terminate(status=status):
            return {"action": "terminate", "status": status}
        case A.Click(point=p) | A.DoubleClick(point=p) | A.RightClick(point=p) | A.MoveTo(point=p):
            verb = {"Click": "left_click", "DoubleClick": "double_click", "RightClick": "right_click"}
            return {"action": verb.get(action.type, "mouse_move"), "coordinate": list(p)}
        case A.Drag(start=a, end=b):
            return {"action": "left_click_drag", "start_coordinate": list(a), "coordinate": list(b)}
        case A.Scroll(direction=d, point=p, amount=n):
            out: dict[str, Any] = {"action": "scroll", "pixels": n if d == "up" else -n}
            return out | ({"coordinate": list(p)} if p is not None else {})
        case A.Hotkey(keys=keys):
            return {"action": "key", "keys": keys}
        case A.CallUser():  # the mobile_use / computer_use tools have no hand-off to a person
            raise ValueError("CallUser has no form in the mobile_use / computer_use tools")
        case _:
            assert_never(action)
