"""Device services behind OPEN: ``shell:`` (v1), ``shell,v2:``, ``exec:``, ``sync:``, ``root:``.

Shell v1 and ``exec:`` send stdout and stderr merged, in the order written, then close (no exit status:
adbutils' ``shell2`` appends ``; echo X4EXIT:$?`` for that). Shell v2 frames each packet as
``[id u8][length u32 LE][data]`` (1 stdout, 2 stderr, 3 exit status) and ends with the exit packet. A
command line runs at once with empty stdin; an empty command starts a line-by-line interactive shell.
While the device is frozen (``Device.freeze``) a request waits before it runs, and is dropped if the host
closes its stream meanwhile.
"""

from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING

from .stream import Stream, StreamClosed
from .sync import serve_sync

if TYPE_CHECKING:
    from ..device import Device

log = logging.getLogger(__name__)

ID_STDIN, ID_STDOUT, ID_STDERR, ID_EXIT, ID_CLOSE_STDIN, ID_WINDOW = 0, 1, 2, 3, 4, 5
PROMPT = b"simphone:/ # "


def packet(kind: int, data: bytes) -> bytes:
    return struct.pack("<BI", kind, len(data)) + data


def parse_service(name: str) -> tuple[str, list[str], str]:
    """``"shell,v2,raw:ls"`` -> ``("shell", ["v2", "raw"], "ls")``."""
    head, _, arg = name.partition(":")
    kind, *opts = head.split(",")
    return kind, opts, arg


def known(name: str) -> bool:
    kind, _, _ = parse_service(name)
    return kind in ("shell", "exec", "sync", "root", "unroot")


def serve(device: Device, stream: Stream, name: str) -> None:
    """Run one service to completion on its own thread; always closes the stream."""
    kind, opts, arg = parse_service(name)
    try:
        if not device.wait_answering(lambda: stream.closed):
            log.debug("stream %s abandoned while the device was frozen", name)
            return
        if kind == "sync":
            serve_sync(device, stream)
        elif kind in ("root", "unroot"):
            stream.write(b"adbd is already running as root\n" if kind == "root" else b"adbd not running as root\n")
        elif not arg.strip():
            _interactive(device, stream, v2="v2" in opts)
        elif kind == "shell" and "v2" in opts:
            _shell_v2(device, stream, arg)
        else:
            stream.write(device.shell(arg).output)
    except StreamClosed:
        log.debug("stream %s closed by the host", name)
    except Exception:
        log.exception("service %r failed", name)
    finally:
        stream.close()


def _shell_v2(device: Device, stream: Stream, command: str) -> None:
    result = device.shell(command)
    out = b"".join(packet(ID_STDOUT if fd == 1 else ID_STDERR, data) for fd, data in result.chunks)
    stream.write(out + packet(ID_EXIT, bytes([result.status & 0xFF])))


def _interactive(device: Device, stream: Stream, v2: bool) -> None:
    """A minimal interactive shell: one command per line, state kept between lines, ``exit`` ends it."""
    from ..shell import new_shell

    sh = new_shell(device)
    buf = b""
    send = (lambda b: stream.write(packet(ID_STDOUT, b))) if v2 else stream.write
    send(PROMPT)
    while True:
        data = _read_input(stream, v2)
        if data is None:
            return
        buf += data.replace(b"\r", b"\n")
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not device.wait_answering(lambda: stream.closed):
                return
            if line.strip() in (b"exit", b"logout"):
                if v2:
                    stream.write(packet(ID_EXIT, bytes([sh.status & 0xFF])))
                return
            result = sh.run(line.decode("utf-8", "replace"))
            send(result.output.replace(b"\n", b"\r\n") + PROMPT)


def _read_input(stream: Stream, v2: bool) -> bytes | None:
    if not v2:
        return stream.read(4096) or None
    header = stream.read_exact(5)
    kind, length = struct.unpack("<BI", header)
    data = stream.read_exact(length) if length else b""
    if kind == ID_CLOSE_STDIN:
        return None
    return data if kind == ID_STDIN else b""
