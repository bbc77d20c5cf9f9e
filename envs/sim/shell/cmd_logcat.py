"""``logcat`` and ``log``, as Android's logcat prints logd's buffers (formats from AOSP ``liblog/logprint.cpp``).

``logcat [-d] [-c] [-s] [-v FORMAT] [-b BUF] [-t N] [-m N] [-e RE] [--pid=PID] [TAG[:PRIO]...]``: without ``-d``
(or ``-t``) it follows new entries until the client hangs up (in process it dumps). ``log [-p PRIO] [-t TAG] MSG``.
"""

from __future__ import annotations

import re
import time

from ..logbuf import PRIORITIES, LogEntry
from .interp import CommandFn, Proc, registrar, unlocked

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)
FORMATS = ("brief", "process", "tag", "thread", "raw", "time", "threadtime", "long")
BUFFERS = ("main", "system", "crash", "radio", "events", "kernel", "security", "stats", "all", "default")
SHELL_PID = 4321
LOG_PRIORITY = {"v": "V", "d": "D", "i": "I", "w": "W", "e": "E", "f": "F", "verbose": "V", "debug": "D",
                "info": "I", "warn": "W", "error": "E", "fatal": "F"}  # fmt: skip


def _stamp(t: float) -> str:
    return time.strftime("%m-%d %H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}"


def format_entry(e: LogEntry, fmt: str) -> str:
    """One entry as ``logcat -v fmt`` prints it (threadtime is logcat's default)."""
    head = {
        "brief": f"{e.priority}/{e.tag:<8}({e.pid:5d}): ",
        "process": f"{e.priority}({e.pid:5d}) ",
        "tag": f"{e.priority}/{e.tag:<8}: ",
        "thread": f"{e.priority}({e.pid:5d}:{e.tid:5d}) ",
        "raw": "",
        "time": f"{_stamp(e.time)} {e.priority}/{e.tag:<8}({e.pid:5d}): ",
        "threadtime": f"{_stamp(e.time)} {e.pid:5d} {e.tid:5d} {e.priority} {e.tag:<8}: ",
    }
    if fmt == "long":
        return f"[ {_stamp(e.time)} {e.pid:5d}:{e.tid:5d} {e.priority}/{e.tag:<8} ]\n{e.message}\n\n"
    tail = f"  ({e.tag})" if fmt == "process" else ""
    return head[fmt] + e.message + tail + "\n"


class Filter:
    """logcat's filter specs ``TAG:P`` (P one of VDIWEFS, ``*`` any tag); a bare tag means ``TAG:V``."""

    def __init__(self, specs: list[str], silent: bool) -> None:
        self.default = "S" if silent else "V"
        self.tags: dict[str, str] = {}
        for spec in specs:
            tag, _, prio = spec.partition(":")
            level = (prio or "V")[:1].upper()
            if level not in PRIORITIES:
                raise ValueError(f"Invalid filter expression '{spec}'")
            if tag == "*":
                self.default = level
            else:
                self.tags[tag] = level

    def keeps(self, e: LogEntry) -> bool:
        level = self.tags.get(e.tag, self.default)
        return PRIORITIES.index(e.priority) >= PRIORITIES.index(level)


def _options(args: list[str]) -> dict[str, object]:
    """Parse logcat's arguments; raises ``ValueError`` with logcat's message."""
    opts: dict[str, object] = {"fmt": "threadtime", "buffers": set(), "specs": []}
    it = iter(args)
    for a in it:
        if a.startswith("--pid="):
            opts["pid"] = int(a.split("=", 1)[1])
        elif a in ("-d", "-c", "-s", "-g", "-D"):
            opts[a] = True
        elif a in ("-v", "-b", "-t", "-T", "-m", "-e", "--pid", "--regex", "--max-count", "--format", "--buffer"):
            value = next(it, None)
            if value is None:
                raise ValueError(f"option requires an argument -- '{a.lstrip('-')}'")
            _option(opts, a, value)
        elif a.startswith("-v") and len(a) > 2:
            _option(opts, "-v", a[2:])
        elif a.startswith("-") and a != "-":
            raise ValueError(f"Unknown option '{a}'")
        else:
            opts["specs"].append(a)  # type: ignore[union-attr]
    return opts


def _option(opts: dict[str, object], flag: str, value: str) -> None:
    if flag in ("-v", "--format"):
        if value not in FORMATS and value not in ("color", "usec", "UTC", "year", "epoch", "uid", "printable"):
            raise ValueError(f'Invalid parameter "{value}" to -v.')
        if value in FORMATS:
            opts["fmt"] = value
    elif flag in ("-b", "--buffer"):
        for name in value.split(","):
            if name not in BUFFERS:
                raise ValueError(f"unknown buffer '{name}'")
            opts["buffers"].add(name)  # type: ignore[union-attr]
    elif flag in ("-t", "-T"):
        opts["-d"] = flag == "-t" or opts.get("-d", False)
        opts["tail"] = int(value) if value.isdigit() else 0
    elif flag in ("-m", "--max-count"):
        opts["max"] = int(value)
    elif flag in ("-e", "--regex"):
        opts["regex"] = re.compile(value)
    else:
        opts["pid"] = int(value)


def _select(entries: list[LogEntry], opts: dict[str, object], filt: Filter) -> list[LogEntry]:
    buffers = opts["buffers"] or {"main", "system", "crash"}  # logcat's default set
    if buffers & {"all", "default"}:  # type: ignore[operator]
        buffers = set(BUFFERS)
    regex = opts.get("regex")
    return [e for e in entries if e.buffer in buffers and filt.keeps(e)  # type: ignore[operator]
            and ("pid" not in opts or e.pid == opts["pid"]) and (regex is None or regex.search(e.message))]  # type: ignore[union-attr]  # fmt: skip


@command("logcat")
@unlocked  # following waits for new entries
def logcat(p: Proc, args: list[str]) -> int:
    try:
        opts = _options(args)
        filt = Filter(opts["specs"], bool(opts.get("-s")))  # type: ignore[arg-type]
    except ValueError as e:
        return p.fail(f"logcat: {e}\nusage: logcat [options] [filterspecs]")
    logs = p.device.logs
    if opts.get("-c"):
        logs.clear(None if not opts["buffers"] else set(opts["buffers"]))  # type: ignore[call-overload]
        return 0
    if opts.get("-g"):
        for name in sorted(opts["buffers"] or {"main", "system", "crash"}):  # type: ignore[call-overload]
            p.out(f"{name}: ring buffer is 256 KiB (0 B consumed, 0 B readable), max entry is 5120 B, max payload "
                  "is 4068 B\n")  # fmt: skip
        return 0
    entries, cursor = logs.snapshot()
    shown = _select(entries, opts, filt)
    if opts.get("tail"):
        shown = shown[-int(opts["tail"]) :]  # type: ignore[call-overload]
    limit = int(opts.get("max", 0) or 0)  # type: ignore[call-overload]
    count = _print(p, shown[:limit] if limit else shown, str(opts["fmt"]), set())
    if opts.get("-d") or p.live is None or (limit and count >= limit):
        return 0
    return _follow(p, opts, filt, limit - count if limit else 0, cursor)


def _print(p: Proc, entries: list[LogEntry], fmt: str, begun: set[str]) -> int:
    for e in entries:
        if e.buffer not in begun:
            begun.add(e.buffer)
            p.out(f"--------- beginning of {e.buffer}\n")
        p.out(format_entry(e, fmt))
    return len(entries)


def _follow(p: Proc, opts: dict[str, object], filt: Filter, left: int, cursor: int) -> int:
    """Print entries written after ``cursor`` as they come, until the client hangs up (or ``-m`` is reached)."""
    logs, begun = p.device.logs, {"main", "system", "crash"}
    while p.live is not None and p.live():
        fresh, cursor = logs.since(cursor, 0.2)
        shown = _select(fresh, opts, filt)
        if left:
            shown = shown[:left]
        _print(p, shown, str(opts["fmt"]), begun)
        if left:
            left -= len(shown)
            if left <= 0:
                return 0
    return 0


@command("log")
def log(p: Proc, args: list[str]) -> int:
    priority, tag, i = "I", "log", 0
    while i < len(args) and args[i] in ("-p", "-t") and i + 1 < len(args):
        if args[i] == "-p":
            if args[i + 1].lower() not in LOG_PRIORITY:
                return p.fail(f"log: invalid priority '{args[i + 1]}'", 255)
            priority = LOG_PRIORITY[args[i + 1].lower()]
        else:
            tag = args[i + 1]
        i += 2
    if i >= len(args):
        return p.fail("usage: log [-p PRI] [-t TAG] MESSAGE...", 255)
    p.device.logs.write(priority, tag, " ".join(args[i:]), SHELL_PID)
    return 0
