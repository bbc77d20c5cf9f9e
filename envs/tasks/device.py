"""``TaskDevice``: everything a benchmark task may do to a phone, all of it over ADB.

Tasks set a phone up and check it through this wrapper only, the way AndroidWorld's task evaluators do:
``settings get/put``, SQLite databases pulled over the sync service and queried locally (or edited and
pushed back), ``content query/insert``, files read and written over sync, the foreground activity from
``dumpsys``, and the UI tree from ``uiautomator dump``. It never touches a simulator's internals, so the
same task runs on a real device.

Every shell call passes an argument list (quoted per argument by adbutils), so parameters such as names
or message bodies are data on the device, never shell syntax. A command that exits non-zero, or a device
that does not answer within ``timeout_s``, raises ``TaskDeviceError`` (an ``EnvError``: an infrastructure
fault, which the benchmark retries on a fresh phone and never scores).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..android.dumpsys import package_of, parse_foreground, ui_dump_failed
from ..base import EnvError

UI_DUMP_PATH = "/data/local/tmp/task_ui.xml"
KEY_HOME, KEY_BACK = 3, 4
_ROW = re.compile(r"^Row: \d+ ", re.MULTILINE)
_BIND_TYPES = {str: "s", int: "i", float: "d", bool: "b"}


class TaskDeviceError(EnvError):
    """A device command failed or the device did not answer."""


class TaskDevice:
    """One phone, reached through an adb server. ``device`` is an ``adbutils.AdbDevice``."""

    def __init__(self, device: Any, *, timeout_s: float = 30.0) -> None:
        self.device = device
        self.serial = str(getattr(device, "serial", "device"))
        self.timeout_s = timeout_s

    @classmethod
    def connect(cls, serial: str, host: str = "127.0.0.1", port: int = 5037, *, timeout_s: float = 30.0) -> TaskDevice:
        """Through the adb server at ``host:port``. Every socket read is bounded by ``timeout_s`` (adbutils'
        sync service would otherwise wait for ever on a phone that stopped answering)."""
        import adbutils

        client = adbutils.AdbClient(host=host, port=port, socket_timeout=timeout_s)
        return cls(client.device(serial), timeout_s=timeout_s)

    # ---------------------------------------------------------------- shell

    def shell(self, *argv: str, check: bool = True) -> str:
        """Run one command (an argument list); its stdout. ``check``: raise when it exits non-zero."""
        result = self._run(argv)
        if check and result.returncode not in (0, None):
            message = (result.stderr or result.stdout or "").strip()[:300]
            raise TaskDeviceError(f"{self.serial}: `{' '.join(argv[:3])}` exited {result.returncode}: {message}")
        return str(result.stdout)

    # ---------------------------------------------------------------- settings

    def settings_get(self, namespace: str, key: str) -> str | None:
        """The value, or None when unset (``settings get`` prints ``null``)."""
        value = self.shell("settings", "get", namespace, key).strip()
        return None if value == "null" else value

    def settings_put(self, namespace: str, key: str, value: str | int) -> None:
        self.shell("settings", "put", namespace, key, str(value))

    # ---------------------------------------------------------------- SQLite, over the sync service

    @contextlib.contextmanager
    def sqlite(self, path: str, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A local copy of the database at ``path``; with ``write``, pushed back when the block succeeds.

        Pushing a database under a running app is what AndroidWorld does too; callers force-stop the app
        first so it rereads the file.
        """
        fd, local = tempfile.mkstemp(prefix="task-", suffix=".db")
        os.close(fd)
        try:
            self._sync(lambda: self.device.sync.pull(path, local, exist_ok=True), f"pull {path}")
            conn = sqlite3.connect(local)
            conn.row_factory = sqlite3.Row
            try:
                yield conn
                if write:
                    conn.commit()
            finally:
                conn.close()
            if write:
                with open(local, "rb") as f:
                    data = f.read()
                self._sync(lambda: self.device.sync.push(data, path, mode=0o660), f"push {path}")
        finally:
            os.unlink(local)

    def sqlite_rows(self, path: str, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self.sqlite(path) as conn:
            try:
                return conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as e:
                raise TaskDeviceError(f"{self.serial}: query on {path} failed: {e}") from e

    # ---------------------------------------------------------------- content providers

    def content_query(
        self, uri: str, projection: Sequence[str], where: str | None = None
    ) -> list[dict[str, str | None]]:
        """Rows of ``content query`` as dicts keyed by ``projection`` (values as printed; NULL -> None).

        Values may hold ``, `` and ``=``: each row is split at the known ``, name=`` boundaries in
        projection order, so only a value containing the next column's literal ``, name=`` could confuse it.
        """
        argv = ["content", "query", "--uri", uri, "--projection", ":".join(projection)]
        if where:
            argv += ["--where", where]
        out = self.shell(*argv)
        if out.strip() == "No result found.":
            return []
        return [_split_row(chunk.rstrip("\n"), projection) for chunk in _ROW.split(out)[1:]]

    def content_insert(self, uri: str, values: Mapping[str, str | int | float | bool]) -> None:
        argv = ["content", "insert", "--uri", uri]
        for name, value in values.items():
            kind = _BIND_TYPES[type(value)]
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            argv += ["--bind", f"{name}:{kind}:{shown}"]
        self.shell(*argv)

    # ---------------------------------------------------------------- files

    def read_file(self, path: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""
        if not self.exists(path):
            return None
        return self._sync(lambda: self.device.sync.read_bytes(path), f"read {path}")

    def read_text(self, path: str) -> str | None:
        data = self.read_file(path)
        return None if data is None else data.decode("utf-8", "replace")

    def write_file(self, path: str, data: bytes | str) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self._sync(lambda: self.device.sync.push(payload, path, mode=0o660), f"push {path}")

    def exists(self, path: str) -> bool:
        return bool(self._sync(lambda: self.device.sync.exists(path), f"stat {path}"))

    def listdir(self, path: str) -> list[str]:
        """Names in a directory (empty when it does not exist)."""
        entries = self._sync(lambda: self.device.sync.list(path), f"list {path}")
        return sorted(e.path for e in entries if e.path not in (".", ".."))

    def remove(self, path: str) -> None:
        self.shell("rm", "-f", path)

    # ---------------------------------------------------------------- activities and screen

    def foreground(self) -> str | None:
        """The focused activity as ``pkg/Activity``, or None."""
        return parse_foreground(self.shell("dumpsys", "window", "windows"))

    def foreground_package(self) -> str | None:
        return package_of(self.foreground())

    def start(self, *intent: str) -> None:
        """``am start`` with these intent arguments (e.g. ``-a ACTION -d DATA`` or ``-n COMPONENT``)."""
        out = self.shell("am", "start", *intent)
        if out.startswith("Error") or "Exception" in out:
            raise TaskDeviceError(f"{self.serial}: am start {' '.join(intent)} failed: {out.strip()[:300]}")

    def launch(self, package: str) -> None:
        """Bring an app's launcher activity to the front (``monkey``, which needs no activity name)."""
        out = self.shell("monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1")
        if "No activities found" in out:
            raise TaskDeviceError(f"{self.serial}: {package} has no launcher activity")

    def force_stop(self, package: str) -> None:
        self.shell("am", "force-stop", package)

    def keyevent(self, code: int) -> None:
        self.shell("input", "keyevent", str(code))

    def home(self) -> None:
        self.keyevent(KEY_HOME)

    def ui_dump(self, attempts: int = 3) -> str:
        """The UI hierarchy XML (``uiautomator dump``, retried while the screen is not idle)."""
        error = ""
        for attempt in range(attempts):
            result = self._run(("uiautomator", "dump", UI_DUMP_PATH))  # its error goes to stderr, with exit 0
            error = ui_dump_failed(f"{result.stdout or ''}{result.stderr or ''}") or ""
            if not error:
                return self.shell("cat", UI_DUMP_PATH)
            if attempt + 1 < attempts:
                time.sleep(0.3)
        raise TaskDeviceError(f"{self.serial}: uiautomator dump failed {attempts} times: {error}")

    def now_ms(self) -> int:
        """The device clock, in milliseconds since the epoch."""
        return int(self.shell("date", "+%s").strip()) * 1000

    # ---------------------------------------------------------------- helpers

    def _run(self, argv: Sequence[str]) -> Any:
        """adbutils' ``ShellReturn`` (``returncode``, ``stdout``, ``stderr``) of one command over shell v2."""
        try:
            return self.device.shell2(list(argv), timeout=self.timeout_s, v2=True)
        except Exception as e:  # adbutils raises its own errors and socket errors alike
            raise TaskDeviceError(f"{self.serial}: `{' '.join(argv[:3])}` failed: {e}") from e

    def _sync(self, fn: Any, what: str) -> Any:
        try:
            return fn()
        except Exception as e:
            raise TaskDeviceError(f"{self.serial}: {what} failed: {e}") from e


def _split_row(text: str, projection: Sequence[str]) -> dict[str, str | None]:
    """``a=1, b=x, y, c=z`` with projection (a, b, c) -> {a: 1, b: "x, y", c: z}."""
    row: dict[str, str | None] = {}
    rest = text
    for i, name in enumerate(projection):
        prefix = f"{name}="
        if not rest.startswith(prefix):
            raise TaskDeviceError(f"unexpected `content query` row {text[:200]!r} (wanted column {name})")
        rest = rest[len(prefix) :]
        if i + 1 < len(projection):
            cut = rest.find(f", {projection[i + 1]}=")
            if cut < 0:
                raise TaskDeviceError(f"unexpected `content query` row {text[:200]!r} (no column {projection[i + 1]})")
            value, rest = rest[:cut], rest[cut + 2 :]
        else:
            value = rest
        row[name] = None if value == "NULL" else value
    return row
