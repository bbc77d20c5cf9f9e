"""Parsers for what Android's shell tools print, across versions. Pure functions: text in, typed value out.

Each parser tries the formats seen on different Android releases in turn and returns ``None`` (or raises
``EnvError`` where the value is required) when none matches; callers decide what a missing value means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..base import EnvError

_SIZE = re.compile(r"(Physical|Override) size:\s*(\d+)\s*x\s*(\d+)")
_DENSITY = re.compile(r"(Physical|Override) density:\s*(\d+)")


def parse_wm_size(text: str) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """``wm size`` -> (physical size, override size or None). The override, when set, is what apps see."""
    found = {kind: (int(w), int(h)) for kind, w, h in _SIZE.findall(text)}
    if "Physical" not in found:
        raise EnvError(f"cannot read the screen size from `wm size`: {text.strip()[:200]!r}")
    return found["Physical"], found.get("Override")


def parse_wm_density(text: str) -> int | None:
    """``wm density`` -> the density in force (the override when set), or None."""
    found = dict(_DENSITY.findall(text))
    value = found.get("Override") or found.get("Physical")
    return int(value) if value else None


# Newest first: Android 10+ `mCurrentRotation=ROTATION_90`, older `mRotation=1`, `dumpsys display`'s
# DisplayInfo `rotation 1` and `mCurrentOrientation=1` / `orientation=1`.
_ROTATION = (
    re.compile(r"mCurrentRotation=(?:ROTATION_)?(\d+)"),
    re.compile(r"\bmRotation=(?:ROTATION_)?(\d+)"),
    re.compile(r"\brotation (\d+)\b"),
    re.compile(r"\b(?:mCurrentOrientation|orientation)=(\d+)"),
)


def parse_rotation(text: str) -> int | None:
    """The display rotation as a quarter-turn count 0..3 (``ROTATION_90`` and ``1`` both give 1), or None."""
    for pattern in _ROTATION:
        match = pattern.search(text)
        if match:
            value = int(match.group(1))
            value = value // 90 if value in (90, 180, 270) else value
            if 0 <= value <= 3:
                return value
    return None


_COMPONENT = r"([A-Za-z0-9_.]+/[A-Za-z0-9_.$]+)"
# `Window{hash u0 pkg/act}`, `ActivityRecord{hash u0 pkg/act t12}`: the user id may be any `u\d+`.
_FOREGROUND = (
    re.compile(r"mCurrentFocus=Window\{\S+ u\d+ " + _COMPONENT),
    re.compile(r"mFocusedApp=.*?ActivityRecord\{\S+ u\d+ " + _COMPONENT),
    re.compile(
        r"(?:mResumedActivity|topResumedActivity|ResumedActivity):? ?=?\s*ActivityRecord\{\S+ u\d+ " + _COMPONENT
    ),
    re.compile(r"mFocusedActivity: ActivityRecord\{\S+ u\d+ " + _COMPONENT),
)
_FOCUS_WINDOW = re.compile(r"mCurrentFocus=Window\{\S+ u\d+ ([^}]+)\}")


def parse_foreground(text: str) -> str | None:
    """The focused activity (``pkg/.Activity``) from ``dumpsys window`` or ``dumpsys activity activities``.

    Falls back to the focused window's name (``NotificationShade``, ``StatusBar``) when no activity has
    focus; None when nothing is recognised (``mCurrentFocus=null`` while the screen is off).
    """
    for pattern in _FOREGROUND:
        match = pattern.search(text)
        if match:
            return match.group(1)
    match = _FOCUS_WINDOW.search(text)
    return match.group(1).strip() if match else None


def package_of(component: str | None) -> str | None:
    """``com.android.settings/.Settings`` -> ``com.android.settings``."""
    return component.split("/", 1)[0] if component and "/" in component else None


def parse_wakefulness(text: str) -> str | None:
    """``dumpsys power`` -> ``Awake``, ``Asleep``, ``Dozing``, ``Dreaming`` (or None if not found)."""
    match = re.search(r"mWakefulness=(\w+)", text)
    if match:
        return match.group(1)
    match = re.search(r"mScreenOn=(true|false)", text)  # before Android 5
    if match:
        return "Awake" if match.group(1) == "true" else "Asleep"
    return None


@dataclass(frozen=True)
class Keyguard:
    """Whether the lock screen is showing and whether it needs a PIN/pattern (None: unknown)."""

    showing: bool | None
    secure: bool | None


_SHOWING = (
    re.compile(r"KeyguardServiceDelegate\b.*?\bshowing=(true|false)", re.S),
    re.compile(r"\b(?:mKeyguardShowing|isKeyguardShowing|keyguardShowing|mShowingLockscreen)=(true|false)"),
    re.compile(r"\bmDreamingLockscreen=(true|false)"),
)
_SECURE = (
    re.compile(r"KeyguardServiceDelegate\b.*?\bsecure=(true|false)", re.S),
    re.compile(r"\b(?:mIsSecure|isSecure|mSecure)=(true|false)"),
)


def parse_keyguard(text: str) -> Keyguard:
    """The lock screen's state from ``dumpsys window`` (and friends), as far as it can be read."""
    return Keyguard(_first_bool(_SHOWING, text), _first_bool(_SECURE, text))


