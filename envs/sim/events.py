"""Input events as Android dispatches them: taps, swipes (scroll, long press), key events.

A tap goes to the topmost clickable view under the point. A swipe that starts on a scrolling view
scrolls it by the distance moved (content follows the finger); on a slider it sets the value where the
finger lifts; otherwise the activity may take it as a gesture (the launcher opens its app drawer). A swipe
shorter than 10 dp is a tap, or a long press when it lasts 500 ms or more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import keyguard
from .defaults import KEY_CHARS, KEYCODES
from .ui.node import Node, hit

if TYPE_CHECKING:
    from .ports import Phone

LONG_PRESS_MS = 500
K = KEYCODES


def _tappable(n: Node) -> bool:
    return n.on_tap is not None or n.on_tap_at is not None or n.clickable


def tap(device: Phone, x: int, y: int) -> None:
    if not device.awake:
        return  # (while locked the frame is the keyguard: only its views, such as the PIN pad, take taps)
    node = hit(device.frame(), x, y, _tappable)
    if node is None:
        return
    if node.on_tap_at is not None:
        node.on_tap_at(x, y)
    elif node.on_tap is not None:
        node.on_tap()


def long_press(device: Phone, x: int, y: int) -> None:
    if not device.awake:
        return
    node = hit(device.frame(), x, y, lambda n: n.on_long is not None or _tappable(n))
    if node is not None and node.on_long is not None:
        node.on_long()
    elif node is not None:
        tap(device, x, y)


def swipe(device: Phone, x1: int, y1: int, x2: int, y2: int, duration_ms: int) -> None:
    if not device.awake:
        return
    if abs(x2 - x1) < device.dp(10) and abs(y2 - y1) < device.dp(10):
        if duration_ms >= LONG_PRESS_MS:
            long_press(device, x1, y1)
        else:
            tap(device, x1, y1)
        return
    if device.locked:
        if y2 < y1 - device.dp(80):
            keyguard.request_unlock(device)
        return
    _gesture(device, x1, y1, x2, y2)


def _gesture(device: Phone, x1: int, y1: int, x2: int, y2: int) -> None:
    wm = device.wm
    frame = device.frame()
    slider = hit(frame, x1, y1, lambda n: n.on_tap_at is not None)
    scroller = hit(frame, x1, y1, lambda n: n.scroll_key is not None)
    if slider is not None and abs(x2 - x1) >= abs(y2 - y1):
        slider.on_tap_at(x2, y2)  # type: ignore[misc]
    elif scroller is not None and not wm.recents and abs(y2 - y1) > abs(x2 - x1):
        act = wm.top
        act.scroll[scroller.scroll_key] = act.scroll.get(scroller.scroll_key, 0) + (y1 - y2)  # type: ignore[index]
    elif y1 < device.dp(40) and y2 > y1 + device.dp(80):
        wm.unfocus()
        wm.shade = True
    elif wm.shade and y2 < y1:
        wm.shade = False
    elif not wm.recents:
        wm.top.on_swipe(x1, y1, x2, y2)


def key(device: Phone, code: int, ctrl: bool = False) -> None:
    """One key press (down and up)."""
    wm = device.wm
    if code in (K["POWER"], K["SLEEP"], K["WAKEUP"]):
        _power(device, code)
        return
    if not device.awake:
        return
    if device.locked:
        keyguard.key(device, code)
        return
    if ctrl:
        _ctrl(device, code)
    elif code == K["HOME"]:
        wm.home()
    elif code in (K["BACK"], K["ESCAPE"]):
        wm.back()
    elif code == K["APP_SWITCH"]:
        wm.toggle_recents()
    elif code == K["ENTER"]:
        wm.enter()
    elif code in (K["DEL"], K["FORWARD_DEL"]):
        wm.delete()
    elif code in KEY_CHARS:
        wm.type(KEY_CHARS[code])


def _power(device: Phone, code: int) -> None:
    if code == K["WAKEUP"] or (code == K["POWER"] and not device.awake):
        device.awake = True
    else:
        device.awake = False
        keyguard.relock(device)  # the keyguard comes back when the screen goes off
        device.wm.unfocus()


def _ctrl(device: Phone, code: int) -> None:
    wm = device.wm
    value = wm.focused_value()
    if value is None:
        return
    if code == K["A"]:
        wm.select_all = True
    elif code in (K["C"], K["X"]) and wm.select_all:
        device.clipboard = value
        if code == K["X"]:
            wm.delete()
    elif code == K["V"]:
        wm.type(device.clipboard)


def keycombination(device: Phone, codes: list[int]) -> None:
    """Keys held together: Ctrl (113/114) with a letter is an editing shortcut; others press in turn."""
    ctrl = any(c in (K["CTRL_LEFT"], K["CTRL_RIGHT"]) for c in codes)
    for code in codes:
        if code not in (K["CTRL_LEFT"], K["CTRL_RIGHT"], K["SHIFT_LEFT"], K["SHIFT_RIGHT"], K["ALT_LEFT"]):
            key(device, code, ctrl=ctrl)
