"""Fixtures for the desktop tests: a private Xvfb, the Tk probe app on it, and fakes.

The X server and the app are session-scoped (one Xvfb and one app for the whole run; each test gets the
app with its state cleared). Tests that need a real X server skip, with the reason, only when Xvfb is
not installed; CI installs it.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qwen2vl_agent.envs.desktop import DesktopEnv, VirtualDisplay

APP = Path(__file__).parent / "app" / "probe_app.py"
SCREEN = (1280, 800)


@pytest.fixture(scope="session")
def xserver() -> Iterator[VirtualDisplay]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb): the desktop tests need a real X server")
    with VirtualDisplay(SCREEN) as display:
        yield display


class ProbeApp:
    """The Tk probe app (tests/desktop/app/probe_app.py) on ``display``; see its docstring."""

    def __init__(self, display: str, geometry: str = "1280x800+0+0") -> None:
        env = {**os.environ, "DISPLAY": display, "XAUTHORITY": os.devnull}
        self.proc = subprocess.Popen(
            [sys.executable, str(APP), "--geometry", geometry],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, encoding="utf-8",
        )  # fmt: skip
        ready = self._read(timeout=20)
        self.widgets: dict[str, list[int]] = ready["widgets"]

    def _read(self, timeout: float = 5.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            raise TimeoutError("the probe app did not answer")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the probe app exited ({self.proc.poll()})")
        return json.loads(line)

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def state(self) -> dict[str, Any]:
        return self.ask("state")

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """Poll the app's state until ``predicate`` holds; return it (the last state on timeout)."""
        deadline = time.monotonic() + timeout
        state = self.state()
        while not predicate(state) and time.monotonic() < deadline:
            time.sleep(0.02)
            state = self.state()
        return state

    def centre(self, widget: str) -> tuple[int, int]:
        x, y, w, h = self.widgets[widget]
        return x + w // 2, y + h // 2

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.communicate("quit\n", timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()


@pytest.fixture(scope="session")
def probe_app(xserver: VirtualDisplay) -> Iterator[ProbeApp]:
    assert xserver.name is not None
    app = ProbeApp(xserver.name)
    yield app
    app.close()


@pytest.fixture
def app(probe_app: ProbeApp) -> ProbeApp:
    """The probe app, its state cleared."""
    probe_app.ask("reset")
    return probe_app


@pytest.fixture
def desktop(xserver: VirtualDisplay) -> Iterator[DesktopEnv]:
    """A ``DesktopEnv`` on the test X server, reset (it has a screenshot, so points map)."""
    with DesktopEnv(xserver.name) as env:
        env.reset()
        yield env
