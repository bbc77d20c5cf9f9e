"""Clear errors at the X boundary: no display, bad names, missing cookies, a dead server, import traps."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys

import pytest

from qwen2vl_agent.envs import DeviceLost, EnvError
from qwen2vl_agent.envs.desktop import DesktopEnv, DisplayUnavailable, VirtualDisplay, XAuthorityError
from qwen2vl_agent.envs.desktop.xsession import x_environment
from qwen2vl_agent.tools import Click

needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt-get install xvfb)")


def test_no_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(DisplayUnavailable, match=r"DISPLAY is not set.*Xvfb :99"):
        DesktopEnv()


def test_bad_display_name():
    with pytest.raises(DisplayUnavailable, match="Bad X display name 'nonsense'"):
        DesktopEnv("nonsense")


def test_no_server_on_that_display():
    with pytest.raises(DisplayUnavailable, match=r"Cannot connect to the X display :59000 .*Is the X server running"):
        DesktopEnv(":59000")


def test_an_explicit_authority_file_must_exist(tmp_path):
    with pytest.raises(XAuthorityError, match="does not exist"):
        DesktopEnv(":0", xauthority=str(tmp_path / "nope"))


@needs_xvfb
@pytest.mark.skipif(shutil.which("xauth") is None, reason="xauth is not installed (apt-get install xauth)")
def test_a_server_with_access_control(tmp_path, monkeypatch):
    cookies = tmp_path / "cookies"
    cookies.touch()
    with VirtualDisplay(auth_file=str(cookies)) as server:
        subprocess.run(["xauth", "-f", str(cookies), "add", server.name, ".", secrets.token_hex(16)], check=True)
        monkeypatch.setenv("XAUTHORITY", str(tmp_path / "missing"))
        with pytest.raises(XAuthorityError, match=f"refused.*{tmp_path / 'missing'} does not exist"):
            DesktopEnv(server.name)
        with DesktopEnv(server.name, xauthority=str(cookies)) as env:  # with the cookie it works
            assert env.reset().screen_size == (1280, 800)


@needs_xvfb
def test_a_server_that_dies_is_device_lost():
    with VirtualDisplay((640, 480)) as server:
        env = DesktopEnv(server.name)
        env.reset()
        server.stop()
        with pytest.raises(DeviceLost, match=f"X server {server.name} went away"):
            env.observe()
        with pytest.raises(DeviceLost):
            env.execute(Click(point=(10, 10)))
        env.close()  # closing after the server died is quiet


def test_missing_tkinter_is_a_clear_error_not_an_exit(xserver):
    # mouseinfo (imported by pyautogui) calls sys.exit() without tkinter; run in a fresh interpreter
    code = (
        "import sys; sys.modules['tkinter'] = None\n"
        "from qwen2vl_agent.envs.desktop import DesktopEnv, DesktopUnavailable\n"
        "try:\n    DesktopEnv(sys.argv[1])\nexcept DesktopUnavailable as e:\n    print('CLEAR', e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, xserver.name], capture_output=True, text=True, timeout=60)
    assert "CLEAR pyautogui needs tkinter" in done.stdout, done.stderr
    assert "python3-tk" in done.stdout


def test_old_xlib_gets_a_readable_cookie_file(monkeypatch):
    import Xlib.xauth

    from qwen2vl_agent.envs.desktop import xsession

    monkeypatch.setattr(xsession, "_old_xlib", lambda: True)
    monkeypatch.setenv("XAUTHORITY", "/nonexistent/cookies")
    with x_environment(":5", None):
        path = os.environ["XAUTHORITY"]
        assert os.environ["DISPLAY"] == ":5"
    assert os.environ["XAUTHORITY"] == "/nonexistent/cookies"  # restored
    entries = Xlib.xauth.Xauthority(path)  # python3-Xlib 0.15 crashes on a missing file; this one reads
    assert len(entries) == 1
    assert entries[0][2] == b"65535"  # a display number no server has: it never supplies a cookie


def test_virtual_display_without_xvfb(monkeypatch):
    from qwen2vl_agent.envs.desktop import DesktopUnavailable

    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(DesktopUnavailable, match="apt-get install xvfb"):
        VirtualDisplay().start()


def test_closed_env_raises_env_error(xserver):
    env = DesktopEnv(xserver.name)
    env.close()
    with pytest.raises(EnvError, match="closed"):
        env.observe()
