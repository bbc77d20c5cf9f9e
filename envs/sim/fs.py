"""An in-memory POSIX-like file system for the simulated phone.

Paths are absolute, ``/``-separated. ``/sdcard`` and ``/storage/self/primary`` are aliases of
``/storage/emulated/0`` (as on Android). Files hold bytes; SQLite databases are ordinary files whose bytes
are a real SQLite image (see ``db.py``), so a database pulled over ``sync`` opens with any SQLite tool.
Errors are ``FsError`` carrying the errno text that Android's toybox prints (``No such file or directory``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

ALIASES = {"/sdcard": "/storage/emulated/0", "/storage/self/primary": "/storage/emulated/0"}
READ_ONLY = ("/system", "/vendor", "/proc")

DIR_MODE = 0o040771
FILE_MODE = 0o100660
EXEC_MODE = 0o100755
CHAR_MODE = 0o020666  # /dev/null, /dev/zero
VIRTUAL = ("/proc", "/dev/zero", "/dev/urandom", "/dev/random")  # contents made on each read (``virtual``)
Virtual = Callable[[str], "bytes | list[str] | None"]  # a file's bytes, a directory's names, or None: absent


def is_virtual(full: str) -> bool:
    return any(full == v or full.startswith(v + "/") for v in VIRTUAL)


class FsError(OSError):
    """A file-system error; ``str()`` is the errno text, ``path`` the path as given."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        return self.reason


@dataclass
class Entry:
    """A file (``data`` is bytes) or a directory (``data`` is None)."""

    data: bytearray | None
    mtime: int
    mode: int

    @property
    def is_dir(self) -> bool:
        return self.data is None

    @property
    def size(self) -> int:
        return 3452 if self.data is None else len(self.data)


