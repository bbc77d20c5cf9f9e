"""A simulated Android phone that speaks the real ADB protocol.

adbutils (or the ``adb`` command) -> the real adb server -> ``SimPhone``'s adbd -> ``Device``: a phone
core with settings, an in-memory file system with real SQLite databases, apps drawn with PIL from widget
trees (the same trees give ``uiautomator dump``), and a shell that parses like Android's ``sh``.

- ``SimPhone(seed=0, size=(1080, 2400))``: one phone (context manager), with its own or a shared adb server.
- ``SimCluster(n)``: n phones on one adb server.
- ``Device``: the core alone, for pure-Python tests (``device.shell("...")``, ``device.tap(x, y)``, ...).

Behaving like a phone where runtimes stumble: ``screencap -p`` encodes a fresh PNG on every call
(``fast_png=True``: one cached level-1 PNG per frame); ``freeze()``/``thaw()`` make a phone stop answering adb
while staying connected; ``locksettings set-pin`` gives a secure keyguard that ``wm dismiss-keyguard`` cannot
dismiss; FLAG_SECURE screens (Settings' PIN screen) capture black; with ``idle_errors=True``
``uiautomator dump`` fails while a screen transition animates (animation scales above 0).
"""

from __future__ import annotations

from .device import Device
from .env import SimEnv
from .phone import SimCluster, SimPhone
from .transport.adbserver import AdbServer, AdbServerError

__all__ = ["AdbServer", "AdbServerError", "Device", "SimCluster", "SimEnv", "SimPhone"]
