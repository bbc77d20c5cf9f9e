"""Output formats as a phone writes them: RGBA PNG captures, uiautomator's attribute escaping, ``dumpsys window
displays``, and a retail build's shell user (uid 2000) with its permission errors."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from clients import adb_in, adb_shell_device, ppadb_device
from PIL import Image

from qwen2vl_agent.envs.sim import Device, SimPhone
from qwen2vl_agent.envs.sim.ui.dump import dump_xml
from qwen2vl_agent.envs.sim.ui.node import Node

pytestmark = pytest.mark.timeout(60)


def test_screencap_png_is_rgba_like_a_phone(phone, adb):
    png = adb("exec-out", "screencap -p", text=False).stdout
    assert png[25] == 6  # IHDR colour type 6: RGBA
    assert Image.open(io.BytesIO(png)).mode == "RGBA"
    assert Image.open(io.BytesIO(ppadb_device(phone).screencap())).mode == "RGBA"


def test_fast_png_is_rgba_too():
    png = Device(fast_png=True).screencap_png()
    assert Image.open(io.BytesIO(png)).mode == "RGBA"


def test_xml_attributes_use_double_quotes_and_quot():
    tree = Node(bounds=(0, 0, 100, 100), text='say "hi" & <bye>', desc="it's\nhere", package="p")
    xml = dump_xml(tree)
    assert 'text="say &quot;hi&quot; &amp; &lt;bye&gt;"' in xml
    assert 'content-desc="it\'s&#10;here"' in xml
    node = ET.fromstring(xml).find("node")
    assert (
        node is not None and node.attrib["text"] == 'say "hi" & <bye>' and node.attrib["content-desc"] == "it's\nhere"
    )


def test_dumpsys_window_displays_prints_its_section(device):
    lines = device.shell("dumpsys window displays").text.splitlines()
    assert lines[0] == "WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)"
    assert lines[1].startswith("  Display: mDisplayId=0")
    assert not any(ln.startswith("WINDOW MANAGER WINDOWS") for ln in lines)
    assert any(ln.strip().startswith("mCurrentFocus=Window{") for ln in lines)
    assert any(ln.strip().startswith("mFocusedApp=") for ln in lines)


def test_full_dumpsys_window_is_unchanged(device):
    text = device.shell("dumpsys window").text
    assert text.startswith("WINDOW MANAGER WINDOWS (dumpsys window windows)")
    assert "WINDOW MANAGER POLICY STATE (dumpsys window policy)" in text


@pytest.fixture(scope="module")
def retail():
    with SimPhone(seed=0, root=False) as phone:
        yield phone


def test_retail_shell_is_uid_2000(retail):
    ident, user = adb_in(retail, "shell", "id; whoami").stdout.decode().splitlines()
    assert ident.startswith("uid=2000(shell) gid=2000(shell)") and ident.endswith("context=u:r:shell:s0")
    assert user == "shell"


@pytest.mark.parametrize(("cmd", "message"), [
    ("echo x > /data/x", "/system/bin/sh: can't create /data/x: Permission denied"),
    ("ls /data", "ls: /data: Permission denied"),
    ("cat /data/system/packages.xml", "cat: /data/system/packages.xml: Permission denied"),
    ("rm /system/bin/ls", "rm: /system/bin/ls: Read-only file system"),
])  # fmt: skip
def test_retail_permission_errors(retail, cmd, message):
    res = adb_in(retail, "shell", cmd)
    assert message in res.stderr.decode() and res.returncode == 1


def test_retail_allows_tmp_and_sdcard(retail, tmp_path):
    src = tmp_path / "f.txt"
    src.write_text("ok")
    assert adb_in(retail, "push", str(src), "/data/local/tmp/f.txt").returncode == 0
    assert adb_in(retail, "shell", "cat /data/local/tmp/f.txt; touch /sdcard/t && echo made").stdout == b"okmade\n"
    res = adb_in(retail, "push", str(src), "/data/forbidden.txt")
    assert res.returncode != 0 and "Permission denied" in (res.stderr + res.stdout).decode()


def test_retail_refuses_root(retail):
    assert b"adbd cannot run as root in production builds" in adb_in(retail, "root").stdout
    direct = adb_shell_device(retail)
    try:
        assert direct.shell("getprop ro.build.type") == "user\n"
    finally:
        direct.close()
