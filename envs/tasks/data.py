"""Reading and writing the apps' stores over adb: contacts, SMS, alarms, Maps, notes and files.

Paths and schemas are Android's; the paths come from ``envs/appdata.py``, where the simulated phone keeps them too.
Databases are pulled over sync and queried locally; writes go through ``content insert`` where a
provider exists (SMS) and through pull-edit-push otherwise, with the owning app force-stopped first so it
rereads the file.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..appdata import ALARMS_DB, CONTACTS_DB, MAPS_DB, NOTES_DIR
from .device import TaskDevice

CONTACTS = "com.android.contacts"
MESSAGES = "com.google.android.apps.messaging"
CLOCK = "com.android.deskclock"
NOTES = "com.simplemobiletools.notes.pro"
MAPS = "com.google.android.apps.maps"
FILES = "com.google.android.documentsui"
SMS_COLUMNS = ("_id", "address", "type", "read", "date", "body")  # body last: it may hold ", x="

__all__ = ["ALARMS_DB", "CONTACTS_DB", "MAPS_DB", "NOTES_DIR"]


# ---------------------------------------------------------------- contacts


def contacts(device: TaskDevice) -> list[sqlite3.Row]:
    return device.sqlite_rows(CONTACTS_DB, "SELECT * FROM contacts ORDER BY _id")


def insert_contact(device: TaskDevice, name: str, phone: str = "", email: str = "") -> int:
    device.force_stop(CONTACTS)
    with device.sqlite(CONTACTS_DB, write=True) as conn:
        cur = conn.execute("INSERT INTO contacts (display_name, phone, email) VALUES (?, ?, ?)", (name, phone, email))
        return int(cur.lastrowid or 0)


# ---------------------------------------------------------------- SMS (through the telephony provider)


def sms(device: TaskDevice, box: str = "", where: str | None = None) -> list[dict[str, Any]]:
    """Messages of ``content://sms[/box]``; ``type`` 1 received, 2 sent."""
    uri = "content://sms" + (f"/{box}" if box else "")
    return device.content_query(uri, SMS_COLUMNS, where)


def receive_sms(device: TaskDevice, address: str, body: str, date_ms: int, read: bool = False) -> None:
    """An incoming message, as the radio would store it."""
    values: dict[str, str | int] = {"address": address, "body": body, "date": date_ms, "read": int(read)}
    device.content_insert("content://sms/inbox", {**values, "seen": int(read)})


def mark_all_read(device: TaskDevice) -> None:
    device.shell("content", "update", "--uri", "content://sms", "--bind", "read:i:1", "--bind", "seen:i:1")


# ---------------------------------------------------------------- alarms


def alarms(device: TaskDevice) -> list[sqlite3.Row]:
    return device.sqlite_rows(ALARMS_DB, "SELECT * FROM alarm_templates ORDER BY hour, minutes, _id")


def insert_alarm(device: TaskDevice, hour: int, minute: int, label: str = "", enabled: bool = True) -> int:
    device.force_stop(CLOCK)
    with device.sqlite(ALARMS_DB, write=True) as conn:
        cur = conn.execute(
            "INSERT INTO alarm_templates (hour, minutes, enabled, label) VALUES (?, ?, ?, ?)",
            (hour, minute, int(enabled), label),
        )
        return int(cur.lastrowid or 0)


# ---------------------------------------------------------------- notes and files


def note_path(title: str) -> str:
    """Notes keep one ``<title>.txt`` per note (a ``/`` in a title becomes ``_``)."""
    return f"{NOTES_DIR}/{title.strip().replace('/', '_')}.txt"


def notes(device: TaskDevice) -> dict[str, str]:
    """{title: text} of every note."""
    out = {}
    for name in device.listdir(NOTES_DIR):
        if name.endswith(".txt"):
            out[name[: -len(".txt")]] = device.read_text(f"{NOTES_DIR}/{name}") or ""
    return out


# ---------------------------------------------------------------- Maps


def maps_rows(device: TaskDevice, table: str) -> list[sqlite3.Row]:
    """``search_history`` or ``starred_places`` (empty before Maps first wrote them)."""
    if not device.exists(MAPS_DB):
        return []
    with device.sqlite(MAPS_DB) as conn:
        found = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        return conn.execute(f"SELECT * FROM {table} ORDER BY _id").fetchall() if found else []


def place_details(device: TaskDevice, place: str) -> dict[str, str]:
    """What Maps shows on a place's page ({rid: text}: address, phone, hours, ...), read from its UI.

    Opens the page with an intent, reads the UI tree, then stops Maps again so the agent starts clean.
    """
    from .ui import parse_ui

    device.start("-n", f"{MAPS}/com.google.android.maps.PlaceActivity", "--es", "place", place)
    try:
        nodes = parse_ui(device.ui_dump())
    finally:
        device.force_stop(MAPS)
        device.home()
    details = {n.rid: n.text for n in nodes if n.package == MAPS and n.rid and n.text}
    if details.get("title") != place or "address" not in details:
        raise ValueError(f"Maps has no page for {place!r} on this phone")
    return details
