"""The simulated phone's core, independent of any transport.

``Device`` owns the state a real phone has: display (size, density, rotation, overrides), power and
keyguard, settings (system/secure/global), system properties, an in-memory file system with real SQLite
databases, installed apps with their activities, the IME, the clipboard and a clock. Everything that
changes it is a method here (input events, ``reset``) or a shell command (``shell.run``). All access goes
through ``lock`` (a re-entrant lock): adb streams run on their own threads.
"""

from __future__ import annotations

import contextlib
import io
import random
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import defaults
from .animation import Animations
from .compositor import Compositor
from .fs import MemFS
from .hang import Gate
from .logbuf import LogBuffer
from .procs import ProcessTable
from .state import Keyguard, Settings, SimClock
from .wm import LAUNCHER, WindowManager

if TYPE_CHECKING:
    from .apps.base import App
    from .latency import LatencyProfile
    from .shell.streams import Result
    from .ui.node import Node

PNG_LEVEL = 6  # zlib level of Skia's PNG encoder, which ``screencap -p`` uses
FAST_PNG_LEVEL = 1  # the opt-in fast path (``fast_png``): cheaper, and cached per frame


def encode_png(image: Any, level: int = PNG_LEVEL) -> bytes:
    """``image`` as PNG bytes at zlib ``level``, RGBA (colour type 6) as ``screencap -p`` writes it."""
    buf = io.BytesIO()
    image.convert("RGBA").save(buf, format="PNG", compress_level=level)
    return buf.getvalue()


