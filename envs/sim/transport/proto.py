"""The ADB transport protocol's wire format (AOSP ``packages/modules/adb/protocol.txt``).

A message is a 24-byte little-endian header ``command, arg0, arg1, data_length, data_crc32, magic``
(``magic = command ^ 0xffffffff``) followed by ``data_length`` bytes. Since protocol version 0x01000001 the
checksum may be 0; for older peers it is the byte sum of the payload.
"""

from __future__ import annotations

import struct

A_SYNC = 0x434E5953
A_CNXN = 0x4E584E43
A_OPEN = 0x4E45504F
A_OKAY = 0x59414B4F
A_CLSE = 0x45534C43
A_WRTE = 0x45545257
A_AUTH = 0x48545541
A_STLS = 0x534C5453

VERSION = 0x01000001  # skips checksums
VERSION_MIN = 0x01000000
MAX_PAYLOAD = 1024 * 1024
HEADER = struct.Struct("<6I")


class ProtocolError(Exception):
    """The peer sent something that is not an ADB message."""


def pack(command: int, arg0: int, arg1: int, data: bytes = b"", checksum: bool = False) -> bytes:
    crc = (sum(data) & 0xFFFFFFFF) if checksum else 0
    return HEADER.pack(command, arg0, arg1, len(data), crc, command ^ 0xFFFFFFFF) + data


def unpack_header(raw: bytes) -> tuple[int, int, int, int]:
    """``(command, arg0, arg1, data_length)``; raises ``ProtocolError`` on a bad magic."""
    command, arg0, arg1, length, _crc, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic for command 0x{command:08x}")
    if length > 16 * MAX_PAYLOAD:
        raise ProtocolError(f"payload of {length} bytes")
    return command, arg0, arg1, length
