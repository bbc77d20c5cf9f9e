"""What an app is: an ``App`` (package, label, launcher activity, seeded data) and its ``Activity`` screens.

An activity builds its screen from state on every frame (``build(ui) -> Node``). Durable state lives in
the device's real stores (settings, SQLite files under ``/data/data/<pkg>/databases``, files under
``/sdcard``) so that benchmark checks read it over adb; only transient UI state (text typed into fields,
scroll offsets, an open dialog) lives on the activity.

Apps see the phone through ``DeviceView``, the few things they use of it; they never import the device
itself (``envs/sim/device.py`` builds them), nor one another: one app opens another with an intent
(``Activity.start_intent``), as on Android.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..ui import theme

if TYPE_CHECKING:
    from ..fs import MemFS
    from ..ui.node import Node
    from ..ui.widgets import Ui


class Clock(Protocol):
    """Device time (epoch seconds): ``start`` is where seeded data dates from."""

    @property
    def start(self) -> float: ...

    def now(self) -> float: ...


class SettingsView(Protocol):
    """The ``settings`` provider: string values per namespace (system, secure, global)."""

    def get(self, ns: str, key: str, default: str | None = None) -> str | None: ...

    def put(self, ns: str, key: str, value: str) -> None: ...

    def on(self, ns: str, key: str) -> bool: ...

    def number(self, ns: str, key: str, default: float = 0) -> float: ...


class Windows(Protocol):
    """What apps ask of the window manager: start, stack and finish activities, focus, toasts."""

    def launch(self, package: str, activity: type[Activity] | None = None, extras: dict[str, Any] | None = None,
               clear_top: bool = False) -> Activity: ...  # fmt: skip

    def push(self, activity: Activity) -> None: ...

    def finish(self, activity: Activity) -> None: ...

    def force_stop(self, package: str) -> None: ...

    def task_for(self, package: str) -> object | None: ...

    def focus_on(self, activity: Activity, key: str, multiline: bool = False) -> None: ...

    def is_focused(self, activity: Activity, key: str) -> bool: ...

    def unfocus(self, activity: Activity | None = None) -> None: ...

    def toast(self, text: str) -> None: ...


class ScreenLock(Protocol):
    """The keyguard's PIN (None: no lock); ``secure`` when one is set."""

    pin: str | None

    @property
    def secure(self) -> bool: ...


class DeviceView(Protocol):
    """The phone as an app sees it. ``Device`` is one; apps and widgets depend on nothing more."""

    @property
    def seed(self) -> int: ...

    @property
    def fs(self) -> MemFS: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> SettingsView: ...

    @property
    def props(self) -> Mapping[str, str]: ...

    @property
    def apps(self) -> Mapping[str, App]: ...

    @property
    def wm(self) -> Windows: ...

    @property
    def keyguard(self) -> ScreenLock: ...

    def dp(self, v: float) -> int: ...

    def display_size(self) -> tuple[int, int]: ...

    def launchable(self) -> list[App]: ...

    def start_activity(self, action: str, data: str = "", extras: dict[str, Any] | None = None) -> bool: ...


def resolve_intent(
    apps: Iterable[App], action: str, data: str = ""
) -> tuple[App, type[Activity], dict[str, Any]] | None:
    """The app and activity an implicit intent starts, with the extras it implies, as ``am start`` resolves
    it: the first activity declaring ``action``, else the first app whose ``resolve_view`` takes ``data``.
    ``am start`` (``shell/cmd_am.py``) and ``Device.start_activity`` both resolve here, then lay the intent's
    own extras over the implied ones."""
    for app in apps:
        for act in app.activities:
            if action and action in act.actions:
                return app, act, {"data": data} if data else {}
        resolved = getattr(app, "resolve_view", None)
        if data and resolved is not None:
            found = resolved(data)
            if found is not None:
                return app, found[0], dict(found[1])
    return None


