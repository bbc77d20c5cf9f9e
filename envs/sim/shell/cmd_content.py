"""``content`` (query/insert/update/delete on content providers) and ``sqlite3`` on database files.

Providers: ``content://settings/{system,secure,global}``, ``content://sms[/inbox|sent|draft|outbox][/ID]``,
``content://com.android.contacts/contacts[/ID]`` and ``.../data/phones``, ``content://com.android.deskclock/
alarms``. Output as Android prints it: ``Row: 0 _id=1, address=..., body=...`` or ``No result found.``
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from .. import stores
from ..db import open_db
from .interp import CommandFn, Proc

COMMANDS: dict[str, CommandFn] = {}


@dataclass(frozen=True)
class Provider:
    db: str
    table: str
    where: str = ""  # the URI's own filter, e.g. type = 1 for content://sms/inbox
    source: str = ""  # a SELECT to read from instead of the table (read-only views)


SMS_BOXES = {"": "", "inbox": "type = 1", "sent": "type = 2", "draft": "type = 3", "outbox": "type = 4"}
PHONES = "SELECT _id, _id AS contact_id, display_name, phone AS data1, phone AS number FROM contacts WHERE phone <> ''"


def provider(uri: str) -> tuple[Provider, str] | None:
    """The provider for a URI and any row filter from a trailing id."""
    m = re.fullmatch(r"content://([^/]+)((?:/[^/]+)*?)(?:/(\d+))?/?", uri)
    if not m:
        return None
    authority, path, row_id = m.group(1), m.group(2).strip("/"), m.group(3)
    found: Provider | None = None
    if authority == "sms" and path in SMS_BOXES:
        found = Provider(stores.SMS_DB, "sms", SMS_BOXES[path])
    elif authority == "com.android.contacts" and path in ("contacts", "raw_contacts"):
        found = Provider(stores.CONTACTS_DB, "contacts")
    elif authority == "com.android.contacts" and path == "data/phones":
        found = Provider(stores.CONTACTS_DB, "contacts", source=PHONES)
    elif authority == "com.android.deskclock" and path == "alarms":
        found = Provider(stores.ALARMS_DB, "alarm_templates")
    if found is None:
        return None
    return found, (f"_id = {int(row_id)}" if row_id else "")


def _args(args: list[str]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    opts: dict[str, str] = {}
    binds: list[tuple[str, str, str]] = []
    i = 0
    while i + 1 < len(args):
        if args[i] == "--bind":
            name, kind, value = ([*args[i + 1].split(":", 2), "", ""])[:3]
            binds.append((name, kind, value))
        else:
            opts[args[i].lstrip("-")] = args[i + 1]
        i += 2
    return opts, binds


def _value(kind: str, value: str) -> object:
    return {"i": int, "l": int, "f": float, "d": float, "b": lambda v: int(v == "true"), "n": lambda v: None}.get(
        kind, str
    )(value)


def _row_text(i: int, row: sqlite3.Row) -> str:
    cells = ", ".join(f"{k}={'NULL' if row[k] is None else row[k]}" for k in row.keys())  # noqa: SIM118
    return f"Row: {i} {cells}\n"


def content(p: Proc, args: list[str]) -> int:
    if not args or args[0] not in ("query", "insert", "update", "delete"):
        return p.fail("usage: adb shell content [query|insert|update|delete] --uri <URI> ...")
    opts, binds = _args(args[1:])
    uri = opts.get("uri", "")
    if uri.startswith("content://settings/"):
        return _settings(p, args[0], uri, opts, binds)
    found = provider(uri)
    if found is None:
        return p.fail(f"Error while accessing provider:{uri}\njava.lang.IllegalArgumentException: Unknown URL {uri}")
    prov, id_where = found
    where = " AND ".join(f"({w})" for w in (prov.where, id_where, opts.get("where", "")) if w)
    try:
        with open_db(p.fs, prov.db, stores.SCHEMAS[prov.db]) as conn:
            conn.row_factory = sqlite3.Row
            return _run(p, conn, args[0], prov, where, opts, binds)
    except sqlite3.Error as e:
        return p.fail(f"Error while accessing provider:{uri}\nandroid.database.sqlite.SQLiteException: {e}")


def _run(p: Proc, conn: sqlite3.Connection, verb: str, prov: Provider, where: str, opts: dict[str, str],
         binds: list[tuple[str, str, str]]) -> int:  # fmt: skip
    clause = f" WHERE {where}" if where else ""
    if verb == "query":
        cols = ", ".join(opts["projection"].split(":")) if "projection" in opts else "*"
        source = f"({prov.source})" if prov.source else prov.table
        order = f" ORDER BY {opts['sort']}" if "sort" in opts else ""
        rows = conn.execute(f"SELECT {cols} FROM {source}{clause}{order}").fetchall()
        p.out("".join(_row_text(i, r) for i, r in enumerate(rows)) if rows else "No result found.\n")
        return 0
    if prov.source:
        return p.fail("java.lang.UnsupportedOperationException: read-only URI")
    values = {name: _value(kind, value) for name, kind, value in binds}
    if verb == "insert":
        if prov.table == "sms" and "thread_id" not in values and "address" in values:
            values["thread_id"] = stores.thread_for(conn, str(values["address"]))
        if prov.table == "sms" and "type" not in values and prov.where:
            values["type"] = int(prov.where.split("=")[1])
        names = ", ".join(values)
        conn.execute(
            f"INSERT INTO {prov.table} ({names}) VALUES ({', '.join('?' * len(values))})", tuple(values.values())
        )
    elif verb == "update":
        sets = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE {prov.table} SET {sets}{clause}", tuple(values.values()))
    else:
        conn.execute(f"DELETE FROM {prov.table}{clause}")
    return 0


def _settings(p: Proc, verb: str, uri: str, opts: dict[str, str], binds: list[tuple[str, str, str]]) -> int:
    ns = uri[len("content://settings/") :].split("/")[0]
    store = p.device.settings
    if ns not in ("system", "secure", "global"):
        return p.fail(f"Error while accessing provider:settings\njava.lang.IllegalArgumentException: Bad URI {uri}")
    values = {name: value for name, _, value in binds}
    if verb in ("insert", "update") and "name" in values:
        store.put(ns, values["name"], values.get("value", ""))
        return 0
    where = opts.get("where", "")
    m = re.search(r"name\s*=\s*'([^']*)'", where)
    items = [(k, v) for k, v in store.items(ns) if m is None or k == m.group(1)]
    if verb == "delete":
        for k, _ in items:
            store.delete(ns, k)
        return 0
    cols = opts.get("projection", "_id:name:value").split(":")
    if not items:
        p.out("No result found.\n")
    for i, (k, v) in enumerate(items):
        row = {"_id": str(i + 1), "name": k, "value": v}
        p.out(f"Row: {i} " + ", ".join(f"{c}={row.get(c, 'NULL')}" for c in cols) + "\n")
    return 0


def sqlite3_(p: Proc, args: list[str]) -> int:
    opts = [a for a in args if a.startswith("-")]
    rest = [a for a in args if not a.startswith("-")]
    if not rest:
        return p.fail("sqlite3: Error: missing database file name")
    path, sql = p.path(rest[0]), " ".join(rest[1:]) or p.stdin.decode("utf-8", "replace")
    sep = "," if "-csv" in opts else "|"
    try:
        with open_db(p.fs, path) as conn:
            conn.isolation_level = None  # autocommit, as the sqlite3 shell runs (VACUUM works)
            for stmt in _statements(sql):
                if stmt.startswith("."):
                    if not _dot(p, conn, stmt):
                        return 1
                    continue
                cur = conn.execute(stmt)
                if cur.description and "-header" in opts:
                    p.out(sep.join(d[0] for d in cur.description) + "\n")
                for row in cur.fetchall():
                    p.out(sep.join("" if v is None else str(v) for v in row) + "\n")
    except sqlite3.Error as e:
        return p.fail(f"Error: {e}")
    return 0


def _statements(sql: str) -> list[str]:
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if not buf and line.strip().startswith("."):
            out.append(line.strip())
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.extend(s.strip() for s in _split(buf))
            buf = ""
    if buf.strip():
        out.extend(s.strip() for s in _split(buf))
    return [s for s in out if s]


def _split(sql: str) -> list[str]:
    parts, cur = [], ""
    for chunk in sql.split(";"):
        cur += chunk + ";"
        if sqlite3.complete_statement(cur):
            parts.append(cur.rstrip(";").strip())
            cur = ""
    if cur.strip(";").strip():
        parts.append(cur.rstrip(";"))
    return parts


def _dot(p: Proc, conn: sqlite3.Connection, stmt: str) -> bool:
    """The sqlite3 shell's ``.tables`` and ``.schema``. Every other dot-command is refused: those of the real
    shell that open files (``.open``, ``.output``, ``.read``, ``.import``, ``.backup``, ``.load``, ...) or run
    programs (``.shell``, ``.system``) would reach the host's, not the device's."""
    word = stmt.split()[0][1:]
    if word == "tables":
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        p.out("  ".join(n for n in names if not n.startswith("sqlite_")) + "\n")
    elif word == "schema":
        for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"):
            p.out(sql + ";\n")
    else:
        p.fail(f'Error: unknown command or invalid arguments:  "{word}". Enter ".help" for help')
        return False
    return True


COMMANDS.update({"content": content, "sqlite3": sqlite3_})
