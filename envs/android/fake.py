"""Fakes for the adb boundary, so the Android environment is tested without adb or a device.

``FakeAdb(handler)`` is an ``AdbTransport`` that answers every command from ``handler(argv)`` and records
it (the idea of httpx's ``MockTransport``). It also checks that each argv survives the quoting round trip
``shlex.split(command_line(argv)) == argv``, the property that keeps typed text from running as a command.

``FakePhone`` is a ready handler: a small phone state (screen colour, focused app, one text field, lock
screen, IMEs, settings) answering with the output formats of a recent Android release. As on a phone, text
reaches the field only while it has focus (``focused``); else ``input text`` is silently dropped.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from .adb import ShellResult, command_line
from .keyboard import ADB_KEYBOARD_IME, decode_input_text

Answer = ShellResult | str | bytes
Handler = Callable[[tuple[str, ...]], Answer]


class FakeAdb:
    """An ``AdbTransport`` answering from ``handler``; ``calls`` lists every argv, ``closed`` after close()."""

    def __init__(self, handler: Handler, serial: str = "fake-0001") -> None:
        self.handler = handler
        self.serial = serial
        self.calls: list[tuple[str, ...]] = []
        self.closed = False

    def shell(self, argv: Sequence[str], *, timeout: float, idempotent: bool = True) -> ShellResult:
        line = command_line(argv)
        if shlex.split(line) != list(argv):  # pragma: no cover - would be a quoting bug
            raise AssertionError(f"quoting round trip failed: {argv!r} -> {line!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.calls.append(tuple(argv))
        answer = self.handler(tuple(argv))
        if isinstance(answer, ShellResult):
            return answer
        return ShellResult(answer.encode() if isinstance(answer, str) else answer)

    def close(self) -> None:
        self.closed = True

    def commands(self, program: str) -> list[tuple[str, ...]]:
        """The recorded calls of one program (e.g. ``"input"``)."""
        return [c for c in self.calls if c[0] == program]


PALETTE = [(30, 90, 160), (200, 70, 40), (40, 150, 90), (150, 60, 160), (220, 180, 40), (90, 90, 90)]


@dataclass
class FakePhone:
    """A phone's state and a handler answering adb commands from it (formats of Android 12-14)."""

    size: tuple[int, int] = (108, 240)
    density: int = 420
    foreground: str = "com.google.android.apps.nexuslauncher/.NexusLauncherActivity"
    apps: dict[str, str] = field(
        default_factory=lambda: {
            "com.android.settings": "com.android.settings/.Settings",
            "com.google.android.deskclock": "com.google.android.deskclock/com.android.deskclock.DeskClock",
            "com.android.chrome": "com.android.chrome/com.google.android.apps.chrome.Main",
        }
    )
    wakefulness: str = "Awake"
    keyguard_showing: bool = False
    keyguard_secure: bool = False
    imes: list[str] = field(default_factory=lambda: ["com.google.android.inputmethod.latin/.LatinIME"])
    settings: dict[tuple[str, str], str] = field(default_factory=dict)
    raw_format: int = 1
    black: bool = False  # every frame black (a secure window)
    animating: int = 0  # captures after an action that still change (settle tests)
    ui_busy: int = 0  # `uiautomator dump` calls that fail with "could not get idle state"
    files: dict[str, str] = field(default_factory=dict)
    typed: str = ""  # the text field's content
    focused: bool = True  # the text field has focus (typed text reaches it)
    password: bool = False  # the field masks its text in the UI tree
    hint: str = ""  # what the empty field shows (uiautomator reports it as the text)
    max_length: int | None = None  # the field keeps at most this many characters (an input filter)
    frame: int = 0
    events: list[tuple[str, ...]] = field(default_factory=list)
    _pending: int = 0

    def __post_init__(self) -> None:
        self.settings.setdefault(("secure", "default_input_method"), self.imes[0])

    def __call__(self, argv: tuple[str, ...]) -> Answer:
        handler = getattr(self, f"_cmd_{argv[0]}", None)
        if handler is None:
            return ShellResult(b"", f"/system/bin/sh: {argv[0]}: inaccessible or not found\n".encode(), 127)
        return handler(argv[1:])

    def transport(self, serial: str = "fake-0001") -> FakeAdb:
        return FakeAdb(self, serial)

    def changed(self, *event: str) -> None:
        self.events.append(event)
        self.frame += 1
        self._pending = self.animating

    def enter_text(self, text: str) -> None:
        """What the focused field does with committed text (nothing, when no field has focus)."""
        if self.focused:
            self.typed = (self.typed + text)[: self.max_length]

    def field_xml(self) -> str:
        """The text field as uiautomator reports it (the hint when empty; dots for a password)."""
        w = self.size[0]
        text = self.typed or self.hint
        text = "\u2022" * len(text) if self.password else text
        flags = f'focusable="true" focused="{str(self.focused).lower()}" password="{str(self.password).lower()}"'
        return (
            f'<node index="0" text={quoteattr(text)} resource-id="com.example:id/field" '
            f'class="android.widget.EditText" {flags} bounds="[0,10][{w},40]" />'
        )

    # ---------------------------------------------------------------- screen

    def image(self):
        from PIL import Image

        color = (0, 0, 0) if self.black or self.wakefulness != "Awake" else PALETTE[self.frame % len(PALETTE)]
        img = Image.new("RGB", self.size, color)
        if self._pending > 0:  # an animation still running: a moving bar
            self._pending -= 1
            img.paste((255, 255, 255), (0, 0, self.size[0], 4 + self._pending * 8))
        return img

    def _cmd_screencap(self, args: tuple[str, ...]) -> Answer:
        import io

        from .screencap import encode_raw

        if "-p" in args:
            out = io.BytesIO()
            self.image().save(out, "PNG")
            return out.getvalue()
        return encode_raw(self.image(), self.raw_format, 16)

    # ---------------------------------------------------------------- queries

    def _cmd_wm(self, args: tuple[str, ...]) -> Answer:
        if args[:1] == ("size",):
            return f"Physical size: {self.size[0]}x{self.size[1]}\n"
        if args[:1] == ("density",):
            return f"Physical density: {self.density}\n"
        if args[:1] == ("dismiss-keyguard",):
            if not self.keyguard_secure:
                self.keyguard_showing = False
            return ""
        return ShellResult(b"", b"Error: Unknown command\n", 1)

    def _cmd_dumpsys(self, args: tuple[str, ...]) -> Answer:
        focus = "NotificationShade" if self.keyguard_showing else self.foreground
        match args:
            case ("power", *_):
                return f"POWER MANAGER (dumpsys power)\n  mWakefulness={self.wakefulness}\n"
            case ("window", "policy"):
                showing, secure = str(self.keyguard_showing).lower(), str(self.keyguard_secure).lower()
                return f"    KeyguardServiceDelegate\n      showing={showing}\n      secure={secure}\n"
            case ("window", "displays"):
                return "  Display: mDisplayId=0\n    mCurrentRotation=ROTATION_0\n"
            case ("window", *_):
                return f"  mCurrentFocus=Window{{4f3a2b1 u0 {focus}}}\n"
            case ("activity", *_):
                return f"  mResumedActivity: ActivityRecord{{9c1 u0 {self.foreground} t12}}\n"
        return ""

    def _cmd_pm(self, args: tuple[str, ...]) -> Answer:
        return "".join(f"package:{p}\n" for p in sorted({*self.apps, "android", "com.android.systemui"}))

    def _cmd_cmd(self, args: tuple[str, ...]) -> Answer:
        if args[:2] == ("package", "query-activities"):
            return "".join(f"priority=0 preferredOrder=0 match=0x108000\n{c}\n" for c in self.apps.values())
        return ShellResult(b"", b"Unknown command\n", 255)

    def _cmd_settings(self, args: tuple[str, ...]) -> Answer:
        verb, namespace, key, *value = args
        if verb == "get":
            return self.settings.get((namespace, key), "null") + "\n"
        if verb == "put":
            self.settings[(namespace, key)] = value[0]
        elif verb == "delete":
            self.settings.pop((namespace, key), None)
        return ""

    def _cmd_ime(self, args: tuple[str, ...]) -> Answer:
        if args[:1] == ("list",):
            return "".join(f"{i}\n" for i in self.imes)
        if args[0] in ("enable", "set") and args[1] in self.imes:
            if args[0] == "set":
                self.settings[("secure", "default_input_method")] = args[1]
            return f"Input method {args[1]} selected for user #0\n"
        return ShellResult(f"Unknown input method {args[-1]} cannot be selected\n".encode(), b"", 255)

    # ---------------------------------------------------------------- actions

    def _cmd_input(self, args: tuple[str, ...]) -> Answer:
        match args:
            case ("tap", x, y):
                self.changed("tap", x, y)
            case ("swipe", *coords):
                self.changed("swipe", *coords)
            case ("keyevent", code):
                self.wakefulness = "Awake" if code in ("224", "26") else self.wakefulness
                self.changed("key", code)
            case ("text", arg):
                if any(ord(c) > 0x7E or ord(c) < 0x20 for c in arg):
                    return ShellResult(b"", b"Exception occurred while executing 'text'\n", 255)
                self.enter_text(decode_input_text(arg))
                self.changed("text", arg)
            case _:
                return ShellResult(b"", b"Usage: input [<source>] <command> [<arg>...]\n", 1)
        return ""

    def _cmd_am(self, args: tuple[str, ...]) -> Answer:
        if args[:3] == ("broadcast", "-a", "ADB_INPUT_B64"):
            if self.settings.get(("secure", "default_input_method")) != ADB_KEYBOARD_IME:
                return "Broadcasting: Intent { act=ADB_INPUT_B64 }\nBroadcast completed: result=0\n"  # ignored
            self.enter_text(base64.b64decode(args[args.index("msg") + 1]).decode("utf-8"))
            self.changed("b64", args[-1])
            return "Broadcast completed: result=0\n"
        if args[:2] == ("start", "-n") and args[2] in self.apps.values():
            self.foreground = args[2]
            self.changed("start", args[2])
            return f"Starting: Intent {{ cmp={args[2]} }}\n"
        return ShellResult(b"", f"Error: Activity not started, unable to resolve {args[-1]}\n".encode(), 1)

    def _cmd_monkey(self, args: tuple[str, ...]) -> Answer:
        package = args[args.index("-p") + 1]
        if package not in self.apps:
            return ShellResult(b"** No activities found to run, monkey aborted.\n", b"", 251)
        self.foreground = self.apps[package]
        self.changed("start", self.foreground)
        return "Events injected: 1\n"

    def _cmd_uiautomator(self, args: tuple[str, ...]) -> Answer:
        if self.ui_busy > 0:
            self.ui_busy -= 1
            return "ERROR: could not get idle state.\n"
        path = args[1] if len(args) > 1 else "/sdcard/window_dump.xml"
        w, h = self.size
        self.files[path] = (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
            f'<node index="0" text="" package="{self.foreground.split("/")[0]}" bounds="[0,0][{w},{h}]">'
            f"{self.field_xml()}</node></hierarchy>"
        )
        return f"UI hierchary dumped to: {path}\n"

    def _cmd_cat(self, args: tuple[str, ...]) -> Answer:
        if args[0] not in self.files:
            return ShellResult(b"", f"cat: {args[0]}: No such file or directory\n".encode(), 1)
        return self.files[args[0]]

    def _cmd_rm(self, args: tuple[str, ...]) -> Answer:
        self.files.pop(args[-1], None)
        return ""
