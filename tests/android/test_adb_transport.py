"""``SocketTransport`` (our own host-protocol client) and ``choose_device`` against a tiny in-test adb server (smart-socket protocol).

The server speaks just enough of the protocol: ``host:version``, ``host:devices``, ``host:tport:serial:S``, ``host:transport:S``,
``host-serial:S:features`` and ``shell,v2:``. Commands select behaviours: ``hang`` never answers,
``big`` streams 10 MB, ``fail`` exits 3 with stderr.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from qwen2vl_agent.envs import DeviceLost, EnvError
from qwen2vl_agent.envs.android import AdbDeviceLost, SocketTransport, choose_device, list_devices

BIG = 10 * 1024 * 1024


def _block(text: str) -> bytes:
    data = text.encode()
    return f"{len(data):04x}".encode() + data


def _recv_request(conn: socket.socket) -> str:
    size = int(conn.recv(4, socket.MSG_WAITALL), 16)
    return conn.recv(size, socket.MSG_WAITALL).decode()


def _packet(kind: int, data: bytes) -> bytes:
    return bytes([kind]) + len(data).to_bytes(4, "little") + data


class MiniAdbServer:
    def __init__(self, devices: dict[str, str]) -> None:
        self.devices = devices
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.commands: list[str] = []
        self.requests: list[str] = []  # every host request, in order
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError, ValueError):  # the client may hang up at any point
            request = _recv_request(conn)
            self.requests.append(request)
            self._answer(conn, request)

    def _answer(self, conn: socket.socket, request: str) -> None:
        if request == "host:version":
            conn.sendall(b"OKAY" + _block("0029"))
        elif request.startswith("host:devices"):
            conn.sendall(b"OKAY" + _block("".join(f"{s}\t{st}\n" for s, st in self.devices.items())))
        elif request.startswith("host-serial:"):
            conn.sendall(b"OKAY" + _block("shell_v2,cmd"))
        elif request.startswith(("host:tport:serial:", "host:transport:")):
            serial = request.rsplit(":", 1)[1]
            if self.devices.get(serial) != "device":
                conn.sendall(b"FAIL" + _block(f"device '{serial}' not found"))
                return
            tport = request.startswith("host:tport:")  # answers the transport id; host:transport: does not
            conn.sendall(b"OKAY" + ((1).to_bytes(8, "little") if tport else b""))
            self._shell(conn, _recv_request(conn))

    def _shell(self, conn: socket.socket, service: str) -> None:
        command = service.split(":", 1)[1]
        self.commands.append(command)
        conn.sendall(b"OKAY")
        if command == "hang":
            self._stop.wait()  # answers nothing until the server closes
        elif command == "big":
            chunk = bytes(range(256)) * 256  # 64 KiB packets
            for _ in range(BIG // len(chunk)):
                conn.sendall(_packet(1, chunk))
            conn.sendall(_packet(3, b"\0"))
        elif command == "fail":
            conn.sendall(_packet(2, b"boom\n") + _packet(3, b"\x03"))
        else:
            conn.sendall(_packet(1, f"ran: {command}\n".encode()) + _packet(3, b"\0"))


@pytest.fixture
def server():
    srv = MiniAdbServer({"phone-1": "device", "phone-2": "unauthorized"})
    yield srv
    srv.close()


def test_shell_v2_round_trip_with_quoting(server):
    transport = SocketTransport("phone-1", port=server.port)
    result = transport.shell(("input", "text", "a; b"), timeout=5)
    assert result.out == "ran: input text 'a; b'\n" and result.exit_code == 0
    failed = transport.shell(("fail",), timeout=5)
    assert (failed.stderr, failed.exit_code) == (b"boom\n", 3)


def test_a_large_reply_is_read_completely(server):
    result = SocketTransport("phone-1", port=server.port).shell(("big",), timeout=20)
    assert len(result.stdout) == BIG and result.stdout[:3] == b"\0\1\2"


def test_a_device_that_stops_answering_fails_within_the_timeout(server, helpers):
    transport = SocketTransport("phone-1", port=server.port)
    with pytest.raises(DeviceLost, match="did not answer") as info:  # the fake never answers
        helpers.returns_within(lambda: transport.shell(("hang",), timeout=0.5))
    assert info.value.may_have_run and not info.value.transient


def test_a_missing_device_is_device_lost(server):
    with pytest.raises(AdbDeviceLost, match="not connected"):
        SocketTransport("phone-9", port=server.port).shell(("true",), timeout=2)


def test_a_dead_server_is_reported_and_never_respawned(server, helpers):
    port = server.port
    server.close()
    with pytest.raises(AdbDeviceLost, match="adb server"):
        helpers.returns_within(lambda: SocketTransport("phone-1", port=port).shell(("true",), timeout=2))
    with pytest.raises(AdbDeviceLost, match="start-server"):
        choose_device(None, port=port)


def test_device_choice(server):
    assert list_devices(port=server.port) == [("phone-1", "device"), ("phone-2", "unauthorized")]
    assert choose_device(None, port=server.port) == "phone-1"
    assert choose_device("phone-1", port=server.port) == "phone-1"
    with pytest.raises(EnvError, match="USB debugging"):
        choose_device("phone-2", port=server.port)
    with pytest.raises(EnvError, match=r"not connected.*phone-1"):
        choose_device("nope", port=server.port)


@pytest.mark.parametrize(
    ("devices", "needle"),
    [({}, "no Android device is ready"), ({"a": "device", "b": "device"}, "2 devices are connected")],
)
def test_none_or_several_devices_is_a_clear_error(devices, needle):
    srv = MiniAdbServer(devices)
    try:
        with pytest.raises(EnvError, match=needle):
            choose_device(None, port=srv.port)
    finally:
        srv.close()


def test_task_device_calls_ask_the_server_nothing_but_the_call(server):
    """The benchmark's device I/O: no version check per call, the features read once, one socket per call."""
    from qwen2vl_agent.envs.tasks import TaskDevice

    device = TaskDevice.connect("phone-1", port=server.port, timeout_s=5)
    for _ in range(3):
        assert device.shell("echo", "hi") == "ran: echo hi\n"
    assert "host:version" not in server.requests
    assert sum(r.startswith("host-serial:") for r in server.requests) <= 1
    assert len([r for r in server.requests if "transport" in r or "tport" in r]) == 3
