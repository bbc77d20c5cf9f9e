"""Where app state lives: the database schemas the simulated apps and ``content`` share (paths: ``appdata``).

Paths follow Android: SMS in the telephony provider's ``mmssms.db`` (table ``sms``: ``type`` 1 inbox,
2 sent, 3 draft, 4 outbox; ``date`` in ms), contacts in the contacts provider's ``contacts2.db`` (a
simplified one-table schema), alarms in DeskClock's ``alarms.db`` (``alarm_templates``), Maps search
history in ``gmm_storage.db``. Notes are plain files under ``/sdcard/Notes``.
"""

from __future__ import annotations

import sqlite3

from ..appdata import ALARMS_DB, CONTACTS_DB, MAPS_DB, NOTES_DIR, SMS_DB

SMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, address TEXT,
  person INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER DEFAULT 0, read INTEGER DEFAULT 0,
  status INTEGER DEFAULT -1, type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT,
  service_center TEXT, locked INTEGER DEFAULT 0, sub_id INTEGER DEFAULT 1, error_code INTEGER DEFAULT 0,
  creator TEXT, seen INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
CREATE TABLE IF NOT EXISTS threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0,
  message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT, read INTEGER DEFAULT 1);
"""

CONTACTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, display_name TEXT NOT NULL,
  phone TEXT, email TEXT, starred INTEGER DEFAULT 0, times_contacted INTEGER DEFAULT 0,
  last_time_contacted INTEGER DEFAULT 0);
"""

ALARMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS alarm_templates (_id INTEGER PRIMARY KEY AUTOINCREMENT, hour INTEGER NOT NULL,
  minutes INTEGER NOT NULL, daysofweek INTEGER NOT NULL DEFAULT 0, enabled INTEGER NOT NULL DEFAULT 1,
  vibrate INTEGER NOT NULL DEFAULT 1, label TEXT NOT NULL DEFAULT '', ringtone TEXT,
  delete_after_use INTEGER NOT NULL DEFAULT 0);
"""

MAPS_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_history (_id INTEGER PRIMARY KEY AUTOINCREMENT, query TEXT NOT NULL,
  timestamp INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS starred_places (_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
  address TEXT, timestamp INTEGER NOT NULL);
"""

__all__ = [
    "ALARMS_DB", "ALARMS_SCHEMA", "CONTACTS_DB", "CONTACTS_SCHEMA", "MAPS_DB", "MAPS_SCHEMA", "NOTES_DIR", "SCHEMAS",
    "SMS_DB", "SMS_SCHEMA", "add_sms", "thread_for",
]  # fmt: skip

SCHEMAS = {SMS_DB: SMS_SCHEMA, CONTACTS_DB: CONTACTS_SCHEMA, ALARMS_DB: ALARMS_SCHEMA, MAPS_DB: MAPS_SCHEMA}


def thread_for(conn: sqlite3.Connection, address: str) -> int:
    """The SMS thread id for ``address`` (created if new), as the telephony provider assigns them."""
    row = conn.execute("SELECT _id FROM canonical_addresses WHERE address = ?", (address,)).fetchone()
    if row is None:
        addr_id = conn.execute("INSERT INTO canonical_addresses (address) VALUES (?)", (address,)).lastrowid
    else:
        addr_id = row[0]
    row = conn.execute("SELECT _id FROM threads WHERE recipient_ids = ?", (str(addr_id),)).fetchone()
    if row is not None:
        return int(row[0])
    return int(conn.execute("INSERT INTO threads (recipient_ids) VALUES (?)", (str(addr_id),)).lastrowid or 0)


def add_sms(conn: sqlite3.Connection, address: str, body: str, kind: int, date_ms: int, read: int = 1) -> int:
    """Insert one message (``kind`` 1 received, 2 sent) and update its thread; returns the new ``_id``."""
    thread = thread_for(conn, address)
    row_id = conn.execute(
        "INSERT INTO sms (thread_id, address, date, date_sent, read, seen, type, body, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, -1)",
        (thread, address, date_ms, date_ms if kind == 2 else date_ms - 2000, read, read, kind, body),
    ).lastrowid
    conn.execute(
        "UPDATE threads SET date = ?, snippet = ?, message_count = message_count + 1 WHERE _id = ?",
        (date_ms, body, thread),
    )
    return int(row_id or 0)
