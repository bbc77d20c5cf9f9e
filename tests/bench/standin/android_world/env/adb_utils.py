"""The ``android_world.env.adb_utils`` functions the adapter uses, as in d9c569f.

``issue_generic_request`` hands ``env.execute_adb_call`` a request, as the real one does (there an
``adb_pb2.AdbRequest``; here a small record with the same ``generic.args`` and ``timeout_sec``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from typing import Any

_DEFAULT_TIMEOUT_SECS = 10

_PATTERN_TO_ACTIVITY = {  # a few rows of the real table
    "google chrome|chrome": "com.android.chrome/com.google.android.apps.chrome.Main",
    "settings|system settings": "com.android.settings/.Settings",
    "clock": "com.google.android.deskclock/com.android.deskclock.DeskClock",
    "contacts": "com.google.android.contacts/com.android.contacts.activities.PeopleActivity",
}

_DEFAULT_URIS: dict[str, str] = {
    "calendar": "content://com.android.calendar",
    "browser": "http://",
    "contacts": "content://contacts/people/",
    "email": "mailto:",
    "gallery": "content://media/external/images/media/",
}


@dataclasses.dataclass
class GenericRequest:
    args: list[str]


@dataclasses.dataclass
class AdbRequest:
    generic: GenericRequest
    timeout_sec: float | None = None


def issue_generic_request(
    args: Collection[str] | str, env: Any, timeout_sec: float | None = _DEFAULT_TIMEOUT_SECS
) -> Any:
    args = args.split(" ") if isinstance(args, str) else list(args)
    return env.execute_adb_call(AdbRequest(generic=GenericRequest(args=args), timeout_sec=timeout_sec))


def get_adb_activity(app_name: str) -> str | None:
    for pattern, activity in _PATTERN_TO_ACTIVITY.items():
        if re.match(pattern.lower(), app_name.lower()):
            return activity
    return None


def generate_swipe_command(
    start_x: int, start_y: int, end_x: int, end_y: int, duration_ms: int | None = None
) -> list[str]:
    duration_str = str(duration_ms) if duration_ms else ""
    return ["shell", "input", "swipe", str(start_x), str(start_y), str(end_x), str(end_y), duration_str]
