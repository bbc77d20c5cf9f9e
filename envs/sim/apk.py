"""APK files: what ``pm install`` reads from one (``read_apk``, with pyaxmlparser), and a minimal writer.

``read_apk(data)`` returns the manifest's package, label, version and activities (which one is the launcher's).
``build_minimal_apk`` writes what ``aapt`` would for a one-activity app (a zip with a binary-XML
``AndroidManifest.xml`` and an empty ``classes.dex``), so tests and benchmarks have a real APK to install.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

ANDROID_NS = "http://schemas.android.com/apk/res/android"
ATTR_IDS = {"name": 0x01010003, "label": 0x01010001, "exported": 0x01010010, "versionCode": 0x0101021B,
            "versionName": 0x0101021C}  # fmt: skip
MAIN, LAUNCHER = "android.intent.action.MAIN", "android.intent.category.LAUNCHER"


class ApkError(ValueError):
    """Not an APK ``pm install`` would take; the message is the reason pm prints."""


@dataclass(frozen=True)
class ApkInfo:
    package: str
    label: str
    version_name: str
    version_code: int
    activities: tuple[str, ...]  # fully qualified class names
    launcher: str | None  # the activity with MAIN/LAUNCHER


def read_apk(data: bytes) -> ApkInfo:
    """Read an APK's manifest (raises ``ApkError`` as ``INSTALL_PARSE_FAILED_*`` would)."""
    from pyaxmlparser import APK

    try:
        apk = APK(data, raw=True)
        package = apk.get_package()
    except Exception as e:  # pyaxmlparser raises many kinds on a broken file
        raise ApkError(f"INSTALL_PARSE_FAILED_NOT_APK: Failed to parse: {type(e).__name__}") from e
    if not package or not apk.is_valid_APK():
        raise ApkError("INSTALL_PARSE_FAILED_MANIFEST_MALFORMED: Failed to parse /data/app/vmdl.tmp/base.apk")
    activities = tuple(_qualified(package, a) for a in apk.get_activities())
    main = apk.get_main_activity()
    return ApkInfo(package, apk.get_app_name() or package, apk.version_name or "1.0", int(apk.version_code or 1),
                   activities, _qualified(package, main) if main else None)  # fmt: skip


def _qualified(package: str, name: str) -> str:
    return package + name if name.startswith(".") else name if "." in name else f"{package}.{name}"


# ---------------------------------------------------------------- writing (binary XML)


class _Strings:
    def __init__(self) -> None:
        self.items: list[str] = []

    def __call__(self, s: str | None) -> int:
        if s is None:
            return 0xFFFFFFFF
        if s not in self.items:
            self.items.append(s)
        return self.items.index(s)

    def chunk(self) -> bytes:
        body, offsets = b"", []
        for s in self.items:
            offsets.append(len(body))
            body += struct.pack("<H", len(s)) + s.encode("utf-16-le") + b"\0\0"
        body += b"\0" * (-len(body) % 4)
        header = 28 + 4 * len(self.items)
        return struct.pack("<HHIIIIII", 0x0001, 28, header + len(body), len(self.items), 0, 0, header, 0) + \
            struct.pack(f"<{len(offsets)}I", *offsets) + body  # fmt: skip


def _element(strings: _Strings, name: str, attrs: list[tuple[str, str | bool]]) -> bytes:
    raw = b""
    for key, value in attrs:
        if isinstance(value, bool):
            typed, data, raw_index = 0x12, 0xFFFFFFFF if value else 0, 0xFFFFFFFF
        else:
            typed, data, raw_index = 0x03, strings(value), strings(value)
        raw += struct.pack("<IIIHBBI", strings(ANDROID_NS), strings(key), raw_index, 8, 0, typed, data)
    head = struct.pack("<HHIII", 0x0102, 16, 36 + len(raw), 1, 0xFFFFFFFF)
    return head + struct.pack("<IIHHHHHH", 0xFFFFFFFF, strings(name), 20, 20, len(attrs), 0, 0, 0) + raw


def _end(strings: _Strings, name: str) -> bytes:
    return struct.pack("<HHIIIII", 0x0103, 16, 24, 1, 0xFFFFFFFF, 0xFFFFFFFF, strings(name))


def manifest_xml(package: str, label: str, activity: str, version: str = "1.0") -> bytes:
    """A binary ``AndroidManifest.xml`` declaring one exported launcher activity."""
    strings = _Strings()
    for attr in ATTR_IDS:  # attribute names first: the resource map lines up with them
        strings(attr)
    strings("android")
    tree = [("manifest", [("versionCode", "1"), ("versionName", version), ("package", package)]),
            ("application", [("label", label)]), ("activity", [("name", activity), ("exported", True)]),
            ("intent-filter", []), ("action", [("name", MAIN)]), None, ("category", [("name", LAUNCHER)]), None,
            None, None, None, None]  # fmt: skip
    body, stack = b"", []
    for item in tree:
        if item is None:
            body += _end(strings, stack.pop())
            continue
        name, attrs = item
        body += _element(strings, name, attrs)
        stack.append(name)
    # "package" is not in android's namespace: rewrite its namespace index to none
    body = body.replace(struct.pack("<II", strings(ANDROID_NS), strings("package")),
                        struct.pack("<II", 0xFFFFFFFF, strings("package")))  # fmt: skip
    ns = struct.pack("<HHIIIII", 0x0100, 16, 24, 1, 0xFFFFFFFF, strings("android"), strings(ANDROID_NS))
    ns_end = struct.pack("<HHIIIII", 0x0101, 16, 24, 1, 0xFFFFFFFF, strings("android"), strings(ANDROID_NS))
    ids = list(ATTR_IDS.values())
    resmap = struct.pack("<HHI", 0x0180, 8, 8 + 4 * len(ids)) + struct.pack(f"<{len(ids)}I", *ids)
    chunks = strings.chunk() + resmap + ns + body + ns_end
    return struct.pack("<HHI", 0x0003, 8, 8 + len(chunks)) + chunks


def build_minimal_apk(package: str, label: str, activity: str = ".MainActivity", version: str = "1.0") -> bytes:
    """A tiny installable APK: binary manifest, an empty ``classes.dex``, no resources (unsigned)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("AndroidManifest.xml", manifest_xml(package, label, activity, version))
        z.writestr("classes.dex", b"dex\n035\0" + bytes(104))
    return buf.getvalue()