class Activity:
    """One screen. ``cls`` is the class name, relative (``.Settings``) or full."""

    cls: ClassVar[str] = ".MainActivity"
    actions: ClassVar[tuple[str, ...]] = ()  # intent actions this activity answers (am start -a ...)
    secure: ClassVar[bool] = False  # WindowManager.LayoutParams.FLAG_SECURE: screencap gives a black frame

    def __init__(self, app: App, device: DeviceView, extras: dict[str, Any] | None = None) -> None:
        self.app = app
        self.device = device
        self.extras = dict(extras or {})
        self.fields: dict[str, str] = {}
        self.scroll: dict[str, int] = {}
        self.dialog: Callable[[Ui], Node] | None = None

    # ---------------------------------------------------------------- names

    @classmethod
    def full_class(cls, package: str) -> str:
        return package + cls.cls if cls.cls.startswith(".") else cls.cls

    @property
    def package(self) -> str:
        return self.app.package

    @property
    def component(self) -> str:
        """``pkg/full.Class``, as in ``mCurrentFocus``."""
        return f"{self.package}/{self.full_class(self.package)}"

    @property
    def short_component(self) -> str:
        """``pkg/.Class`` when the class is inside the package, as ActivityRecord prints it."""
        full = self.full_class(self.package)
        if full.startswith(self.package + "."):
            return f"{self.package}/{full[len(self.package) :]}"
        return self.component

    # ---------------------------------------------------------------- behaviour (override)

    def build(self, ui: Ui) -> Node:
        raise NotImplementedError

    def on_back(self) -> bool:
        """Handle Back before the activity is finished; return True if consumed."""
        return False

    def on_submit(self, key: str) -> bool:
        """ENTER in the focused field ``key``; return True if handled (else multiline fields get a newline)."""
        return False

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        """A swipe that no scrolling view took; return True if handled."""
        return False

    def on_resume(self) -> None:
        """Called when the activity comes to the front again."""

    # ---------------------------------------------------------------- helpers

    def finish(self) -> None:
        self.device.wm.finish(self)

    def start(self, activity: type[Activity], **extras: Any) -> None:
        self.device.wm.push(activity(self.app, self.device, extras))

    def start_intent(self, action: str, data: str = "", **extras: Any) -> bool:
        """``startActivity`` with an implicit intent: whichever app answers it opens (False: none does)."""
        return self.device.start_activity(action, data, extras)

    def show(self, dialog: Callable[[Ui], Node]) -> None:
        self.dialog = dialog

    def dismiss(self) -> None:
        self.dialog = None
        self.device.wm.unfocus(self)

    def toast(self, text: str) -> None:
        self.device.wm.toast(text)


class App:
    """An installed app. Subclasses set the class attributes and may seed data and define activities."""

    package: ClassVar[str] = ""
    label: ClassVar[str] = ""
    glyph: ClassVar[str] = ""
    color: ClassVar[tuple[int, int, int]] = theme.PRIMARY
    activities: ClassVar[tuple[type[Activity], ...]] = ()  # the first is the launcher activity
    version: ClassVar[str] = "14"

    def __init__(self, device: DeviceView) -> None:
        self.device = device

    @property
    def launchable(self) -> bool:
        return bool(self.activities)

    @property
    def data_dir(self) -> str:
        return f"/data/data/{self.package}"

    def activity_class(self, name: str) -> type[Activity] | None:
        """Find an activity by ``.Short``, ``full.Class`` or ``Short`` name."""
        for act in self.activities:
            full = act.full_class(self.package)
            if name in (act.cls, full) or full.endswith("." + name.lstrip(".")):
                return act
        return None

    def seed(self, rng: random.Random) -> None:
        """Create the app's initial data (called on reset, after ``clear``)."""

    def clear(self) -> None:
        """``pm clear``: delete the app's private data (databases are recreated empty on next use)."""
        fs = self.device.fs
        if fs.exists(self.data_dir):
            fs.remove(self.data_dir, recursive=True)
        fs.mkdir(self.data_dir + "/databases", parents=True)
        self.on_clear()

    def on_clear(self) -> None:
        """Forget in-memory state kept beside the stores (timers, caches)."""


class SystemApp(App):
    """A package with no launcher entry (providers, system UI, IMEs)."""

    def __init__(self, device: DeviceView, package: str, label: str = "") -> None:
        super().__init__(device)
        self._package = package
        self._label = label or package

    @property  # type: ignore[override]
    def package(self) -> str:  # type: ignore[override]
        return self._package

    @property  # type: ignore[override]
    def label(self) -> str:  # type: ignore[override]
        return self._label
