"""The device's ``sync:`` service, protocol v1 (what ``adb push``/``pull``/``ls`` use), on an open socket.

A request is ``[id: 4 bytes][length: u32 LE][path]``. ``STAT`` answers ``STAT mode size mtime`` (mode 0: no
such file); ``LIST`` answers one ``DENT mode size mtime namelen name`` per entry, then ``DONE``; ``RECV``
answers ``DATA len bytes`` chunks, then ``DONE``, or ``FAIL len message``; ``SEND path,mode`` is followed by
``DATA`` chunks of at most 64 KiB and ``DONE mtime``, and answered ``OKAY`` or ``FAIL``.

Every read is bounded by the caller's deadline; a ``FAIL`` raises ``SyncFailed`` (the device refused: no
such file, permission denied), which is not a connection fault.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass

from ..base import EnvError
from .adbwire import recv_exact

MAX_CHUNK = 64 * 1024


class SyncFailed(EnvError):
    """The device answered a sync request with FAIL (the message says why)."""


@dataclass(frozen=True)
class FileStat:
    """One file as ``STAT``/``LIST`` describe it (``mode`` holds the type bits: 0o040000 is a directory)."""

    name: str
    mode: int
    size: int
    mtime: int

    @property
    def is_dir(self) -> bool:
        return self.mode & 0o170000 == 0o040000


def _send(sock: socket.socket, cmd: bytes, payload: bytes) -> None:
    sock.sendall(cmd + struct.pack("<I", len(payload)) + payload)


def _header(sock: socket.socket, deadline: float) -> tuple[bytes, int]:
    raw = recv_exact(sock, 8, deadline)
    return bytes(raw[:4]), struct.unpack("<I", raw[4:])[0]


def _fail(sock: socket.socket, size: int, deadline: float, what: str) -> SyncFailed:
    message = recv_exact(sock, size, deadline).decode("utf-8", "replace") if size else "no reason given"
    return SyncFailed(f"{what}: {message}")


def stat(sock: socket.socket, path: str, deadline: float) -> FileStat | None:
    """The file at ``path``, or None when it does not exist."""
    _send(sock, b"STAT", path.encode())
    raw = recv_exact(sock, 16, deadline)
    if raw[:4] != b"STAT":
        raise EnvError(f"sync STAT {path}: unexpected answer {bytes(raw[:4])!r}")
    mode, size, mtime = struct.unpack("<III", raw[4:])
    return FileStat(path, mode, size, mtime) if mode else None


def listdir(sock: socket.socket, path: str, deadline: float) -> list[FileStat]:
    """The entries of a directory (``.`` and ``..`` included, as adbd sends them)."""
    _send(sock, b"LIST", path.encode())
    entries = []
    while True:
        raw = recv_exact(sock, 20, deadline)
        if raw[:4] == b"DONE":
            return entries
        if raw[:4] != b"DENT":
            raise EnvError(f"sync LIST {path}: unexpected answer {bytes(raw[:4])!r}")
        mode, size, mtime, namelen = struct.unpack("<IIII", raw[4:])
        name = recv_exact(sock, namelen, deadline).decode("utf-8", "replace")
        entries.append(FileStat(name, mode, size, mtime))


def pull(sock: socket.socket, path: str, deadline: float) -> bytes:
    """The bytes of the file at ``path``; ``SyncFailed`` if the device cannot read it."""
    _send(sock, b"RECV", path.encode())
    chunks: list[bytes] = []
    while True:
        cmd, size = _header(sock, deadline)
        if cmd == b"DATA":
            chunks.append(bytes(recv_exact(sock, size, deadline)))
        elif cmd == b"DONE":
            return b"".join(chunks)
        elif cmd == b"FAIL":
            raise _fail(sock, size, deadline, f"pull {path}")
        else:
            raise EnvError(f"sync RECV {path}: unexpected answer {cmd!r}")


def push(sock: socket.socket, path: str, data: bytes, mode: int, deadline: float) -> None:
    """Write ``data`` to ``path`` with permission bits ``mode``; ``SyncFailed`` if the device refuses."""
    _send(sock, b"SEND", f"{path},{0o100000 | mode}".encode())
    view = memoryview(data)
    for start in range(0, len(data), MAX_CHUNK):
        _send(sock, b"DATA", bytes(view[start : start + MAX_CHUNK]))
    sock.sendall(b"DONE" + struct.pack("<I", int(time.time())))
    cmd, size = _header(sock, deadline)
    if cmd == b"FAIL":
        raise _fail(sock, size, deadline, f"push {path}")
    if cmd != b"OKAY":
        raise EnvError(f"sync SEND {path}: unexpected answer {cmd!r}")


def quit_(sock: socket.socket) -> None:
    """End the sync session politely (adbd closes the service)."""
    _send(sock, b"QUIT", b"")
