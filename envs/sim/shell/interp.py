"""Run parsed command lines against the device: expansions, pipelines, redirections, exit statuses.

A ``Shell`` is one ``sh`` process (one adb shell session): its own variables, ``$?`` and working directory,
sharing the device. ``run(src)`` returns a ``Result`` with stdout/stderr chunks in the order they were
written (shell v1 merges them in that order; shell v2 keeps them apart) and the exit status.
"""

from __future__ import annotations

import logging
import posixpath
import random
import time
from collections.abc import Callable
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from ..fs import FsError
from ..perms import ShellFs
from .arith import ArithError, evaluate
from .control import LoopJump, Return, call_function, run_compound
from .lex import tokenize_word
from .parse import AndOr, Command, ParseError, Pipeline, Script, Word, parse
from .streams import Hangup, InBuf, Io, Result, Stdin, Writer

if TYPE_CHECKING:
    from ..ports import Phone

log = logging.getLogger(__name__)

SH = "/system/bin/sh"


class Proc:
    """What a command implementation sees: its arguments' context, stdin, and where to write."""

    def __init__(self, shell: Shell, io: Io, name: str) -> None:
        self.shell = shell
        self.device = shell.device
        self.fs = shell.fs
        self.name = name
        self._io = io
        self._stdin: bytes | None = None

    @property
    def stdin(self) -> bytes:
        """The command's stdin (the rest of it); a session's stdin is read only by a command that asks."""
        if self._stdin is None:
            self._stdin = self._io.stdin.take()
        return self._stdin

    def read(self, n: int) -> bytes:
        """``n`` bytes of stdin as they arrive (fewer at its end)."""
        return self._io.stdin.read(n)

    def read_line(self) -> bytes | None:
        """One line of stdin (``read``), None at its end."""
        return self._io.stdin.line()

    @property
    def live(self) -> Callable[[], bool] | None:
        """For commands that follow (``logcat``): whether the client still listens; None when run in process."""
        return self._io.live

    def out(self, data: str | bytes) -> None:
        self._io.out(data.encode() if isinstance(data, str) else data)

    def err(self, data: str | bytes) -> None:
        self._io.err(data.encode() if isinstance(data, str) else data)

    def fail(self, message: str, status: int = 1) -> int:
        """Write ``message`` (plus a newline) to stderr and return ``status``: ``return p.fail(...)``."""
        self.err(message.rstrip("\n") + "\n")
        return status

    def path(self, p: str) -> str:
        return posixpath.normpath(posixpath.join(self.shell.cwd, p))


CommandFn = Callable[[Proc, list[str]], int]


