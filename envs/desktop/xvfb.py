"""``VirtualDisplay``: a private Xvfb X server, for headless runs, tests and benchmarks.

Xvfb picks a free display number itself and writes it to a pipe (``-displayfd``), so parallel starts
never race for a number. The server dies with the process that started it (``PR_SET_PDEATHSIG`` on
Linux), even if that process is killed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import time

from .errors import DesktopUnavailable, DisplayUnavailable

log = logging.getLogger(__name__)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class VirtualDisplay:
    """An Xvfb server of ``size`` pixels and ``depth`` bits; ``name`` (e.g. ``":3"``) once started.

    ``auth_file``: start with access control, accepting the cookies in that file (``xauth -f FILE add``).
    Use as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(self, size: tuple[int, int] = (1280, 800), depth: int = 24, auth_file: str | None = None):
        self.size, self.depth, self.auth_file = size, depth, auth_file
        self.name: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> VirtualDisplay:
        exe = shutil.which("Xvfb")
        if exe is None:
            raise DesktopUnavailable("Xvfb is not installed: apt-get install xvfb")
        w, h = self.size
        read_fd, write_fd = os.pipe()
        args = [exe, "-displayfd", str(write_fd), "-screen", "0", f"{w}x{h}x{self.depth}", "-nolisten", "tcp"]
        if self.auth_file:
            args += ["-auth", self.auth_file]
        try:
            self._proc = subprocess.Popen(
                args, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent,
            )  # fmt: skip
            os.close(write_fd)
            number = _read_line(read_fd, timeout)
        finally:
            os.close(read_fd)
        if not number:
            err = self._stop_and_read_stderr()
            raise DisplayUnavailable(f"Xvfb did not start: {err or 'no display number within the timeout'}")
        self.name = f":{number}"
        log.debug("Xvfb %s started (pid %d)", self.name, self._proc.pid)
        return self

    def stop(self) -> None:
        """Terminate the server and wait for it; idempotent."""
        if self._proc is not None:
            self._stop_and_read_stderr()
            self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _stop_and_read_stderr(self) -> str:
        proc = self._proc
        if proc is None:
            return ""
        if proc.poll() is None:
            proc.terminate()
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        return (err or b"").decode(errors="replace").strip()[-500:]

    def __enter__(self) -> VirtualDisplay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_line(fd: int, timeout: float) -> str:
    """Read up to a newline from ``fd`` within ``timeout`` seconds ("" on timeout or EOF)."""
    deadline, data = time.monotonic() + timeout, b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return ""
        chunk = os.read(fd, 64)
        if not chunk:
            return ""
        data += chunk
    return data.decode().strip()
