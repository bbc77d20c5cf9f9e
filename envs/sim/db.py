"""Real SQLite databases stored as files of the in-memory file system.

``open_db(fs, path, schema)`` loads the file's bytes into an in-memory SQLite connection, yields it, and
writes the (possibly changed) image back when the block ends without error. A missing file is created
with ``schema`` (an app creates its tables on first use, as Android's SQLiteOpenHelper does), so a
``pm clear`` that deletes the file simply leaves an empty database behind on next use.

SQL reaching these connections is untrusted (``sqlite3`` and ``content --where`` over adb), and the connection
lives in the host's process: ``confine`` keeps it inside its own bytes. An authorizer refuses everything that
names another file (``ATTACH``, ``VACUUM INTO``, ``load_extension``, pragmas outside a list of harmless ones),
temporary tables stay in memory, values and the database are bounded in size, and a statement running
past ``QUERY_DEADLINE_S`` is interrupted (the device lock is held meanwhile).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from .fs import MemFS

QUERY_DEADLINE_S = 10.0
MAX_VALUE_BYTES = 16 * 2**20
MAX_PAGES = 16384  # 64 MiB at the default 4 KiB page
# Pragmas that only read or tune this one database; any other (temp_store_directory, temp_store,
# max_page_count, writable_schema, journal_mode, ...) is refused.
SAFE_PRAGMAS = frozenset({
    "application_id", "auto_vacuum", "cache_size", "case_sensitive_like", "collation_list", "compile_options",
    "data_version", "database_list", "defer_foreign_keys", "encoding", "foreign_key_check", "foreign_key_list",
    "foreign_keys", "freelist_count", "function_list", "incremental_vacuum", "index_info", "index_list",
    "index_xinfo", "integrity_check", "legacy_alter_table", "module_list", "optimize", "page_count", "page_size",
    "pragma_list", "query_only", "quick_check", "recursive_triggers", "reverse_unordered_selects",
    "schema_version", "secure_delete", "table_info", "table_list", "table_xinfo", "user_version"
})  # fmt: skip
DENIED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer"})  # a host library; a raw C pointer


def _authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    """SQLite's authorizer callback: deny what would reach past this connection's own database."""
    if action == sqlite3.SQLITE_ATTACH:
        # "" is the temporary database plain VACUUM attaches (in memory: temp_store is MEMORY); a name is a file
        return sqlite3.SQLITE_OK if arg1 == "" else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_DETACH:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        return sqlite3.SQLITE_OK if (arg1 or "").lower() in SAFE_PRAGMAS else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def confine(conn: sqlite3.Connection, deadline_s: float | None = None) -> sqlite3.Connection:
    """Keep an in-memory connection inside its own bytes, bounded in size and (from now) in time."""
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA max_page_count = {MAX_PAGES}")
    if hasattr(conn, "setlimit"):  # Python >= 3.11
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
    conn.set_authorizer(_authorize)
    end = time.monotonic() + (QUERY_DEADLINE_S if deadline_s is None else deadline_s)
    conn.set_progress_handler(lambda: int(time.monotonic() > end), 10_000)  # non-zero interrupts the statement
    return conn


def _load(data: bytes) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    if data:
        if hasattr(conn, "deserialize"):
            conn.deserialize(data)
        else:  # Python < 3.11: go through a temporary file
            conn.close()
            conn = _via_tempfile(data)
    return confine(conn)


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
        if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
            return b""  # nothing was ever written: SQLite cannot serialize an empty database
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
