"""Device services behind OPEN, as adbd serves them.

``shell:`` (v1) and ``exec:`` stream stdout and stderr merged in the order written, then close (no exit
status: adbutils' ``shell2`` appends ``; echo X4EXIT:$?``). ``shell,v2:`` frames each packet as
``[id u8][length u32 LE][data]`` (0 stdin, 1 stdout, 2 stderr, 3 exit, 4 close-stdin, 5 window size) and ends with
the exit packet. A command's stdin is the stream's data from the host (v1: raw bytes until the host closes;
v2: stdin packets until close-stdin), read only when a command asks for it, so a command that does not read
stdin never waits. An empty command is an interactive shell: with a pty (``shell:``, ``shell,v2,pty:``) it
prompts and echoes CRLF; without one (``shell,v2,raw:``, what ``adb shell`` does with a piped stdin) it runs
each line as it arrives, silently. ``framebuffer:``, ``reboot:``, ``root:``/``unroot:``, ``reverse:`` and
socket services (``tcp:``, ``localabstract:``...: an echo) are in ``extra_services``. While the device is frozen
(``Device.freeze``) a request waits before it runs, and is dropped if the host closes its stream meanwhile.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..shell.parse import Incomplete, ParseError, parse
from ..shell.streams import Hangup
from . import extra_services
from .stream import Stream, StreamClosed
from .sync import serve_sync

if TYPE_CHECKING:
    from ..device import Device

log = logging.getLogger(__name__)

ID_STDIN, ID_STDOUT, ID_STDERR, ID_EXIT, ID_CLOSE_STDIN, ID_WINDOW = 0, 1, 2, 3, 4, 5
PROMPT = b"simphone:/ # "
KINDS = ("shell", "exec", "sync", *extra_services.KINDS)


def packet(kind: int, data: bytes) -> bytes:
    return struct.pack("<BI", kind, len(data)) + data


def parse_service(name: str) -> tuple[str, list[str], str]:
    """``"shell,v2,raw:ls"`` -> ``("shell", ["v2", "raw"], "ls")``."""
    head, _, arg = name.partition(":")
    kind, *opts = head.split(",")
    return kind, opts, arg


def known(name: str) -> bool:
    """Whether adbd answers ``name`` (a device socket only when something listens on it)."""
    kind, _, _ = parse_service(name)
    return kind in KINDS and extra_services.listening(name)


def serve(device: Device, stream: Stream, name: str, link: extra_services.Link | None = None) -> None:
    """Run one service to completion on its own thread; always closes the stream."""
    kind, opts, arg = parse_service(name)
    try:
        if not device.wait_answering(lambda: stream.closed):
            log.debug("stream %s abandoned while the device was frozen", name)
            return
        if kind == "sync":
            serve_sync(device, stream)
        elif kind in extra_services.KINDS:
            extra_services.serve(device, stream, kind, arg, link or extra_services.Link())
        elif not arg.strip():
            pty = "raw" not in opts  # adb asks for raw when its stdin is not a terminal
            (_interactive if pty else _raw_shell)(device, stream, v2="v2" in opts)
        else:
            _command(device, stream, arg, v2=kind == "shell" and "v2" in opts)
    except (StreamClosed, Hangup):
        log.debug("stream %s closed by the host", name)
    except Exception:
        log.exception("service %r failed", name)
    finally:
        stream.close()


def writer(stream: Stream, kind: int | None) -> Callable[[bytes], None]:
    """Write to the stream (as a v2 packet of ``kind`` unless None); a gone client raises ``Hangup``."""

    def write(data: bytes) -> None:
        if not data:
            return
        try:
            stream.write(data if kind is None else packet(kind, data))
        except StreamClosed as e:
            raise Hangup(str(e)) from e

    return write


class StdinReader:
    """The host's stdin for a command: v1 raw bytes until the stream closes, v2 stdin packets until close-stdin."""

    def __init__(self, stream: Stream, v2: bool) -> None:
        self.stream = stream
        self.v2 = v2
        self.eof = False

    def chunk(self) -> bytes | None:
        """The next piece of stdin, or None at its end."""
        if self.eof:
            return None
        if not self.v2:
            data = self.stream.read(65536)
            self.eof = not data
            return data or None
        try:
            kind, length = struct.unpack("<BI", self.stream.read_exact(5))
            data = self.stream.read_exact(length) if length else b""
        except StreamClosed:
            self.eof = True
            return None
        if kind == ID_CLOSE_STDIN:
            self.eof = True
            return None
        return data if kind == ID_STDIN else b""

    def __call__(self) -> bytes:
        """Everything left, to its end (what ``cat`` reads)."""
        out = bytearray()
        while (data := self.chunk()) is not None:
            out += data
        return bytes(out)


def _command(device: Device, stream: Stream, command: str, v2: bool) -> None:
    from ..shell import new_shell

    out, err = (writer(stream, ID_STDOUT), writer(stream, ID_STDERR)) if v2 else (writer(stream, None),) * 2
    result = new_shell(device).run(command, StdinReader(stream, v2), out, err, live=lambda: not stream.closed)
    if v2:
        stream.write(packet(ID_EXIT, bytes([result.status & 0xFF])))


def _raw_shell(device: Device, stream: Stream, v2: bool) -> None:
    """``sh`` reading a piped stdin: each complete line (or multi-line construct) runs as it arrives."""
    from ..shell import new_shell

    sh, stdin = new_shell(device), StdinReader(stream, v2)
    out, err = (writer(stream, ID_STDOUT), writer(stream, ID_STDERR)) if v2 else (writer(stream, None),) * 2
    pending = b""
    while (data := stdin.chunk()) is not None:
        pending += data
        ready, _, rest = pending.rpartition(b"\n")
        if not ready and not data.endswith(b"\n"):
            continue
        src = ready.decode("utf-8", "replace") + "\n"
        if _incomplete(src):
            continue
        pending = rest
        if not device.wait_answering(lambda: stream.closed):
            return
        sh.run(src, stdin, out, err, live=lambda: not stream.closed)
    if pending.strip():
        sh.run(pending.decode("utf-8", "replace"), b"", out, err)
    if v2:
        stream.write(packet(ID_EXIT, bytes([sh.status & 0xFF])))


def _incomplete(src: str) -> bool:
    try:
        parse(src)
    except Incomplete:
        return True
    except ParseError:
        return False
    return False


def _interactive(device: Device, stream: Stream, v2: bool) -> None:
    """A terminal shell: one command per line, a prompt after each, state kept between lines, ``exit`` ends it."""
    from ..shell import new_shell

    sh, stdin = new_shell(device), StdinReader(stream, v2)
    buf = b""
    send = (lambda b: stream.write(packet(ID_STDOUT, b))) if v2 else stream.write
    prompt = PROMPT if device.root else PROMPT.replace(b"# ", b"$ ")
    send(prompt)
    while (data := stdin.chunk()) is not None:
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
            send(result.output.replace(b"\n", b"\r\n") + prompt)
