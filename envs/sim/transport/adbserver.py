"""A private instance of the REAL adb server (the binary bundled with adbutils), on a free port.

The server runs as ``adb -P PORT nodaemon server`` under a process we own, so that its lifetime is ours:
``stop()`` asks it to quit (``host:kill``, what ``adb kill-server`` sends) and then waits for, or kills,
that very process - nothing is left behind, and 5037 is never touched. If the owner dies without
``stop()`` (SIGKILL, an unhandled signal) the kernel kills the server too (``lifeline``). It listens on
localhost only unless ``all_interfaces`` (adb's ``-a``: anyone who can reach the port controls the phones
and can make the server open connections and forwards on this host). ``AdbServer.attach(port)`` uses a
server someone else runs (``stop()`` then does nothing). Control requests use the smart-socket protocol
(4 hex digits of length + request; ``OKAY`` or ``FAIL`` + hex length + message).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import tempfile

from ...poll import wait_for
from .lifeline import spawn_tied

log = logging.getLogger(__name__)


class AdbServerError(RuntimeError):
    """The adb server could not be started or refused a request."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def adb_binary() -> str:
    """The real adb binary: ``$QWEN2VL_AGENT_SIM_ADB`` if set, else ``adbutils.adb_path()`` (``adb`` on PATH
    or the one bundled in adbutils' wheel). Tests elsewhere may set ``ADBUTILS_ADB_PATH=/bin/false`` to stop
    adbutils from spawning servers; the simulator then still uses the bundled binary."""
    explicit = os.environ.get("QWEN2VL_AGENT_SIM_ADB")
    if explicit:
        return explicit
    import adbutils

    path = adbutils.adb_path()
    bundled = os.path.join(os.path.dirname(adbutils.__file__), "binaries", "adb")
    if os.path.basename(path) in ("false", "true") and os.path.isfile(bundled):
        return bundled
    return path


class AdbServer:
    def __init__(self, port: int | None = None, host: str = "127.0.0.1", owned: bool = True,
                 all_interfaces: bool = False) -> None:  # fmt: skip
        self.host = host
        self.port = port or 0
        self.owned = owned
        self.all_interfaces = all_interfaces
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @classmethod
    def attach(cls, port: int, host: str = "127.0.0.1") -> AdbServer:
        server = cls(port, host, owned=False)
        server.request("host:version")
        return server

    # ---------------------------------------------------------------- lifetime

    def start(self, timeout: float = 15.0) -> AdbServer:
        """Start the server on a free port (retrying if another process takes the port first). On failure
        nothing is left running, and the error carries the end of the last attempt's log."""
        binary = self.command()[0]
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            # checked here: the server is started through an exec prelude, which would only print a traceback
            raise AdbServerError(f"no adb binary at {binary} (set QWEN2VL_AGENT_SIM_ADB or reinstall adbutils)")
        tail = ""
        for _attempt in range(3):
            try:
                ready = self._spawn(timeout)
            except BaseException:  # e.g. no adb binary, or an interrupt while waiting
                self._reap()
                raise
            if ready:
                log.info("adb server %d started on port %d", self.pid, self.port)
                return self
            tail = self.log_tail()  # before _reap closes (and deletes) the log
            self._reap()
        raise AdbServerError(f"the adb server did not start: {tail}")

    def _spawn(self, timeout: float) -> bool:
        """One attempt: launch the server on a free port; True once it answers within ``timeout``."""
        self.port = free_port(self.host)
        self._log = tempfile.NamedTemporaryFile(prefix="sim-adb-server-", suffix=".log")  # noqa: SIM115
        env = {**os.environ, "ADB_MDNS_OPENSCREEN": "0", "ADB_LIBUSB": "0"}
        self._proc = spawn_tied(
            self.command(),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        return self._wait_ready(timeout)

    def command(self) -> list[str]:
        """The server's command line (``nodaemon``: the process we start is the one that listens)."""
        return [adb_binary(), *(["-a"] if self.all_interfaces else []), "-P", str(self.port), "nodaemon", "server"]

    def _wait_ready(self, timeout: float) -> bool:
        def probe() -> bool | None:
            if self._proc is not None and self._proc.poll() is not None:
                return False  # the server exited: no point waiting
            try:
                self.request("host:version", timeout=1.0)
                return True
            except (OSError, AdbServerError):
                return None

        return bool(wait_for(probe, timeout, 0.05))

    def stop(self) -> None:
        """Quit the server if we started it; idempotent."""
        if not self.owned or self._proc is None:
            return
        with contextlib.suppress(OSError, AdbServerError):
            self.request("host:kill", timeout=2.0)
        self._reap()

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, n: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        with open(self._log.name, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # ---------------------------------------------------------------- requests

    def request(self, service: str, timeout: float = 10.0) -> str:
        """Send a host request and return its reply payload (empty for requests without one)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            raw = service.encode()
            s.sendall(f"{len(raw):04x}".encode() + raw)
            status = _read(s, 4)
            if status == b"FAIL":
                raise AdbServerError(_read(s, int(_read(s, 4), 16)).decode("utf-8", "replace"))
            if status != b"OKAY":
                raise AdbServerError(f"unexpected reply {status!r} to {service}")
            if service in ("host:kill",) or service.startswith("host:transport"):
                return ""
            try:
                length = _read(s, 4)
            except ConnectionError:
                return ""
            return _read(s, int(length, 16)).decode("utf-8", "replace")

    def devices(self) -> dict[str, str]:
        """serial -> state (``device``, ``offline``, ...)."""
        lines = self.request("host:devices").splitlines()
        return dict(line.split("\t", 1) for line in lines if "\t" in line)

    def connect(self, host: str, port: int, timeout: float = 15.0) -> str:
        """``adb connect host:port`` and wait until the device is online; returns its serial."""
        serial = f"{host}:{port}"
        reply = self.request(f"host:connect:{serial}")
        if "connected" not in reply:
            raise AdbServerError(f"adb connect {serial}: {reply}")
        if wait_for(lambda: self.devices().get(serial) == "device" or None, timeout, 0.02):
            return serial
        raise AdbServerError(f"{serial} did not come online: {self.devices()}")

    def disconnect(self, serial: str) -> None:
        with contextlib.suppress(OSError, AdbServerError):
            self.request(f"host:disconnect:{serial}", timeout=3.0)


def _read(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("adb server closed the connection")
        buf += chunk
    return buf