class Device:
    """A simulated phone. ``size`` is the physical portrait size in pixels, ``density`` in dpi.

    ``fast_png``: serve ``screencap -p`` from a level-1 PNG cached per distinct frame (the old fast path, for
    tests that capture PNGs in bulk). Off by default: a phone encodes every ``screencap -p`` afresh.
    ``latency``: a ``LatencyProfile`` adding a phone's screencap, input and app-start costs (off by default).
    ``root``: False makes a retail build whose adb shell is the ``shell`` user (uid 2000): writes outside
    /data/local/tmp and /sdcard and reads of app data fail with "Permission denied", ``adb root`` is refused.
    ``idle_errors``: ``uiautomator dump`` fails ("could not get idle state") while a screen transition
    animates with animations on, as on a phone (see ``animation.py``). Off by default, so existing clients
    that dump right after each action keep their speed; turn it on to test retry logic.
    """

    def __init__(self, seed: int = 0, size: tuple[int, int] = (1080, 2400), density: int = 420,
                 serial: str = "simphone", fast_png: bool = False, idle_errors: bool = False,
                 root: bool = True, latency: LatencyProfile | None = None) -> None:  # fmt: skip
        if size[0] < 200 or size[1] < 200 or density < 80:
            raise ValueError(f"unrealistic display {size} at {density} dpi")
        self.lock = threading.RLock()
        self.physical_size = size
        self.physical_density = density
        self.serial = serial
        self.fast_png = fast_png
        self._cache: tuple[Any, Any, dict[str, bytes]] | None = None
        self.idle_errors = idle_errors
        self.latency = latency  # None: no added cost; ``latency.PHONE``: a real phone's per-command costs
        self.root = root  # False: a retail (user) build, adbd's shell runs as uid 2000 (``perms.ShellFs``)
        self.gate = Gate()  # closed by freeze()
        self.animations = Animations()
        self.compositor = Compositor()
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        """Back to factory state: same seed, same contacts, messages, files; home screen, awake, unlocked,
        answering (a frozen device thaws)."""
        from .apps import install_all

        self.thaw()
        with self.lock:
            self.animations.until = 0.0
            self.seed = self.seed if seed is None else seed
            rng = random.Random(self.seed)
            self.clock = SimClock()
            self.fs = MemFS(self.clock.now, building=True)
            for d in ("/data/local/tmp", "/data/system", "/system/bin", "/storage/emulated/0", "/dev", "/proc"):
                self.fs.mkdir(d, parents=True)
            for d in ("Download", "Documents", "Pictures", "DCIM", "Music", "Movies", "Alarms", "Notifications"):
                self.fs.mkdir(f"/sdcard/{d}")
            self.props = defaults.props(self.physical_size, self.physical_density, self.serial)
            if not self.root:
                self.props.update({"ro.debuggable": "0", "ro.build.type": "user", "ro.build.tags": "release-keys",
                                   "service.adb.root": "0"})  # fmt: skip
            self._system_image()
            self.fs.building = False
            self.settings = Settings(defaults.settings(rng))
            self.override_size: tuple[int, int] | None = None
            self.override_density: int | None = None
            self.awake = True
            self.locked = False
            self.keyguard = Keyguard()
            self.clipboard = ""
            self.touch_down: tuple[float, float, float] | None = None  # ``input motionevent DOWN``: x, y, when
            self.logs = LogBuffer(self.clock.now)
            self.procs = ProcessTable()
            self.wm = WindowManager(self)
            self.wm.on_start, self.wm.on_stop = self._activity_started, self._package_stopped
            self.apps: dict[str, App] = install_all(self)
            for app in self.apps.values():
                app.clear()
            for app in self.apps.values():
                app.seed(random.Random(f"{self.seed}:{app.package}"))
            self.wm.launch(LAUNCHER)
            self._cache = None

    def _system_image(self) -> None:
        """The read-only files a phone ships: /system/bin (one file per command), build.prop, /dev nodes; /proc
        and /dev/zero are made up on each read (``procfs``)."""
        from . import procfs
        from .fs import CHAR_MODE, EXEC_MODE, Entry
        from .shell import commands

        for name in sorted(n for n in commands() if n.isidentifier() or n in ("[",)):
            self.fs.write(f"/system/bin/{name}", b"\x7fELF\x02\x01\x01")
            self.fs.stat(f"/system/bin/{name}").mode = EXEC_MODE
        self.fs.write("/system/build.prop", "".join(f"{k}={v}\n" for k, v in sorted(self.props.items())))
        self.fs.entries["/dev/null"] = Entry(bytearray(), int(self.clock.now()), CHAR_MODE)  # writes vanish
        self.fs.virtual = procfs.source(self)

    def reboot(self) -> None:
        """A simulated reboot (``adb reboot``): every app stops, logs and processes start afresh, the home screen
        shows, awake and unlocked unless a PIN is set; files, settings and properties survive."""
        with self.changing():
            self.logs = LogBuffer(self.clock.now)
            self.procs = ProcessTable()
            self.logs.write("I", "init", "init first stage started!", 1, 1, "main")
            self.wm = WindowManager(self)
            self.wm.on_start, self.wm.on_stop = self._activity_started, self._package_stopped
            self.awake, self.locked = True, self.keyguard.secure
            self.wm.launch(LAUNCHER)
            self._cache = None

    # ---------------------------------------------------------------- hanging and animating

    def freeze(self) -> None:
        """Stop answering adb requests while staying connected (a hung system, adbd still up): the transport
        keeps its connection and ``adb devices`` still says ``device``, but every new shell, exec or sync
        request waits. In-process calls (``shell()``, ``tap()``...) still run, so tests can inspect."""
        self.gate.close()

    def thaw(self) -> None:
        """Answer again: waiting requests whose client is still there run now; abandoned ones never run."""
        self.gate.open()

    @property
    def frozen(self) -> bool:
        return self.gate.closed

    @property
    def stalled(self) -> int:
        """How many adb requests are waiting for ``thaw()`` (the ones whose client gave up are not counted)."""
        return self.gate.waiting

    def wait_answering(self, abandoned: Callable[[], bool], poll_s: float = 0.02) -> bool:
        """Block the calling transport thread while frozen. True when it may go on, False when ``abandoned()``
        became true first (the host closed the stream): the request is then dropped, as a killed shell is."""
        return self.gate.wait(abandoned, poll_s)

    def animating(self) -> bool:
        """A screen transition is still animating (see ``animation.py``): ``uiautomator dump`` fails now."""
        return self.idle_errors and self.animations.running()

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the lock for a change; a screen transition it causes starts an animation."""
        with self.lock, self.animations.watch(self):
            yield

    # ---------------------------------------------------------------- display

    @property
    def rotation(self) -> int:
        """0-3 (ROTATION_0..270): the user rotation when auto-rotate is off, else portrait."""
        if self.settings.on("system", "accelerometer_rotation"):
            return 0
        return int(self.settings.number("system", "user_rotation")) % 4

    @property
    def density(self) -> int:
        return self.override_density or self.physical_density

    def display_size(self) -> tuple[int, int]:
        """The logical size apps draw at and ``input`` uses: the override if any, rotated."""
        w, h = self.override_size or self.physical_size
        return (h, w) if self.rotation % 2 else (w, h)

    def dp(self, v: float) -> int:
        return round(v * self.density / 160)

    # ---------------------------------------------------------------- apps

    def launchable(self) -> list[App]:
        return sorted((a for a in self.apps.values() if a.launchable and a.package != LAUNCHER),
                      key=lambda a: a.label.lower())  # fmt: skip

    def start_activity(self, action: str, data: str = "", extras: dict[str, Any] | None = None) -> bool:
        """An app's implicit intent (``startActivity``): the activity that answers ``action`` or views
        ``data`` opens with ``extras``; False when no app answers (nothing changes)."""
        from .apps.base import resolve_intent

        with self.lock:
            target = resolve_intent(self.apps.values(), action, data)
            if target is None:
                return False
            app, activity, implied = target
            self.wm.launch(app.package, activity, {**implied, **(extras or {})})
            return True

    def app_uid(self, package: str) -> int:
        """The app's Linux uid (``10000 + appid``), stable per package."""
        return 10000 + zlib.crc32(package.encode()) % 300

    def _activity_started(self, activity: Any) -> None:
        """What the activity manager does and logs when an activity starts (``ActivityTaskManager: START``)."""
        package, system = activity.package, self.procs.by_name("system_server")[0].pid
        self.logs.write("I", "ActivityTaskManager", f"START u0 {{flg=0x10000000 cmp={activity.short_component}}}"
                        " from uid 2000", system, system + 98, "system")  # fmt: skip
        uid = self.app_uid(package)
        proc, forked = self.procs.start(package, uid)
        if forked:
            self.logs.write("I", "ActivityManager", f"Start proc {proc.pid}:{package}/u0a{uid - 10000} for "
                            f"pre-top-activity {{{activity.component}}}", system, system + 19, "system")  # fmt: skip
        self.logs.write("I", "ActivityTaskManager", f"Displayed {activity.short_component}: +{180 + uid % 200}ms",
                        system, system + 98, "system")  # fmt: skip

    def _package_stopped(self, package: str) -> None:
        system = self.procs.by_name("system_server")[0].pid
        proc = self.procs.stop(package)
        uid = self.app_uid(package)
        self.logs.write("I", "ActivityManager", f"Force stopping {package} appid={uid} user=0", system, system + 7,
                        "system")  # fmt: skip
        if proc is not None:
            self.logs.write("I", "ActivityManager", f"Killing {proc.pid}:{package}/u0a{uid - 10000} (adj 0): stop "
                            f"{package} due to from pid 0", system, system + 7, "system")  # fmt: skip

    def install_app(self, app: App, apk: bytes, path: str) -> None:
        """``pm install``: add (or replace) ``app``, keep its APK at ``path``; a replaced app is stopped first."""
        with self.changing():
            old = self.apps.get(app.package)
            if old is not None:
                self.wm.force_stop(app.package)
            self.fs.write(path, apk, parents=True)
            self.apps[app.package] = app
            if old is None:
                app.clear()
            system = self.procs.by_name("system_server")[0].pid
            self.logs.write("I", "PackageManager", f"{'Replacing' if old else 'Installing'} package {app.package}"
                            f" from {path}", system, system + 61, "system")  # fmt: skip

    def uninstall_app(self, package: str, keep_data: bool = False) -> None:
        with self.changing():
            app = self.apps.pop(package)
            self.wm.force_stop(package)
            if not keep_data and self.fs.exists(app.data_dir):
                self.fs.remove(app.data_dir, recursive=True)
            system = self.procs.by_name("system_server")[0].pid
            self.logs.write("I", "PackageManager", f"Removing package {package}", system, system + 61, "system")

    def current_ime(self) -> str:
        return self.settings.get("secure", "default_input_method") or defaults.GBOARD

    # ---------------------------------------------------------------- screen

    def frame(self) -> Node:
        """The current widget tree (built fresh from state)."""
        from .screen import build_frame

        with self.lock:
            return build_frame(self)

    def secure_window(self) -> bool:
        """A FLAG_SECURE activity is on screen (``Activity.secure``): captures of it are black."""
        with self.lock:
            wm = self.wm
            return self.awake and not self.locked and not wm.recents and not wm.shade and wm.top.secure

    def _render(self) -> tuple[Node, Any, dict[str, bytes]]:
        """The tree, its image and encodings; the image is reused while the tree draws the same."""
        from PIL import Image

        from .ui.render import render

        with self.lock:
            tree = self.frame()
            secure = self.secure_window()
            sig = (tree.signature(), secure)
            if self._cache is None or self._cache[0] != sig:
                size = self.display_size()
                self._cache = (sig, Image.new("RGB", size) if secure else render(tree, size), {})
            return tree, self._cache[1], self._cache[2]

    def presented_frames(self) -> list[int]:
        """What ``dumpsys SurfaceFlinger --latency`` lists: when the newest frames (up to 127) were presented,
        in ns of the animation clock (``time.monotonic`` unless a test moves its own); see ``compositor.py``."""
        return list(self._composed().frames)

    def page_flips(self) -> int:
        """What ``service call SurfaceFlinger 1013`` answers: how many frames were composed on the display."""
        return self._composed().flips

    def _composed(self) -> Compositor:
        with self.lock:
            self.compositor.look(self.animations, (self.frame().signature(), self.secure_window()))
            return self.compositor

    def invalidate_frame(self) -> None:
        """Forget the cached frame and encodings (benchmarks use it to time a fresh render)."""
        with self.lock:
            self._cache = None

    def screenshot(self) -> Any:
        """The screen as ``screencap`` captures it, an RGB PIL image: black while the screen is off or a
        FLAG_SECURE window shows (the panel shows the window; captures do not)."""
        return self._render()[1]

    def screencap_png(self) -> bytes:
        """``screencap -p``: the frame encoded afresh at zlib level 6 on every call, as a phone does (its
        encode is what makes ``-p`` slow); the encode runs outside ``lock``. With ``fast_png``, a level-1 PNG
        cached per distinct frame."""
        _, img, enc = self._render()
        if not self.fast_png:
            return encode_png(img, PNG_LEVEL)
        if "png" not in enc:
            enc["png"] = encode_png(img, FAST_PNG_LEVEL)
        return enc["png"]

    def screencap_raw(self) -> bytes:
        """``screencap`` without -p: 16-byte header (w, h, format RGBA_8888=1, colorspace sRGB=1), pixels.
        The buffer is cached per distinct frame: reading a framebuffer is cheap on a phone too."""
        _, img, enc = self._render()
        if "raw" not in enc:
            w, h = img.size
            enc["raw"] = struct.pack("<4I", w, h, 1, 1) + img.convert("RGBA").tobytes()
        return enc["raw"]

    def ui_xml(self, compressed: bool = False) -> str:
        from .ui.dump import dump_xml

        with self.lock:
            return dump_xml(self.frame(), self.rotation, compressed)

    # ---------------------------------------------------------------- input and shell

    def tap(self, x: float, y: float) -> None:
        from .events import tap

        with self.changing():
            tap(self, int(x), int(y))

    def swipe(self, x1: float, y1: float, x2: float, y2: float, duration_ms: int = 300) -> None:
        from .events import swipe

        with self.changing():
            swipe(self, int(x1), int(y1), int(x2), int(y2), duration_ms)

    def key(self, code: int) -> None:
        from .events import key

        with self.changing():
            key(self, code)

    def type_text(self, text: str) -> bool:
        """Type into the focused field (what an IME commits; the PIN pad while locked); False when no field
        has focus."""
        from . import keyguard

        with self.changing():
            if self.locked:
                return keyguard.type_text(self, text)
            return self.wm.type(text)

    def shell(self, command: str, stdin: bytes = b"") -> Result:
        """Run a command line as ``adb shell`` would (fresh shell, cwd ``/``)."""
        from .shell import new_shell

        return new_shell(self).run(command, stdin)
