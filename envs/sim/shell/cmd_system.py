"""System commands: getprop, setprop, settings, wm, svc, ime, locksettings, screencap, uiautomator."""

from __future__ import annotations

import re

from .. import keyguard
from ..defaults import ADB_KEYBOARD, GBOARD
from ..state import NAMESPACES
from .interp import CommandFn, Proc, registrar, unlocked

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)


@command("getprop")
def getprop(p: Proc, args: list[str]) -> int:
    props = p.device.props
    if not args:
        p.out("".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())))
    else:
        p.out(props.get(args[0], args[1] if len(args) > 1 else "") + "\n")
    return 0


@command("setprop")
def setprop(p: Proc, args: list[str]) -> int:
    if len(args) != 2:
        return p.fail("usage: setprop NAME VALUE")
    if args[0].startswith("ro.") and args[0] in p.device.props:
        return p.fail(f"Failed to set property '{args[0]}' to '{args[1]}'.")
    p.device.props[args[0]] = args[1]
    return 0


SETTINGS_USAGE = """usage:  settings [--user <USER_ID> | current] get namespace key
        settings [--user <USER_ID> | current] put namespace key value
        settings [--user <USER_ID> | current] delete namespace key
        settings [--user <USER_ID> | current] list namespace

'namespace' is one of {system, secure, global}, case-insensitive
"""


@command("settings")
def settings(p: Proc, args: list[str]) -> int:
    if args[:1] == ["--user"]:
        args = args[2:]
    if len(args) < 2 or args[0] not in ("get", "put", "delete", "list", "reset"):
        p.err(SETTINGS_USAGE)
        return 255
    verb, ns, rest = args[0], args[1].lower(), args[2:]
    if ns not in NAMESPACES:
        p.err(f"Invalid namespace: {args[1]}\n{SETTINGS_USAGE}")
        return 255
    store = p.device.settings
    if verb == "list":
        p.out("".join(f"{k}={v}\n" for k, v in store.items(ns)))
    elif verb == "get" and rest:
        value = store.get(ns, rest[0])
        p.out(f"{'null' if value is None else value}\n")
    elif verb == "put" and len(rest) >= 2:
        store.put(ns, rest[0], rest[1])
    elif verb == "delete" and rest:
        p.out(f"Deleted {int(store.delete(ns, rest[0]))} rows\n")
    elif verb == "reset":
        return 0
    else:
        p.err(SETTINGS_USAGE)
        return 255
    return 0


@command("wm")
def wm(p: Proc, args: list[str]) -> int:
    dev = p.device
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub == "size":
        return _wm_size(p, rest)
    if sub == "density":
        if rest:
            dev.override_density = None if rest[0] == "reset" else int(rest[0])
            return 0
        p.out(f"Physical density: {dev.physical_density}\n")
        if dev.override_density:
            p.out(f"Override density: {dev.override_density}\n")
        return 0
    if sub == "dismiss-keyguard":  # a secure keyguard only brings up its PIN pad
        keyguard.request_unlock(dev)
        return 0
    if sub == "user-rotation":
        if rest[:1] == ["lock"] and len(rest) > 1:
            dev.settings.put("system", "accelerometer_rotation", "0")
            dev.settings.put("system", "user_rotation", rest[1])
        elif rest[:1] == ["free"]:
            dev.settings.put("system", "accelerometer_rotation", "1")
        else:
            p.out("lock\n" if not dev.settings.on("system", "accelerometer_rotation") else "free\n")
        return 0
    return p.fail(
        f"Error: unknown command '{sub}'" if sub else "Window manager (window) commands:\n  size\n  density", 255
    )


def _wm_size(p: Proc, rest: list[str]) -> int:
    dev = p.device
    if rest:
        if rest[0] == "reset":
            dev.override_size = None
            return 0
        m = re.fullmatch(r"(\d+)x(\d+)", rest[0])
        if not m:
            return p.fail(f"Error: bad size {rest[0]}", 255)
        dev.override_size = (int(m.group(1)), int(m.group(2)))
        return 0
    w, h = dev.physical_size
    p.out(f"Physical size: {w}x{h}\n")
    if dev.override_size:
        p.out(f"Override size: {dev.override_size[0]}x{dev.override_size[1]}\n")
    return 0


@command("svc")
def svc(p: Proc, args: list[str]) -> int:
    keys = {"wifi": "wifi_on", "bluetooth": "bluetooth_on", "data": "mobile_data"}
    if len(args) >= 2 and args[0] in keys and args[1] in ("enable", "disable"):
        p.device.settings.put("global", keys[args[0]], "1" if args[1] == "enable" else "0")
        return 0
    if args[:2] == ["power", "stayon"]:
        return 0
    return p.fail("Available commands:\n    help\n    power\n    data\n    wifi\n    bluetooth")


INSTALLED_IMES = (GBOARD, ADB_KEYBOARD)