@dataclass
class MemFS:
    """The file tree. ``clock`` returns the current device time (epoch seconds) for mtimes."""

    clock: Callable[[], float]
    entries: dict[str, Entry] = field(default_factory=dict)
    building: bool = False  # True while the factory image is laid out (read-only paths writable)
    virtual: Virtual | None = None  # what the kernel makes up: /proc, /dev/zero (set by the device)

    def __post_init__(self) -> None:
        self.entries.setdefault("/", Entry(None, int(self.clock()), DIR_MODE))

    # ---------------------------------------------------------------- paths

    @staticmethod
    def norm(path: str, cwd: str = "/") -> str:
        """Absolute, normalised path with aliases resolved (``/sdcard/x`` -> ``/storage/emulated/0/x``)."""
        path = posixpath.normpath(posixpath.join(cwd, path))
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        for alias, target in ALIASES.items():
            if path == alias or path.startswith(alias + "/"):
                return target + path[len(alias) :]
        return path

    def lookup(self, path: str) -> Entry | None:
        """The entry at ``path`` (stored, or made up by ``virtual``), None when there is none."""
        full = self.norm(path)
        entry = self.entries.get(full)
        if entry is not None or self.virtual is None or not is_virtual(full):
            return entry
        made = self.virtual(full)
        if made is None:
            return None
        if isinstance(made, list):
            return Entry(None, int(self.clock()), 0o040555)
        return Entry(bytearray(made), int(self.clock()), CHAR_MODE if full.startswith("/dev/") else 0o100444)

    def _get(self, path: str) -> Entry:
        entry = self.lookup(path)
        if entry is None:
            raise FsError("No such file or directory", path)
        return entry

    def _writable(self, path: str) -> None:
        if self.building:
            return
        if any(path == p or path.startswith(p + "/") for p in READ_ONLY):
            raise FsError("Read-only file system", path)

    # ---------------------------------------------------------------- queries

    def exists(self, path: str) -> bool:
        return self.lookup(path) is not None  # norm() resolves aliases

    def isdir(self, path: str) -> bool:
        entry = self.lookup(path)
        return entry is not None and entry.is_dir

    def isfile(self, path: str) -> bool:
        entry = self.lookup(path)
        return entry is not None and not entry.is_dir

    def stat(self, path: str) -> Entry:
        return self._get(path)

    def read(self, path: str) -> bytes:
        entry = self._get(path)
        if entry.is_dir:
            raise FsError("Is a directory", path)
        return bytes(entry.data or b"")

    def read_text(self, path: str) -> str:
        return self.read(path).decode("utf-8", "replace")

    def listdir(self, path: str) -> list[str]:
        """Names in a directory, sorted; aliases such as ``sdcard`` appear in their parent."""
        base = self.norm(path)
        if not self._get(path).is_dir:
            raise FsError("Not a directory", path)
        prefix = base.rstrip("/") + "/"
        names = {p[len(prefix) :] for p in self.entries if p.startswith(prefix) and "/" not in p[len(prefix) :]}
        made = self.virtual(base) if self.virtual is not None and is_virtual(base) else None
        names |= set(made) if isinstance(made, list) else set()
        names |= {a.rsplit("/", 1)[1] for a in ALIASES if posixpath.dirname(a) == base}
        names.discard("")
        return sorted(names)

    def walk(self, path: str) -> Iterator[str]:
        """Every path at or below ``path`` (normalised), parents first."""
        base = self.norm(path)
        prefix = base.rstrip("/") + "/"
        yield from sorted(p for p in self.entries if p == base or p.startswith(prefix))

    # ---------------------------------------------------------------- changes

    def mkdir(self, path: str, parents: bool = False) -> None:
        full = self.norm(path)
        self._writable(full)
        if full in self.entries:
            if parents and self.entries[full].is_dir:
                return
            raise FsError("File exists", path)
        parent = posixpath.dirname(full)
        if parent not in self.entries:
            if not parents:
                raise FsError("No such file or directory", path)
            self.mkdir(parent, parents=True)
        elif not self.entries[parent].is_dir:
            raise FsError("Not a directory", path)
        self.entries[full] = Entry(None, int(self.clock()), DIR_MODE)

    def write(self, path: str, data: bytes | str, append: bool = False, parents: bool = False) -> None:
        """Create or replace (or append to) a file; the parent must exist unless ``parents``."""
        full = self.norm(path)
        if full == "/dev/null":
            return  # writes vanish
        self._writable(full)
        raw = data.encode() if isinstance(data, str) else bytes(data)
        parent = posixpath.dirname(full)
        if parents:
            self.mkdir(parent, parents=True)
        elif not self.isdir(parent):
            raise FsError("No such file or directory", path)
        entry = self.entries.get(full)
        if entry is not None and entry.is_dir:
            raise FsError("Is a directory", path)
        if entry is not None and append:
            assert entry.data is not None
            entry.data.extend(raw)
            entry.mtime = int(self.clock())
        else:
            self.entries[full] = Entry(bytearray(raw), int(self.clock()), FILE_MODE)

    def touch(self, path: str) -> None:
        if self.exists(path):
            self._get(path).mtime = int(self.clock())
        else:
            self.write(path, b"")

    def remove(self, path: str, recursive: bool = False) -> None:
        full = self.norm(path)
        entry = self._get(path)
        self._writable(full)
        if full == "/":
            raise FsError("Device or resource busy", path)
        if entry.is_dir and not recursive:
            raise FsError("Is a directory", path)
        for p in list(self.walk(full)):
            del self.entries[p]

    def rename(self, src: str, dst: str) -> None:
        a, b = self.norm(src), self.norm(dst)
        self._get(src)
        self._writable(b)
        if self.isdir(b):
            b = posixpath.join(b, posixpath.basename(a))
        if not self.isdir(posixpath.dirname(b)):
            raise FsError("No such file or directory", dst)
        moved = {p: self.entries.pop(p) for p in list(self.walk(a))}
        for p, entry in moved.items():
            self.entries[b + p[len(a) :]] = entry
