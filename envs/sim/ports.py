"""``Phone``: the simulated phone as its system parts see it.

The parts (the window manager's screens, input events, the keyguard, animations, the on-screen keyboard, the
shell and its commands) are handed the device and type it as ``Phone``; ``Device`` (``device.py``, the hub)
is the one implementation and builds them, so the hub depends on the parts and never the reverse. This
module imports nothing at run time; for types it names only the state records below the parts (``state``,
``fs``, ``wm``, ``apps.base``, ``ui.node``), none of which imports it back. Apps see less: ``DeviceView`` in
``apps/base.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .apps.base import App
    from .fs import MemFS
    from .state import Keyguard, Settings, SimClock
    from .ui.node import Node
    from .wm import WindowManager


class Phone(Protocol):
    """What the parts read and change of the phone; every change runs under ``lock`` (re-entrant)."""

    seed: int
    fs: MemFS
    clock: SimClock
    settings: Settings
    props: dict[str, str]
    wm: WindowManager
    keyguard: Keyguard
    awake: bool
    locked: bool
    clipboard: str
    touch_down: tuple[float, float, float] | None
    override_size: tuple[int, int] | None
    override_density: int | None
    physical_size: tuple[int, int]
    physical_density: int

    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    @property
    def apps(self) -> Mapping[str, App]: ...

    @property
    def rotation(self) -> int: ...

    @property
    def density(self) -> int: ...

    def dp(self, v: float) -> int: ...

    def display_size(self) -> tuple[int, int]: ...

    def current_ime(self) -> str: ...

    def launchable(self) -> list[App]: ...

    def start_activity(self, action: str, data: str = "", extras: dict[str, Any] | None = None) -> bool: ...

    def changing(self) -> AbstractContextManager[None]: ...

    def animating(self) -> bool: ...

    def frame(self) -> Node: ...

    def ui_xml(self, compressed: bool = False) -> str: ...

    def screencap_png(self) -> bytes: ...

    def screencap_raw(self) -> bytes: ...

    def tap(self, x: float, y: float) -> None: ...

    def swipe(self, x1: float, y1: float, x2: float, y2: float, duration_ms: int = 300) -> None: ...

    def key(self, code: int) -> None: ...

    def type_text(self, text: str) -> bool: ...
