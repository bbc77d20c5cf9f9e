"""``Phone``: the simulated phone as its system parts see it.

The parts (the window manager's screens, input events, the keyguard, animations, the on-screen keyboard, the
shell and its commands) are handed the device and type it as ``Phone``; ``Device`` (``device.py``, the hub)
is the one implementation and builds them, so the hub depends on the parts and never the reverse. This
module imports only ``DeviceView`` (``apps/base.py``, what apps see, which ``Phone`` extends); for types it
names only the state records below the parts (``state``, ``wm``, ``ui.node``), none of which imports it back.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

from .apps.base import DeviceView

if TYPE_CHECKING:
    from .latency import LatencyProfile
    from .logbuf import LogBuffer
    from .procs import ProcessTable
    from .state import Keyguard, Settings, SimClock
    from .ui.node import Node
    from .wm import WindowManager


class Phone(DeviceView, Protocol):
    """What the parts read and change of the phone: all an app sees (``DeviceView``), its concrete state
    records, and the rest below; every change runs under ``lock`` (re-entrant)."""

    props: dict[str, str]
    clock: SimClock
    settings: Settings
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
    logs: LogBuffer
    root: bool
    latency: LatencyProfile | None
    procs: ProcessTable

    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    @property
    def rotation(self) -> int: ...

    @property
    def density(self) -> int: ...

    def current_ime(self) -> str: ...

    def app_uid(self, package: str) -> int: ...

    def install_app(self, app: Any, apk: bytes, path: str) -> None: ...

    def uninstall_app(self, package: str, keep_data: bool = False) -> None: ...

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
