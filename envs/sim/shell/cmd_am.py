"""The activity manager: am, monkey, and ``cmd <service>`` forwarding (``pm`` lives in ``cmd_pm``)."""

from __future__ import annotations

import base64
import binascii
import contextlib

from ..apps.base import resolve_intent
from ..defaults import ADB_KEYBOARD
from ..events import key
from ..wm import LAUNCHER
from . import cmd_services
from .interp import CommandFn, Proc

COMMANDS: dict[str, CommandFn] = {}


def parse_intent(args: list[str]) -> dict[str, object]:
    """Parse ``am start``/``broadcast`` intent options into a dict (component, action, data, extras)."""
    intent: dict[str, object] = {"extras": {}, "flags": set()}
    extras: dict[str, object] = intent["extras"]  # type: ignore[assignment]
    i = 0
    typed = {"--es": str, "-e": str, "--ei": int, "--el": int, "--ef": float, "--ez": lambda v: v == "true"}
    simple = {"-n": "component", "-a": "action", "-d": "data", "-t": "type", "-c": "category", "--user": "user",
              "-p": "package"}  # fmt: skip
    while i < len(args):
        a = args[i]
        if a in simple and i + 1 < len(args):
            intent[simple[a]] = args[i + 1]
            if a == "-c":  # an intent may carry several categories; "category" keeps the last
                intent.setdefault("categories", []).append(args[i + 1])  # type: ignore[attr-defined]
            i += 2
        elif a in typed and i + 2 < len(args):
            extras[args[i + 1]] = typed[a](args[i + 2])  # type: ignore[operator]
            i += 3
        elif a in ("-f",) and i + 1 < len(args):
            i += 2
        elif a.startswith("-"):
            intent["flags"].add(a)  # type: ignore[attr-defined]
            i += 1
        else:
            intent.setdefault("component" if "/" in a else "data", a)
            i += 1
    return intent


def _describe(intent: dict[str, object]) -> str:
    parts = []
    for key_, label in (("action", "act"), ("data", "dat"), ("type", "typ"), ("component", "cmp")):
        if intent.get(key_):
            parts.append(f"{label}={intent[key_]}")
    if intent.get("extras"):
        parts.append("(has extras)")
    return "Intent { " + " ".join(parts) + " }"


def _start(p: Proc, args: list[str]) -> int:
    intent = parse_intent(args)
    dev = p.device
    p.out(f"Starting: {_describe(intent)}\n")
    target = _resolve(p, intent)
    if isinstance(target, str):
        p.err(target + "\n")
        return 1
    package, cls, extras = target
    if "-S" in intent["flags"]:  # type: ignore[operator]
        dev.wm.force_stop(package)
    act = dev.wm.launch(package, cls, extras or None, clear_top="--activity-clear-top" in intent["flags"])  # type: ignore[operator]
    if "-W" in intent["flags"]:  # type: ignore[operator]
        p.out(f"Status: ok\nLaunchState: COLD\nActivity: {act.short_component}\nTotalTime: 214\nWaitTime: 219\n"
              "Complete\n")  # fmt: skip
    return 0


def _resolve(p: Proc, intent: dict[str, object]) -> tuple[str, type | None, dict] | str:
    """The app and activity an intent starts, or the error text ``am`` prints."""
    dev = p.device
    extras = dict(intent["extras"])  # type: ignore[call-overload]
    comp = str(intent.get("component") or "")
    if comp:
        package, _, name = comp.partition("/")
        app = dev.apps.get(package)
        full = package + name if name.startswith(".") else name
        cls = app.activity_class(name) if app is not None and name else None
        if cls is None:
            return f"Error type 3\nError: Activity class {{{package}/{full}}} does not exist."
        return package, cls, extras
    action, data = str(intent.get("action") or ""), str(intent.get("data") or "")
    target = resolve_intent(dev.apps.values(), action, data)
    if target is not None:
        app, activity, implied = target
        return app.package, activity, {**implied, **extras}
    if action == "android.intent.action.MAIN" and "android.intent.category.HOME" in str(intent.get("category")):
        return LAUNCHER, None, {}
    return f"Error: Activity not started, unable to resolve {_describe(intent)}"


def _broadcast(p: Proc, args: list[str]) -> int:
    intent = parse_intent(args)
    p.out(f"Broadcasting: {_describe(intent)}\n")
    action = str(intent.get("action") or "")
    extras: dict[str, object] = intent["extras"]  # type: ignore[assignment]
    dev = p.device
    if action.startswith("ADB_") and dev.current_ime() == ADB_KEYBOARD and dev.wm.focus is not None:
        _adb_keyboard(p, action, extras)
    p.out("Broadcast completed: result=0\n")
    return 0


def _adb_keyboard(p: Proc, action: str, extras: dict[str, object]) -> None:
    """ADBKeyBoard's broadcasts: commit text (plain or base64 UTF-8), a key code, or clear the field."""
    wm = p.device.wm
    if action == "ADB_INPUT_TEXT":
        wm.type(str(extras.get("msg", "")))
    elif action == "ADB_INPUT_B64":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            wm.type(base64.b64decode(str(extras.get("msg", ""))).decode("utf-8"))
    elif action == "ADB_INPUT_CODE":
        key(p.device, int(extras.get("code", 0)))  # type: ignore[call-overload]
    elif action == "ADB_CLEAR_TEXT":
        wm.select_all = True
        wm.delete()
    elif action == "ADB_EDITOR_CODE":
        wm.enter()


def am(p: Proc, args: list[str]) -> int:
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub in ("start", "start-activity"):
        return _start(p, rest)
    if sub == "broadcast":
        return _broadcast(p, rest)
    if sub in ("force-stop", "kill", "stop-app") and rest:
        p.device.wm.force_stop(rest[-1])
        return 0
    if sub == "stack" and rest[:1] == ["list"]:
        return cmd_services.stack_list(p)
    if sub == "start-service":
        p.out(f"Starting service: {_describe(parse_intent(rest))}\n")
        return 0
    return p.fail("usage: am [start|force-stop|broadcast|kill|start-service] ...", 255)


def monkey(p: Proc, args: list[str]) -> int:
    packages = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-p"]
    for a in args:
        p.out(f"  bash arg: {a}\n")
    apps = [p.device.apps[pkg] for pkg in packages if pkg in p.device.apps and p.device.apps[pkg].launchable]
    if not apps:
        p.out("** No activities found to run, monkey aborted.\n")
        return 252
    p.device.wm.launch(apps[0].package)
    p.out("Events injected: 1\n## Network stats: elapsed time=23ms (0ms mobile, 0ms wifi, 23ms not connected)\n")
    return 0


def cmd(p: Proc, args: list[str]) -> int:
    """``cmd SERVICE ...``: forward to the matching shell tool."""
    if not args:
        return p.fail("cmd: No service specified; use -l to list all running services. Use -w to start and "
                      "wait for a service.", 20)  # fmt: skip
    service, rest = args[0], args[1:]
    if service == "statusbar":
        p.device.wm.shade = bool(rest) and rest[0].startswith("expand")
        return 0
    if service == "wifi":
        return cmd_services.cmd_wifi(p, rest)
    if service == "connectivity":
        return cmd_services.cmd_connectivity(p, rest)
    tools = {"package": "pm", "activity": "am", "settings": "settings", "input": "input", "window": "wm",
             "input_method": "ime", "lock_settings": "locksettings"}  # fmt: skip
    if service in tools:
        return p.shell.call([tools[service], *rest], p._io)
    return p.fail(f"Can't find service: {service}", 20)


COMMANDS.update({"am": am, "monkey": monkey, "cmd": cmd})