def _first_bool(patterns: tuple[re.Pattern[str], ...], text: str) -> bool | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(1) == "true"
    return None


def parse_packages(text: str) -> list[str]:
    """``pm list packages [-f]`` -> package names (``package:/data/app/x.apk=com.x`` keeps ``com.x``)."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("package:"):
            names.append(line[len("package:") :].rsplit("=", 1)[-1])
    return names


def parse_components(text: str) -> dict[str, str]:
    """``cmd package query-activities --brief ...`` -> {package: first component ``pkg/act``}."""
    found: dict[str, str] = {}
    for match in re.finditer(r"(?m)^\s*" + _COMPONENT + r"\s*$", text):
        component = match.group(1)
        found.setdefault(component.split("/", 1)[0], component)
    return found


def parse_ime_list(text: str) -> list[str]:
    """``ime list -s [-a]`` -> input method ids (``pkg/.Service``)."""
    return [line.strip() for line in text.splitlines() if re.fullmatch(r"\s*" + _COMPONENT + r"\s*", line)]


def parse_setting(text: str) -> str | None:
    """``settings get`` -> the value, None for ``null`` (unset)."""
    value = text.strip()
    return None if value in ("", "null") else value


def ui_dump_failed(text: str) -> str | None:
    """The error ``uiautomator dump`` reported (it may exit 0 on failure), or None if it dumped."""
    if "dumped to" in text:  # "UI hierchary dumped to: PATH" (sic)
        return None
    return text.strip() or "uiautomator printed nothing"


_PENDING = 2**63 - 1  # INT64_MAX: a frame whose present fence has not signalled yet


def parse_latest_frame(text: str) -> int | None:
    """``dumpsys SurfaceFlinger --latency`` -> the newest presented frame's timestamp (ns), or None.

    The output is the refresh period on the first line, then one line per recent frame: desired present,
    actual present and frame-ready times in ns (0 for empty slots, INT64_MAX for a pending fence). A device
    that prints only the period (no layer named, on Android 12+) gives no timestamps: None.
    """
    newest = None
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) != 3 or not all(f.isdigit() for f in fields):
            continue
        present = int(fields[1])
        if 0 < present < _PENDING:
            newest = present if newest is None else max(newest, present)
    return newest


# ``service call SurfaceFlinger 1013``: the reply parcel as hex words, then its bytes as text, e.g.
# ``Result: Parcel(000002a5    '....')``; an error is ``Result: Parcel(Error: 0x... "Permission denied")``.
_PARCEL = re.compile(r"^Result: Parcel\(((?:[0-9a-fA-F]{8} )+) *'")


def parse_page_flips(text: str) -> int | None:
    """``service call SurfaceFlinger 1013`` -> the display's page-flip count (one per frame SurfaceFlinger
    composed), or None where the device gives none (an error parcel, no such service, an empty reply).

    The reply is one 32-bit word on the releases seen; any longer payload is read whole, as one number:
    callers only compare counts for equality (a count that changed means a frame was composed)."""
    found = _PARCEL.match(text.strip())
    return int("".join(found.group(1).split()), 16) if found else None
