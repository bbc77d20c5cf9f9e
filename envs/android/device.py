"""``AndroidDevice``: the device commands the environment uses, typed, over an ``AdbTransport``.

Every method builds an argument tuple (never a command string), runs it with a bounded timeout and parses
the answer with ``dumpsys.py``. Methods that change the device are sent as non-idempotent, so the retry
wrapper never repeats them once they may have run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..base import ActionRejected, EnvError
from . import dumpsys
from .adb import AdbTransport, ShellResult, SyncTransport
from .sync import FileStat

log = logging.getLogger(__name__)

UI_DUMP_PATH = "/data/local/tmp/qwen2vl_agent_ui.xml"
KEY_HOME, KEY_BACK, KEY_MENU, KEY_ENTER, KEY_APP_SWITCH, KEY_WAKEUP = 3, 4, 82, 66, 187, 224  # KeyEvent codes
ANIMATION_SETTINGS = ("window_animation_scale", "transition_animation_scale", "animator_duration_scale")


@dataclass(frozen=True)
class Timeouts:
    """Seconds each kind of call may take before the device counts as unresponsive."""

    query: float = 10.0  # dumpsys, wm, pm, settings
    capture: float = 15.0  # screencap (a 10 MB raw frame, or an on-device PNG encode)
    input: float = 10.0  # input tap/keyevent/text (JVM start-up), plus any gesture duration
    launch: float = 20.0  # monkey / am start
    ui_dump: float = 20.0  # uiautomator dump
    files: float = 30.0  # one file pulled, pushed, listed or stat'ed over sync


@dataclass(frozen=True)
class DisplayInfo:
    """The display as the input system sees it now: ``size`` is in input coordinates (rotated)."""

    physical: tuple[int, int]
    override: tuple[int, int] | None
    rotation: int
    density: int | None

    @property
    def size(self) -> tuple[int, int]:
        w, h = self.override or self.physical
        return (h, w) if self.rotation % 2 else (w, h)


class AndroidDevice:
    """One device behind a transport. Thin: argv in, parsed values out."""

    def __init__(self, transport: AdbTransport, timeouts: Timeouts = Timeouts()) -> None:
        self.transport = transport
        self.timeouts = timeouts
        self.calls = 0  # commands sent so far: lets the env tell whether anything ran since a frame was taken

    @property
    def serial(self) -> str:
        return self.transport.serial

    def run(self, *argv: str, timeout: float | None = None, idempotent: bool = True) -> ShellResult:
        self.calls += 1
        return self.transport.shell(argv, timeout=timeout or self.timeouts.query, idempotent=idempotent)

    def act(self, *argv: str, extra_s: float = 0.0) -> ShellResult:
        """Run a command that changes the device; fail loudly if the tool reports an error."""
        result = self.run(*argv, timeout=self.timeouts.input + extra_s, idempotent=False)
        _check_tool(argv, result)
        return result

    # ---------------------------------------------------------------- capture

    def screencap(self, png: bool = False, display_id: str | None = None) -> bytes:
        argv = ["screencap"] + (["-p"] if png else []) + (["-d", display_id] if display_id else [])
        return self.run(*argv, timeout=self.timeouts.capture).stdout

    # ---------------------------------------------------------------- queries

    def display(self) -> DisplayInfo:
        physical, override = dumpsys.parse_wm_size(self.run("wm", "size").text)
        density = dumpsys.parse_wm_density(self.run("wm", "density").text)
        return DisplayInfo(physical, override, self.rotation(), density)

    def rotation(self) -> int:
        for argv in (("dumpsys", "window", "displays"), ("dumpsys", "display")):
            value = dumpsys.parse_rotation(self.run(*argv).text)
            if value is not None:
                return value
        return 0  # not reported: natural orientation

    def foreground(self) -> str | None:
        """The focused activity ``pkg/.Act`` (or window name), None when nothing has focus."""
        found = dumpsys.parse_foreground(self.run("dumpsys", "window", "windows").text)
        if found is None or "/" not in found:
            activity = dumpsys.parse_foreground(self.run("dumpsys", "activity", "activities").text)
            found = activity or found
        return found

    def latest_frame(self) -> int | None:
        """The newest presented frame's timestamp (ns) from ``dumpsys SurfaceFlinger --latency``; None where
        the device prints none (the settle wait then compares captures)."""
        return dumpsys.parse_latest_frame(self.run("dumpsys", "SurfaceFlinger", "--latency").text)

    def page_flips(self) -> int | None:
        """How many frames SurfaceFlinger has composed on the default display (``service call SurfaceFlinger
        1013``, the page-flip count): unchanged means nothing on the screen changed, whichever window drew.
        None where the device does not answer it (the settle wait then reads frame timestamps)."""
        return dumpsys.parse_page_flips(self.run("service", "call", "SurfaceFlinger", "1013").text)

    def wakefulness(self) -> str | None:
        return dumpsys.parse_wakefulness(self.run("dumpsys", "power").text)

    def keyguard(self) -> dumpsys.Keyguard:
        state = dumpsys.parse_keyguard(self.run("dumpsys", "window", "policy").text)
        if state.showing is None:  # older releases have no `policy` section
            state = dumpsys.parse_keyguard(self.run("dumpsys", "window").text)
        return state

    def packages(self) -> list[str]:
        return dumpsys.parse_packages(self.run("pm", "list", "packages").text)

    def launchable(self) -> dict[str, str]:
        """{package: launcher component}; empty if this Android cannot list them (before 7)."""
        argv = ("cmd", "package", "query-activities", "--brief", "-a", "android.intent.action.MAIN")
        result = self.run(*argv, "-c", "android.intent.category.LAUNCHER")
        return dumpsys.parse_components(result.text) if result.exit_code in (0, None) else {}

    def setting(self, namespace: str, key: str) -> str | None:
        return dumpsys.parse_setting(self.run("settings", "get", namespace, key).out)

    def put_setting(self, namespace: str, key: str, value: str | None) -> ShellResult:
        """Set (or, with None, delete) a setting; what ``settings`` answered, for callers that check it."""
        argv = ("settings", "delete", namespace, key) if value is None else ("settings", "put", namespace, key, value)
        return self.run(*argv, idempotent=True)

    def ime_list(self, all_installed: bool = True) -> list[str]:
        return dumpsys.parse_ime_list(self.run("ime", "list", "-s", *(["-a"] if all_installed else [])).text)

    # ---------------------------------------------------------------- actions

    def tap(self, x: int, y: int) -> None:
        self.act("input", "tap", str(x), str(y))

    def swipe(self, start: tuple[int, int], end: tuple[int, int], duration_ms: int) -> None:
        coords = [str(v) for v in (*start, *end)]
        self.act("input", "swipe", *coords, str(duration_ms), extra_s=duration_ms / 1000)

    def keyevent(self, code: int) -> None:
        self.act("input", "keyevent", str(code))

    def input_text(self, arg: str) -> None:
        self.act("input", "text", arg)

    def broadcast(self, action: str, extras: Sequence[str] = ()) -> ShellResult:
        result = self.run("am", "broadcast", "-a", action, *extras, timeout=self.timeouts.launch, idempotent=False)
        _check_tool(("am", "broadcast"), result)
        return result

    def set_ime(self, ime: str) -> None:
        for verb in ("enable", "set"):
            result = self.run("ime", verb, ime, idempotent=True)
            _check_tool(("ime", verb), result)

    def launch(self, package: str, component: str | None = None) -> None:
        """Start an app's launcher activity (``am start -n`` when the component is known, else monkey)."""
        if component:
            argv: tuple[str, ...] = ("am", "start", "-n", component)
        else:
            argv = ("monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1")
        result = self.run(*argv, timeout=self.timeouts.launch, idempotent=False)
        if "No activities found" in result.text or "does not exist" in result.text:
            raise ActionRejected(f"The app {package} cannot be opened: it has no launcher activity.")
        _check_tool(argv, result)

    def ui_dump(self, attempts: int = 3, pause_s: float = 0.5, path: str = UI_DUMP_PATH) -> str:
        """The UI hierarchy XML; retried while uiautomator cannot get an idle state (animations).

        ``path``: the file on the device the dump goes through (removed after it is read).
        """
        error = ""
        for attempt in range(attempts):
            result = self.run("uiautomator", "dump", path, timeout=self.timeouts.ui_dump)
            error = dumpsys.ui_dump_failed(result.text) or ""
            if not error:
                xml = self.run("cat", path).out
                self.run("rm", "-f", path)
                return xml
            log.info("uiautomator dump failed (%s), attempt %d of %d", error, attempt + 1, attempts)
            if attempt + 1 < attempts:
                time.sleep(pause_s)
        raise EnvError(f"uiautomator dump failed {attempts} times: {error}")

    # ---------------------------------------------------------------- files, over the sync service

    def stat(self, path: str) -> FileStat | None:
        """The file at ``path``, or None when it does not exist."""
        return self._sync().stat(path, timeout=self.timeouts.files)

    def listdir(self, path: str) -> list[FileStat]:
        return self._sync().listdir(path, timeout=self.timeouts.files)

    def pull(self, path: str) -> bytes:
        return self._sync().pull(path, timeout=self.timeouts.files)

    def push(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self._sync().push(path, data, mode=mode, timeout=self.timeouts.files)

    def _sync(self) -> SyncTransport:
        self.calls += 1
        if not isinstance(self.transport, SyncTransport):
            raise EnvError(f"{self.transport!r} has no file transfer (sync) service")
        return self.transport


def _check_tool(argv: Sequence[str], result: ShellResult) -> None:
    """Device tools print errors and often still exit 0; catch the unmistakable ones."""
    text = result.text
    markers = ("inaccessible or not found", "Exception occurred", "Error: Unknown command", "Usage: input")
    if (result.exit_code not in (0, None)) or any(m in text for m in markers):
        raise EnvError(f"`{' '.join(argv[:3])}` failed (exit {result.exit_code}): {text.strip()[:300]}")
