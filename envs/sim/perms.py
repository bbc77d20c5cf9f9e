"""The file system as the ``shell`` user (uid 2000) sees it on a retail phone: a wrapper over ``MemFS``.

adbd on a user build runs its shell as ``shell``: it may write under ``/data/local/tmp`` and shared storage
(``/sdcard``) only, and may not read app or system data (``/data/data``, ``/data/system``...), nor list
``/data`` itself. Every refusal is ``FsError("Permission denied")``, the errno text toybox prints.
"""

from __future__ import annotations

from typing import Any

from .fs import FsError, MemFS

WRITABLE = ("/data/local/tmp", "/storage/emulated/0", "/dev/null")
READABLE_DATA = ("/data/local", "/data/local/tmp")  # the rest of /data is closed to the shell user


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


class ShellFs:
    """``MemFS`` with the shell user's permissions; everything else is delegated unchanged."""

    def __init__(self, fs: MemFS) -> None:
        self._fs = fs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fs, name)

    def _read_ok(self, path: str) -> None:
        full = self._fs.norm(path)
        if full.startswith("/data/") and not _under(full, READABLE_DATA):
            raise FsError("Permission denied", path)

    def _write_ok(self, path: str) -> None:
        if not _under(self._fs.norm(path), WRITABLE):
            if self._fs.norm(path).startswith(("/system", "/vendor", "/proc")):
                return  # the read-only file system answers first
            raise FsError("Permission denied", path)

    def read(self, path: str) -> bytes:
        self._read_ok(path)
        return self._fs.read(path)

    def read_text(self, path: str) -> str:
        return self.read(path).decode("utf-8", "replace")

    def listdir(self, path: str) -> list[str]:
        full = self._fs.norm(path)
        if full == "/data" or (full.startswith("/data/") and not _under(full, READABLE_DATA)):
            raise FsError("Permission denied", path)
        return self._fs.listdir(path)

    def write(self, path: str, data: bytes | str, append: bool = False, parents: bool = False) -> None:
        self._write_ok(path)
        self._fs.write(path, data, append=append, parents=parents)

    def mkdir(self, path: str, parents: bool = False) -> None:
        if not self._fs.isdir(path):
            self._write_ok(path)
        self._fs.mkdir(path, parents=parents)

    def touch(self, path: str) -> None:
        self._write_ok(path)
        self._fs.touch(path)

    def remove(self, path: str, recursive: bool = False) -> None:
        self._write_ok(path)
        self._fs.remove(path, recursive=recursive)

    def rename(self, src: str, dst: str) -> None:
        self._write_ok(src)
        self._write_ok(dst)
        self._fs.rename(src, dst)
