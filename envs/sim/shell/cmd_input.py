"""``input``: taps, swipes, text and key events, with Android's argument rules and error output.

``input text`` takes ONE argument (further words are ignored, as on the device), turns ``%s`` into a space,
presses Enter for a newline, and refuses non-ASCII with the exception a real device prints (nothing is
typed). Text goes to the focused field; with no focused field it is dropped, as on a phone.
"""

from __future__ import annotations

import time

from ..defaults import keycode
from ..events import key, keycombination
from .interp import CommandFn, Proc

COMMANDS: dict[str, CommandFn] = {}

SOURCES = {"keyboard", "mouse", "joystick", "touchnavigation", "touchpad", "trackball", "dpad", "stylus",
           "gamepad", "touchscreen", "rotaryencoder"}  # fmt: skip
USAGE = """Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]

The commands and default sources are:
      text <string> (Default: keyboard)
      keyevent [--longpress|--doubletap|--async|--delay <duration between keycodes in ms>] <key code number or name> ... (Default: keyboard)
      tap <x> <y> (Default: touchscreen)
      swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      press (Default: trackball)
      roll <dx> <dy> (Default: trackball)
      motionevent <DOWN|UP|MOVE|CANCEL> <x> <y> (Default: touchscreen)
      keycombination [-t duration(ms)] <key code 1> <key code 2> ... (Default: keyboard, the key order is important here.)
"""  # noqa: E501


class InputError(Exception):
    """The command threw on the device: the message is the Java exception it prints."""


class InvalidArguments(Exception):
    """Arguments the command does not take: the device prints its usage."""


def _exception(p: Proc, cmd: str, message: str) -> int:
    return p.fail(f"Exception occurred while executing '{cmd}':\n{message}", 255)


def _numbers(args: list[str], n: int) -> list[float]:
    if len(args) < n:
        raise InvalidArguments
    try:
        return [float(a) for a in args[:n]]
    except ValueError as e:
        raise InputError(f'java.lang.NumberFormatException: For input string: "{str(e).split(": ")[-1]}"') from e


def input_(p: Proc, args: list[str]) -> int:
    if args and args[0] in SOURCES:
        args = args[1:]
    if args[:1] == ["-d"]:
        args = args[2:]
    if not args:
        p.err(USAGE)
        return 1
    cmd, rest = args[0], args[1:]
    handler = HANDLERS.get(cmd)
    if handler is None:
        p.err(f"Error: Unknown command: {cmd}\n{USAGE}")
        return 1
    try:
        handler(p, rest)
    except InvalidArguments:
        p.err(f"Error: Invalid arguments for command: {cmd}\n{USAGE}")
        return 1
    except InputError as e:
        return _exception(p, cmd, str(e))
    return 0


COMMANDS["input"] = input_


def _tap(p: Proc, args: list[str]) -> None:
    x, y = _numbers(args, 2)
    p.device.tap(x, y)


def _swipe(p: Proc, args: list[str]) -> None:
    x1, y1, x2, y2 = _numbers(args, 4)
    ms = int(_numbers(args[4:], 1)[0]) if len(args) > 4 else 300
    p.device.swipe(x1, y1, x2, y2, ms)


def _text(p: Proc, args: list[str]) -> None:
    if not args:
        raise InvalidArguments
    text = args[0].replace("%s", " ")
    bad = next((c for c in text if ord(c) > 127), None)
    if bad is not None:
        raise InputError(
            "java.lang.NullPointerException: Attempt to get length of null array\n"
            "\tat com.android.server.input.InputShellCommand.sendText(InputShellCommand.java:293)"
        )
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line:
            p.device.type_text(line)
        if i < len(lines) - 1:
            key(p.device, 66)


def _keyevent(p: Proc, args: list[str]) -> None:
    repeat = 1
    codes = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a == "--delay":
            skip = True
        elif a.startswith("--"):
            repeat = 2 if a == "--doubletap" else repeat
        else:
            code = keycode(a)
            if code is None:
                raise InputError(f"java.lang.IllegalArgumentException: Unknown keycode: {a}")
            codes.append(code)
    if not codes:
        raise InvalidArguments
    for code in codes:
        for _ in range(repeat):
            key(p.device, code)


def _keycombination(p: Proc, args: list[str]) -> None:
    if args[:1] == ["-t"]:
        args = args[2:]
    codes = [keycode(a) for a in args]
    if len(codes) < 2 or any(c is None for c in codes):
        raise InvalidArguments
    keycombination(p.device, [c for c in codes if c is not None])


def _motionevent(p: Proc, args: list[str]) -> None:
    if not args:
        raise InvalidArguments
    action = args[0].upper()
    x, y = _numbers(args[1:], 2)
    dev = p.device
    if action == "DOWN":
        dev.touch_down = (x, y, time.monotonic())
    elif action == "UP" and dev.touch_down is not None:
        x0, y0, t0 = dev.touch_down
        dev.touch_down = None
        dev.swipe(x0, y0, x, y, int((time.monotonic() - t0) * 1000))
    elif action == "CANCEL":
        dev.touch_down = None


def _press(p: Proc, args: list[str]) -> None:
    key(p.device, 23)


def _roll(p: Proc, args: list[str]) -> None:
    _numbers(args, 2)


HANDLERS = {
    "tap": _tap, "swipe": _swipe, "draganddrop": _swipe, "text": _text, "keyevent": _keyevent,
    "keycombination": _keycombination, "motionevent": _motionevent, "press": _press, "roll": _roll,
}  # fmt: skip
