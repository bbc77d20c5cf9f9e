"""``TaskDevice``: everything a benchmark task may do to a phone, all of it over ADB.

Tasks set a phone up and check it through this wrapper only, the way AndroidWorld's task evaluators do:
``settings get/put``, SQLite databases pulled over the sync service and queried locally (or edited and
pushed back), ``content query/insert``, files read and written over sync, the foreground activity from
``dumpsys``, and the UI tree from ``uiautomator dump``. It never touches a simulator's internals, so the
same task runs on a real device.

It is built on the Android environment's own device (``envs.android.AndroidDevice``) and so on its
transport: one ADB client for the agent and the tasks, argument lists quoted per argument (parameters such as
names or message bodies are data on the device, never shell syntax), every call bounded in time, no call
sleeping or asking the server its version. A command that exits non-zero, or a device that does not answer
within its timeout, raises ``TaskDeviceError`` (an ``EnvError``: an infrastructure fault, which the
benchmark retries on a fresh phone and never scores).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..android import NO_RETRY, AndroidDevice, RetryingTransport, SocketTransport, Timeouts
from ..android.device import KEY_BACK, KEY_HOME
from ..android.dumpsys import package_of
from ..base import ActionRejected, EnvError

UI_DUMP_PATH = "/data/local/tmp/task_ui.xml"  # not the env's own dump file: the two never clash
_ROW = re.compile(r"^Row: \d+ ", re.MULTILINE)
_BIND_TYPES = {str: "s", int: "i", float: "d", bool: "b"}
__all__ = ["KEY_BACK", "KEY_HOME", "UI_DUMP_PATH", "TaskDevice", "TaskDeviceError"]


class TaskDeviceError(EnvError):
    """A device command failed or the device did not answer."""


class TaskDevice:
    """One phone, as a task sees it; ``device`` is the ``AndroidDevice`` it runs on (an env's, or its own)."""

    def __init__(self, device: AndroidDevice) -> None:
        self.device = device
        self.serial = device.serial

    @classmethod
    def connect(cls, serial: str, host: str = "127.0.0.1", port: int = 5037, *, timeout_s: float = 30.0) -> TaskDevice:
        """Through the adb server at ``host:port``; no adb call (files included) may take over ``timeout_s``."""
        timeouts = Timeouts(**{name: timeout_s for name in Timeouts.__dataclass_fields__})
        return cls(AndroidDevice(RetryingTransport(SocketTransport(serial, host, port), NO_RETRY), timeouts))

    # ---------------------------------------------------------------- shell

    def shell(self, *argv: str, check: bool = True) -> str:
        """Run one command (an argument list); its stdout. ``check``: raise when it exits non-zero."""
        with self._faults(f"`{' '.join(argv[:3])}`"):
            result = self.device.run(*argv, idempotent=False)
        if check and result.exit_code not in (0, None):
            message = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[:300]
            raise TaskDeviceError(f"{self.serial}: `{' '.join(argv[:3])}` exited {result.exit_code}: {message}")
        return result.out

    # ---------------------------------------------------------------- settings

    def settings_get(self, namespace: str, key: str) -> str | None:
        """The value, or None when unset (``settings get`` prints ``null``)."""
        with self._faults(f"settings get {namespace} {key}"):
            return self.device.setting(namespace, key)

    def settings_put(self, namespace: str, key: str, value: str | int) -> None:
        with self._faults(f"settings put {namespace} {key}"):
            result = self.device.put_setting(namespace, key, str(value))
        if result.exit_code not in (0, None):
            raise TaskDeviceError(f"{self.serial}: `settings put {namespace} {key}` exited {result.exit_code}: "
                                  f"{result.text.strip()[:300]}")  # fmt: skip

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
            with self._faults(f"pull {path}"), open(local, "wb") as f:
                f.write(self.device.pull(path))
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
                with self._faults(f"push {path}"):
                    self.device.push(path, data, mode=0o660)
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
        with self._faults(f"read {path}"):
            return self.device.pull(path)

    def read_text(self, path: str) -> str | None:
        data = self.read_file(path)
        return None if data is None else data.decode("utf-8", "replace")

    def write_file(self, path: str, data: bytes | str) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with self._faults(f"push {path}"):
            self.device.push(path, payload, mode=0o660)

    def exists(self, path: str) -> bool:
        with self._faults(f"stat {path}"):
            return self.device.stat(path) is not None

    def listdir(self, path: str) -> list[str]:
        """Names in a directory (empty when it does not exist)."""
        with self._faults(f"list {path}"):
            entries = self.device.listdir(path)
        return sorted(e.name for e in entries if e.name not in (".", ".."))

    def remove(self, path: str) -> None:
        self.shell("rm", "-f", path)

    # ---------------------------------------------------------------- activities and screen

    def foreground(self) -> str | None:
        """The focused activity as ``pkg/Activity``, or None."""
        with self._faults("dumpsys window"):
            return self.device.foreground()

    def foreground_package(self) -> str | None:
        return package_of(self.foreground())

    def start(self, *intent: str) -> None:
        """``am start`` with these intent arguments (e.g. ``-a ACTION -d DATA`` or ``-n COMPONENT``)."""
        out = self.shell("am", "start", *intent)
        if out.startswith("Error") or "Exception" in out:
            raise TaskDeviceError(f"{self.serial}: am start {' '.join(intent)} failed: {out.strip()[:300]}")

    def launch(self, package: str) -> None:
        """Bring an app's launcher activity to the front (``monkey``, which needs no activity name)."""
        try:
            with self._faults(f"launch {package}"):
                self.device.launch(package)
        except ActionRejected as e:
            raise TaskDeviceError(f"{self.serial}: {package} has no launcher activity") from e

    def force_stop(self, package: str) -> None:
        self.shell("am", "force-stop", package)

    def keyevent(self, code: int) -> None:
        with self._faults(f"keyevent {code}"):
            self.device.keyevent(code)

    def home(self) -> None:
        self.keyevent(KEY_HOME)

    def ui_dump(self, attempts: int = 3) -> str:
        """The UI hierarchy XML (``uiautomator dump``, retried while the screen is not idle)."""
        with self._faults("ui dump"):
            return self.device.ui_dump(attempts, pause_s=0.3, path=UI_DUMP_PATH)

    def now_ms(self) -> int:
        """The device clock, in milliseconds since the epoch."""
        return int(self.shell("date", "+%s").strip()) * 1000

    # ---------------------------------------------------------------- helpers

    @contextlib.contextmanager
    def _faults(self, what: str) -> Iterator[None]:
        """The device's errors (adb faults, a failing tool) as ``TaskDeviceError``, saying what failed."""
        try:
            yield
        except TaskDeviceError:
            raise
        except EnvError as e:
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
