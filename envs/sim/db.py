"""Real SQLite databases stored as files of the in-memory file system.

``open_db(fs, path, schema)`` loads the file's bytes into an in-memory SQLite connection, yields it, and
writes the (possibly changed) image back when the block ends without error. A missing file is created
with ``schema`` (an app creates its tables on first use, as Android's SQLiteOpenHelper does), so a
``pm clear`` that deletes the file simply leaves an empty database behind on next use.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from typing import Any

from .fs import MemFS


def _load(data: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    if data:
        if hasattr(conn, "deserialize"):
            conn.deserialize(data)
        else:  # Python < 3.11: go through a temporary file
            conn.close()
            conn = _via_tempfile(data)
    return conn


def _via_tempfile(data: bytes) -> sqlite3.Connection:
    fd, name = tempfile.mkstemp(suffix=".db")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    disk = sqlite3.connect(name)
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    disk.backup(conn)
    disk.close()
    os.unlink(name)
    return conn


def _dump(conn: sqlite3.Connection) -> bytes:
    if hasattr(conn, "serialize"):
        return conn.serialize()
    fd, name = tempfile.mkstemp(suffix=".db")
    os.close(fd)
    disk = sqlite3.connect(name)
    conn.backup(disk)
    disk.close()
    with open(name, "rb") as f:
        data = f.read()
    os.unlink(name)
    return data


@contextlib.contextmanager
def open_db(fs: MemFS, path: str, schema: str = "", write: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection to the database file at ``path``; changes are saved back on success if ``write``."""
    data = fs.read(path) if fs.isfile(path) else b""
    conn = _load(data)
    try:
        if schema:
            conn.executescript(schema)
        yield conn
        conn.commit()
        if write:
            image = _dump(conn)
            if image != data:  # also catches DDL, which total_changes does not count
                fs.write(path, image, parents=True)
    finally:
        conn.close()


def query(fs: MemFS, path: str, sql: str, params: tuple[Any, ...] = (), schema: str = "") -> list[sqlite3.Row]:
    """Run one read-only query and return its rows (``sqlite3.Row``: index by name or position)."""
    with open_db(fs, path, schema, write=bool(schema)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def execute(fs: MemFS, path: str, sql: str, params: tuple[Any, ...] = (), schema: str = "") -> int:
    """Run one statement that changes the database; returns ``lastrowid``."""
    with open_db(fs, path, schema) as conn:
        return conn.execute(sql, params).lastrowid or 0