@command("ime")
def ime(p: Proc, args: list[str]) -> int:
    s = p.device.settings
    enabled = [x for x in (s.get("secure", "enabled_input_methods") or "").split(":") if x]
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub == "list":
        ids = INSTALLED_IMES if "-a" in rest else enabled
        for ime_id in ids:
            p.out(ime_id + "\n" if "-s" in rest else f"{ime_id}:\n  mId={ime_id} mSettingsActivityName=null\n")
        return 0
    if sub in ("enable", "disable", "set") and rest:
        ime_id = rest[-1]
        if ime_id not in INSTALLED_IMES:
            return p.fail(f"Unknown input method {ime_id} cannot be {sub}d for user #0")
        return _ime_change(p, sub, ime_id, enabled)
    if sub == "reset":
        s.put("secure", "default_input_method", GBOARD)
        s.put("secure", "enabled_input_methods", GBOARD)
        p.out(f"Reset current and enabled IMEs for user #0\n  Selected: {GBOARD}\n   Enabled: {GBOARD}\n")
        return 0
    return p.fail("ime <command>:\n  list [-a] [-s]\n  enable [--user <USER_ID>] <ID>\n  set <ID>\n  reset")


def _ime_change(p: Proc, sub: str, ime_id: str, enabled: list[str]) -> int:
    s = p.device.settings
    if sub == "enable":
        state = "already enabled" if ime_id in enabled else "enabled"
        if ime_id not in enabled:
            enabled.append(ime_id)
        p.out(f"Input method {ime_id}: {state}\n")
    elif sub == "disable":
        enabled = [x for x in enabled if x != ime_id]
        p.out(f"Input method {ime_id}: now disabled\n")
        if s.get("secure", "default_input_method") == ime_id:
            s.put("secure", "default_input_method", enabled[0] if enabled else GBOARD)
    else:
        if ime_id not in enabled:
            return p.fail(f"Unknown input method {ime_id} cannot be selected for user #0")
        s.put("secure", "default_input_method", ime_id)
        p.out(f"Input method {ime_id} selected for user #0\n")
    s.put("secure", "enabled_input_methods", ":".join(enabled))
    return 0


LOCKSETTINGS_USAGE = """lockSettings service commands:

NOTE: when a secure lock screen is set, most commands require the
--old <CREDENTIAL> option.

  set-pin [--old <CREDENTIAL>] [--user USER_ID] <PIN>
  clear [--old <CREDENTIAL>] [--user USER_ID]
  verify [--old <CREDENTIAL>] [--user USER_ID]
  get-disabled [--user USER_ID]
"""


@command("locksettings")
def locksettings(p: Proc, args: list[str]) -> int:
    """LockSettingsShellCommand: set-pin, clear, verify (each checks ``--old`` first), get-disabled."""
    sub, rest = (args[0], args[1:]) if args else ("help", [])
    old, new, i = "", "", 0
    while i < len(rest):
        if rest[i] in ("--old", "--user") and i + 1 < len(rest):
            old = rest[i + 1] if rest[i] == "--old" else old
            i += 2
        else:
            new, i = rest[i], i + 1
    if sub not in ("set-pin", "clear", "verify", "get-disabled"):
        p.out(LOCKSETTINGS_USAGE)
        return 0
    kg = p.device.keyguard
    if sub == "get-disabled":
        p.out("false\n")
        return 0
    if kg.secure and old != kg.pin:
        p.out(f"Old password '{old}' didn't match\n")
        return 255
    if not kg.secure and old:
        p.out("Old password provided but user has no password\n")
        return 255
    if sub == "set-pin":
        if len(new) < 4 or not new.isdigit():
            p.out("New credential doesn't satisfy admin policies: TOO_SHORT\n" if len(new) < 4 else
                  "New credential doesn't satisfy admin policies: CONTAINS_INVALID_CHARACTERS\n")  # fmt: skip
            return 255
        kg.pin = new
        p.out(f"Pin set to '{new}'\n")
    elif sub == "clear":
        kg.pin = None
        p.out("Lock credential cleared\n")
    else:
        p.out("Lock credential verified successfully\n")
    return 0


@command("screencap")
@unlocked  # the PNG encode takes a while; input and other commands go on meanwhile, as on a phone
def screencap(p: Proc, args: list[str]) -> int:
    png, target, i = False, "", 0
    while i < len(args):
        if args[i] == "-p":
            png = True
        elif args[i] == "-d":
            i += 1
        elif args[i] == "-h":
            p.err("usage: screencap [-hp] [-d display-id] [FILENAME]\n")
            return 0
        else:
            target = args[i]
        i += 1
    png = png or target.endswith(".png")
    data = p.device.screencap_png() if png else p.device.screencap_raw()
    if target and target not in ("-", "/dev/stdout"):
        with p.device.lock:
            p.fs.write(p.path(target), data)
    else:
        p.out(data)
    return 0


@command("uiautomator")
def uiautomator(p: Proc, args: list[str]) -> int:
    if not args or args[0] != "dump":
        return p.fail("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\n"
                      "dump: creates an XML dump of current UI hierarchy")  # fmt: skip
    rest = args[1:]
    target = next((a for a in rest if not a.startswith("--")), "/sdcard/window_dump.xml")
    if p.device.animating():  # UiAutomation.waitForIdle timed out: nothing is written, and the exit status is 0
        p.err("ERROR: could not get idle state.\n")
        return 0
    xml = p.device.ui_xml(compressed="--compressed" in rest)
    if target in ("/dev/tty", "/dev/stdout"):
        p.out(xml)
    else:
        p.fs.write(p.path(target), xml)
    p.out(f"UI hierchary dumped to: {target}\n")
    return 0
