"""adbd's smaller services: ``root:``/``unroot:``, ``framebuffer:``, ``reboot:``, ``reverse:`` and sockets.

``framebuffer:`` answers as adbd's ``framebuffer_service`` (header version 2: bpp, colorspace, size, width,
height and the RGBA channel offsets/lengths, then the pixels). ``reboot:[TARGET]`` reboots the simulated phone
(``Device.reboot``: apps stopped, logs cleared, home screen; files and settings kept). ``reverse:`` keeps the
reverse forwards of this host connection and answers like adbd (``OKAY`` or ``FAIL`` + length-prefixed text;
the listing is a bare length-prefixed string); nothing
connects back to the host. Device sockets: nothing listens on a phone by default, so ``tcp:PORT`` and
``localabstract:NAME`` are refused as adbd refuses them (CLSE at once: clients such as uiautomator2 then know
their server is not running), except the echo sockets in ``ECHO`` (``tcp:7``, ``localabstract:sim-echo``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .stream import Stream

if TYPE_CHECKING:
    from ..device import Device

SOCKETS = ("tcp", "localabstract", "localreserved", "localfilesystem", "local", "dev")
KINDS = ("root", "unroot", "framebuffer", "reboot", "reverse", *SOCKETS)
ECHO = ("tcp:7", "localabstract:sim-echo")


def listening(name: str) -> bool:
    """Whether a device socket service has something listening (only the echo sockets do)."""
    kind = name.split(":", 1)[0]
    return kind not in SOCKETS or name in ECHO or name.replace("tcp:localhost:", "tcp:") in ECHO


@dataclass
class Link:
    """What one host connection owns on the device: its reverse forwards (device socket -> host socket)."""

    reverses: dict[str, str] = field(default_factory=dict)
    name: str = "host-19"


def serve(device: Device, stream: Stream, kind: str, arg: str, link: Link) -> None:
    if kind == "root":
        stream.write(b"adbd is already running as root\n" if device.root else
                     b"adbd cannot run as root in production builds\n")  # fmt: skip
    elif kind == "unroot":
        stream.write(b"adbd not running as root\n")
    elif kind == "framebuffer":
        stream.write(framebuffer(device))
    elif kind == "reboot":
        device.reboot()
    elif kind == "reverse":
        stream.write(reverse(link, arg))
    else:
        while data := stream.read(65536):
            stream.write(data)


def framebuffer(device: Device) -> bytes:
    raw = device.screencap_raw()
    w, h = struct.unpack("<2I", raw[:8])
    pixels = raw[len(raw) - w * h * 4 :]
    # version, bpp, colorspace (sRGB), size, width, height, red/blue/green/alpha offset and length
    return struct.pack("<14I", 2, 32, 1, len(pixels), w, h, 0, 8, 16, 8, 8, 8, 24, 8) + pixels


def _okay(text: str | None = None) -> bytes:
    return b"OKAY" if text is None else b"OKAY" + f"{len(text.encode()):04x}".encode() + text.encode()


def _fail(text: str) -> bytes:
    return b"FAIL" + f"{len(text.encode()):04x}".encode() + text.encode()


def reverse(link: Link, arg: str) -> bytes:
    """``reverse:list-forward``, ``forward[:norebind]:REMOTE;LOCAL``, ``killforward:REMOTE``, ``killforward-all``."""
    if arg == "list-forward":
        listing = "".join(f"{link.name} {r} {local}\n" for r, local in link.reverses.items())
        return f"{len(listing.encode()):04x}{listing}".encode()  # a bare protocol string, no OKAY
    if arg == "killforward-all":
        link.reverses.clear()
        return _okay()
    if arg.startswith("killforward:"):
        remote = arg.split(":", 1)[1]
        if link.reverses.pop(remote, None) is None:
            return _fail(f"listener '{remote}' not found")
        return _okay()
    if arg.startswith("forward:"):
        spec = arg.split(":", 1)[1]
        norebind = spec.startswith("norebind:")
        remote, _, local = spec.removeprefix("norebind:").partition(";")
        if not local or remote.split(":", 1)[0] not in SOCKETS:
            return _fail(f"cannot bind listener: unknown socket specification '{remote}'")
        if norebind and remote in link.reverses:
            return _fail("cannot rebind existing socket")
        if remote == "tcp:0":
            remote = f"tcp:{38000 + len(link.reverses)}"
            link.reverses[remote] = local
            port = remote.split(":", 1)[1]
            return _okay() + f"{len(port):04x}{port}".encode()  # the port adbd picked, as a protocol string
        link.reverses[remote] = local
        return _okay()
    return _fail(f"unknown reverse command '{arg}'")
