"""The ``sync:`` service, protocol v1: STAT, LIST, SEND, RECV, QUIT (what ``adb push/pull/ls`` and
adbutils' ``sync`` use). Requests are ``[id 4 bytes][length u32][path]``; replies as adbd sends them.
``SEND`` creates missing parent directories, as adbd does."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ..fs import DIR_MODE, FsError, MemFS
from ..perms import ShellFs
from .stream import Stream

if TYPE_CHECKING:
    from ..device import Device

MAX_CHUNK = 64 * 1024


def _fs(device: Device) -> MemFS | ShellFs:
    """The file system as adbd's user sees it (root, or the shell user on a retail build)."""
    return device.fs if device.root else ShellFs(device.fs)


def _fail(stream: Stream, message: str) -> None:
    data = message.encode()
    stream.write(b"FAIL" + struct.pack("<I", len(data)) + data)


def serve_sync(device: Device, stream: Stream) -> None:
    while True:
        header = stream.read(8)
        if not header:
            return
        if len(header) < 8:
            header += stream.read_exact(8 - len(header))
        cmd, length = header[:4], struct.unpack("<I", header[4:])[0]
        path = stream.read_exact(length).decode("utf-8", "replace") if length else ""
        if cmd == b"QUIT":
            return
        if not device.wait_answering(lambda: stream.closed):
            return
        handler = HANDLERS.get(cmd)
        if handler is None:
            _fail(stream, f"unknown sync command {cmd!r}")
            return
        handler(device, stream, path)


def _stat(device: Device, stream: Stream, path: str) -> None:
    with device.lock:
        entry = device.fs.entries.get(device.fs.norm(path))  # an alias such as /sdcard resolves to its directory
    mode, size, mtime = (entry.mode, entry.size, entry.mtime) if entry is not None else (0, 0, 0)  # 0: no such file
    stream.write(b"STAT" + struct.pack("<III", mode, size, mtime))


def _list(device: Device, stream: Stream, path: str) -> None:
    out = bytearray()
    with device.lock:
        fs = device.fs
        names = fs.listdir(path) if fs.isdir(path) else []
        for name in [".", "..", *names]:
            full = fs.norm(f"{path}/{name}")
            entry = fs.entries.get(full)
            mode, size, mtime = (entry.mode, entry.size, entry.mtime) if entry else (DIR_MODE, 0, 0)
            raw = name.encode()
            out += b"DENT" + struct.pack("<IIII", mode, size, mtime, len(raw)) + raw
    stream.write(bytes(out) + b"DONE" + struct.pack("<IIII", 0, 0, 0, 0))


def _send(device: Device, stream: Stream, spec: str) -> None:
    path = spec.rsplit(",", 1)[0]  # "PATH,MODE"
    data = bytearray()
    while True:
        cmd, value = stream.read_exact(4), struct.unpack("<I", stream.read_exact(4))[0]
        if cmd == b"DATA":
            data += stream.read_exact(value)
        elif cmd == b"DONE":
            break
        else:
            _fail(stream, f"invalid data message {cmd!r}")
            return
    try:
        with device.lock:
            _fs(device).write(path, bytes(data), parents=True)
            if value:  # DONE carries the file's mtime
                device.fs.stat(path).mtime = value
    except FsError as e:
        _fail(stream, f"couldn't create file: {e}")
        return
    stream.write(b"OKAY" + struct.pack("<I", 0))


def _recv(device: Device, stream: Stream, path: str) -> None:
    try:
        with device.lock:
            data = _fs(device).read(path)
    except FsError as e:
        _fail(stream, str(e))
        return
    out = bytearray()
    for start in range(0, len(data), MAX_CHUNK):
        chunk = data[start : start + MAX_CHUNK]
        out += b"DATA" + struct.pack("<I", len(chunk)) + chunk
    stream.write(bytes(out) + b"DONE" + struct.pack("<I", 0))


HANDLERS = {b"STAT": _stat, b"LIST": _list, b"SEND": _send, b"RECV": _recv}