class ExitShell(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Shell:
    """One shell process on the device; ``commands`` maps a command name to its implementation."""

    def __init__(self, device: Phone, commands: dict[str, CommandFn]) -> None:
        self.device = device
        self.commands = commands
        self.cwd = "/"
        self.status = 0
        self.sub_status = 0
        self.args: list[str] = []  # $1 ... (a function's while it runs)
        self.functions: dict[str, Command] = {}
        self.pid = device.procs.next_pid()
        self.fs = device.fs if device.root else ShellFs(device.fs)  # the shell user's view on a retail build
        self.rng = random.Random(f"{device.seed}:{self.pid}")
        self.vars: dict[str, str] = {
            "PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin",
            "HOME": "/",
            "SHELL": SH,
            "USER": "root" if device.root else "shell",
            "HOSTNAME": device.props.get("ro.product.device", "localhost"),
            "EXTERNAL_STORAGE": "/sdcard",
            "ANDROID_DATA": "/data",
            "ANDROID_ROOT": "/system",
        }

    def run(self, src: str, stdin: Stdin = b"", out: Writer | None = None, err: Writer | None = None,
            live: Callable[[], bool] | None = None) -> Result:  # fmt: skip
        """Parse and run ``src``; a syntax error gives mksh's message and status 1. Output goes to ``out`` and
        ``err`` when given (streamed; ``Result`` then keeps only the status), else into the ``Result``."""
        result = Result()
        out = out or (lambda d: result.chunks.append((1, d)))
        err = err or (lambda d: result.chunks.append((2, d)))
        io = Io(stdin if isinstance(stdin, InBuf) else InBuf(stdin), out, err, live)
        try:
            script = parse(src)
        except ParseError as e:
            io.err(f"{SH}: {e}\n".encode())
            result.status = self.status = 1
            return result
        try:
            self.run_script(script, io)
        except (ExitShell, Return) as e:
            self.status = e.status
        except LoopJump:
            pass  # break/continue outside a loop: mksh ignores it
        result.status = self.status
        return result

    def run_script(self, script: Script, io: Io) -> int:
        for item in script.items:
            self.run_and_or(item, io)
        return self.status

    def run_and_or(self, node: AndOr, io: Io) -> int:
        status = self.run_pipeline(node.first, io)
        for op, pipeline in node.rest:
            if (op == "&&") == (status == 0):
                status = self.run_pipeline(pipeline, io)
        return status

    def run_pipeline(self, node: Pipeline, io: Io) -> int:
        stdin = io.stdin
        status = 0
        for i, cmd in enumerate(node.commands):
            last = i == len(node.commands) - 1
            buf: list[bytes] = []
            stage = Io(stdin if i == 0 else InBuf(stdin), io.out if last else buf.append, io.err, io.live)
            status = self.run_command(cmd, stage)
            stdin = b"".join(buf)  # type: ignore[assignment]
        self.status = (0 if status else 1) if node.negate else status
        return self.status

    def run_command(self, cmd: Command, io: Io) -> int:
        self.sub_status = 0  # the status of this command's last command substitution, if any
        redirected = self._redirect(cmd, io)
        if isinstance(redirected, int):
            self.status = redirected
            return redirected
        if cmd.group is not None:
            self.status = self.run_script(cmd.group, redirected)
            return self.status
        if cmd.compound is not None:
            self.status = run_compound(self, cmd.compound, redirected)
            return self.status
        if cmd.subshell is not None:
            saved = (dict(self.vars), self.cwd, dict(self.functions))
            try:
                status = self.run_script(cmd.subshell, redirected)
            except ExitShell as e:
                status = e.status
            self.vars, self.cwd, self.functions = saved
            self.status = status
            return status
        argv = [f for w in cmd.words for f in self.expand(w, io)]
        values = {name: " ".join(self.expand(w, io, split=False)) for name, w in cmd.assigns}
        if not argv:
            self.vars.update(values)
            self.status = self.sub_status
            return self.status
        self.status = self.call(argv, redirected)
        return self.status

    def call(self, argv: list[str], io: Io) -> int:
        """Run one command by name (with ``argv[0]`` possibly a path such as ``/system/bin/ls``)."""
        name = argv[0]
        if name in self.functions:
            return call_function(self, self.functions[name], argv, io)
        fn = self.commands.get(name) or (self.commands.get(posixpath.basename(name)) if "/" in name else None)
        if fn is None:
            io.err(f"{SH}: {name}: inaccessible or not found\n".encode())
            return 127
        proc = Proc(self, io, name)
        delay = self.device.latency.cost(argv) if self.device.latency is not None else 0.0
        if delay:
            time.sleep(delay)  # a phone's own cost (``latency.py``), paid before taking the lock
        try:
            if getattr(fn, "unlocked", False):
                return int(fn(proc, argv[1:]))
            with self.device.changing():  # the lock, and an animation if the screen changes
                return int(fn(proc, argv[1:]))
        except (ExitShell, Hangup, LoopJump, Return):
            raise
        except FsError as e:
            return proc.fail(f"{posixpath.basename(name)}: {e.path}: {e}")
        except Exception as e:  # a bug in a command must not take the transport down
            log.exception("command %r failed", argv)
            return proc.fail(f"{posixpath.basename(name)}: {type(e).__name__}: {e}", 255)

    # ---------------------------------------------------------------- expansion

    def expand(self, word: Word, io: Io, split: bool = True) -> list[str]:
        """Expand a word into fields: variables, substitutions, field splitting, then globbing."""
        fields: list[str] = []
        cur: str | None = None
        globbing = False
        for part in word.parts:
            if part.kind == "lit":
                if part.quoted or part.text:
                    cur = (cur or "") + part.text
                globbing |= not part.quoted and any(c in part.text for c in "*?")
                continue
            if part.kind == "var" and part.text == "@" and part.quoted and split:
                if self.args:  # "$@": one field per argument, the first and last joined to their neighbours
                    first, *more = self.args
                    cur = (cur or "") + first
                    for arg in more:
                        fields.append(cur)
                        cur = arg
                continue
            value = self._value(part.kind, part.text, io)
            if part.quoted or not split:
                cur = (cur or "") + value
                continue
            pieces = value.split()
            if value[:1].isspace() and cur is not None:
                fields.append(cur)
                cur = None
            for k, piece in enumerate(pieces):
                if k:
                    fields.append(cur or "")
                    cur = None
                cur = (cur or "") + piece
            if pieces and value[-1:].isspace():
                fields.append(cur or "")
                cur = None
        if cur is not None:
            fields.append(cur)
        if globbing and split and len(fields) == 1:
            return self._glob(fields[0]) or fields
        return fields

    def _value(self, kind: str, text: str, io: Io) -> str:
        if kind == "cmd":
            return self.capture(text, io)
        if kind == "arith":
            return self.arith(text, io)
        name, _, default = text.partition(":-")
        if name.startswith("#") and len(name) > 1:
            return str(len(self._value("var", name[1:], io)))
        if name.isdigit() and name != "0":
            return self.args[int(name) - 1] if int(name) <= len(self.args) else default
        special = {"?": str(self.status), "$": str(self.pid), "#": str(len(self.args)), "0": SH, "!": "",
                   "@": " ".join(self.args), "*": " ".join(self.args), "-": "h"}  # fmt: skip
        if name == "RANDOM":
            return str(self.rng.randrange(32768))
        value = special.get(name, self.vars.get(name, ""))
        return value or default

    def arith(self, text: str, io: Io) -> str:
        """``$((text))``: expansions inside first, then sh's integer arithmetic; an error prints and gives 0."""
        expanded = " ".join(self.expand(Word(tokenize_word(text)), io, split=False))
        try:
            return str(evaluate(expanded, lambda n: self.vars.get(n, ""), self.vars.__setitem__))
        except (ArithError, RecursionError, OverflowError) as e:
            io.err(f"{SH}: {text}: {e}\n".encode())
            return "0"

    def capture(self, src: str, io: Io) -> str:
        """Run ``src`` as a command substitution: its stdout, without trailing newlines."""
        buf: list[bytes] = []
        sub = Shell(self.device, self.commands)
        sub.vars, sub.cwd, sub.functions, sub.args = dict(self.vars), self.cwd, dict(self.functions), self.args
        try:
            sub.run_script(parse(src), Io(InBuf(b""), buf.append, io.err))
        except ParseError as e:
            io.err(f"{SH}: {e}\n".encode())
            sub.status = 1
        except ExitShell as e:
            sub.status = e.status
        self.sub_status = sub.status
        return b"".join(buf).decode("utf-8", "replace").rstrip("\n")

    def _glob(self, pattern: str) -> list[str]:
        folder, base = posixpath.split(pattern)
        fs = self.fs
        where = posixpath.join(self.cwd, folder or ".")
        with self.device.lock:  # expansion runs before the command takes the lock
            if any(c in folder for c in "*?") or not fs.isdir(where):
                return []
            found = fs.listdir(where)
        names = [n for n in found if fnmatchcase(n, base) and (base[:1] == "." or n[:1] != ".")]
        return [posixpath.join(folder, n) if folder else n for n in names]

    # ---------------------------------------------------------------- redirection

    def _redirect(self, cmd: Command, io: Io) -> Io | int:
        """Apply a command's redirections to a copy of ``io``; an error returns sh's status 1."""
        io = replace(io)
        for r in cmd.redirects:
            target = " ".join(self.expand(r.target, io, split=False))
            if r.op == ">&":
                if target not in ("1", "2"):
                    io.err(f"{SH}: {target}: illegal file descriptor name\n".encode())
                    return 1
                writer = io.out if target == "1" else io.err
                io = replace(io, out=writer) if r.fd == 1 else replace(io, err=writer)
            elif r.op == "<":
                try:
                    io = replace(io, stdin=InBuf(self._read_file(target)))
                except FsError as e:
                    io.err(f"{SH}: can't open {target}: {e}\n".encode())
                    return 1
            else:
                writer = self._file_writer(target, append=r.op == ">>", io=io)
                if writer is None:
                    return 1
                io = replace(io, out=writer) if r.fd == 1 else replace(io, err=writer) if r.fd == 2 else io
        return io

    def _read_file(self, target: str) -> bytes:
        if target == "/dev/zero":
            return bytes(1 << 20)  # endless on a phone; a MiB is more than a reader of it here takes
        with self.device.lock:
            return self.fs.read(posixpath.join(self.cwd, target))

    def _file_writer(self, target: str, append: bool, io: Io) -> Writer | None:
        if target == "/dev/null":
            return lambda _d: None
        if target in ("/dev/stdout", "/dev/tty"):
            return io.out
        if target == "/dev/stderr":
            return io.err
        path = posixpath.join(self.cwd, target)
        fs = self.fs
        try:
            with self.device.lock:
                if not append or not fs.exists(path):
                    fs.write(path, b"")
        except FsError as e:
            io.err(f"{SH}: can't create {target}: {e}\n".encode())
            return None

        def write(data: bytes) -> None:
            with self.device.lock:
                fs.write(path, data, append=True)

        return write


def registrar(table: dict[str, CommandFn]) -> Callable[..., Callable[[CommandFn], CommandFn]]:
    """The ``@command("name", "alias", ...)`` decorator of a command module: adds a command to ``table`` under
    each of its names."""

    def command(*names: str) -> Callable[[CommandFn], CommandFn]:
        def register(fn: CommandFn) -> CommandFn:
            for name in names:
                table[name] = fn
            return fn

        return register

    return command


def unlocked(fn: Any) -> Any:
    """Mark a command that must run without holding the device lock (it waits, e.g. ``sleep``)."""
    fn.unlocked = True
    return fn
