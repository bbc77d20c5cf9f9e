"""UI trees and selectors (pure), and the TaskDevice wrapper against the phone and against a fake."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from qwen2vl_agent.envs.android import AndroidDevice, ShellResult
from qwen2vl_agent.envs.tasks import Selector, TaskDevice, TaskDeviceError, hittable, parse_ui
from qwen2vl_agent.envs.tasks.device import UI_DUMP_PATH, _split_row

XML = """UI hierchary dumped to: /dev/tty
<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">
<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="p" content-desc="" clickable="false" bounds="[0,0][100,200]">
  <node index="0" text="Row A" resource-id="p:id/title" class="android.widget.TextView" package="p" content-desc="" clickable="true" bounds="[0,0][100,50]" />
  <node index="1" text="" resource-id="p:id/row" class="android.widget.LinearLayout" package="p" content-desc="" clickable="true" bounds="[0,50][100,100]">
    <node index="0" text="Row B" resource-id="p:id/title" class="android.widget.TextView" package="p" content-desc="" clickable="false" bounds="[0,50][80,100]" />
    <node index="1" text="" resource-id="p:id/delete" class="android.widget.ImageButton" package="p" content-desc="Delete" clickable="true" bounds="[80,50][100,100]" />
  </node>
  <node index="2" text="" resource-id="" class="android.widget.FrameLayout" package="p" content-desc="" clickable="true" bounds="[0,90][100,200]">
    <node index="0" text="OK" resource-id="p:id/button1" class="android.widget.Button" package="p" content-desc="" clickable="true" bounds="[10,150][50,180]" />
  </node>
</node>
</hierarchy>"""


def test_parse_ui_and_selectors():
    nodes = parse_ui(XML)
    assert [n.text for n in nodes if n.text] == ["Row A", "Row B", "OK"]
    assert Selector(text="Row B").find(nodes).rid == "title"
    assert Selector(rid="title", nth=1).find(nodes).text == "Row B"
    assert Selector(text_contains="row a").find(nodes).text == "Row A"
    assert Selector(desc="Delete", cls="ImageButton").find(nodes).rid == "delete"
    assert Selector(text="Nope").find(nodes) is None
    with pytest.raises(ValueError, match="at least one"):
        Selector()


def test_hittable_follows_touch_dispatch():
    nodes = parse_ui(XML)
    row_b = Selector(text="Row B").find(nodes)
    assert hittable(nodes, row_b)  # a plain text inside a clickable row: the tap goes to the row
    assert hittable(nodes, Selector(text="Row A").find(nodes))
    ok = Selector(text="OK").find(nodes)
    assert hittable(nodes, ok)
    # the scrim (clickable, drawn later) covers the lower part of row B: a tap there would hit the scrim
    assert not hittable(nodes, row_b, (40, 95))
    assert row_b.point_at(0.99, 0.5) == (79, 75) and row_b.point_at(2, 2) == (79, 99)


def test_content_rows_split_on_known_columns():
    row = _split_row("_id=3, address=+1 555, body=Hi, x=1, y=2", ("_id", "address", "body"))
    assert row == {"_id": "3", "address": "+1 555", "body": "Hi, x=1, y=2"}
    assert _split_row("_id=1, body=NULL", ("_id", "body"))["body"] is None
    with pytest.raises(TaskDeviceError, match="unexpected"):
        _split_row("garbage", ("_id",))


@dataclass
class _Result:
    returncode: int
    stdout: str = ""
    stderr: str = ""


class _FakeAdb:
    """An ``AdbTransport`` that answers every command with ``result`` and records the argument lists."""

    serial = "fake"

    def __init__(self, result: _Result) -> None:
        self.result, self.calls = result, []

    def shell(self, argv, *, timeout, idempotent=True):
        self.calls.append(list(argv))
        r = self.result
        return ShellResult(r.stdout.encode(), r.stderr.encode(), r.returncode)

    def close(self) -> None:
        pass


def test_failed_commands_raise_with_the_message():
    device = TaskDevice(AndroidDevice(_FakeAdb(_Result(127, stderr="/system/bin/sh: nope: inaccessible or not found"))))
    with pytest.raises(TaskDeviceError, match="exited 127: /system/bin/sh: nope"):
        device.shell("nope")
    assert device.shell("nope", check=False) == ""


def test_round_trips_over_adb(phone, device):
    body = "Olá, x=1, 你好 ☕\nsecond line"
    device.content_insert("content://sms/inbox", {"address": "+1 555-000-2222", "body": body, "date": 1, "read": 0})
    rows = device.content_query("content://sms/inbox", ("_id", "address", "body"), "address='+1 555-000-2222'")
    assert [r["body"] for r in rows] == [body]
    device.write_file("/sdcard/Documents/ünï.txt", "naïve ✓")
    assert device.read_text("/sdcard/Documents/ünï.txt") == "naïve ✓"
    assert "ünï.txt" in device.listdir("/sdcard/Documents")
    device.remove("/sdcard/Documents/ünï.txt")
    assert device.read_file("/sdcard/Documents/ünï.txt") is None
    device.settings_put("system", "font_scale", "1.3")
    assert device.settings_get("system", "font_scale") == "1.3"
    assert device.settings_get("system", "no_such_key") is None
    device.start("-n", "com.android.settings/.Settings")
    assert device.foreground_package() == "com.android.settings"
    assert any(n.text == "Display" for n in parse_ui(device.ui_dump()))


def test_a_failing_ui_dump_reports_what_uiautomator_said():
    adb = _FakeAdb(_Result(0, stderr="ERROR: could not get idle state.\n"))  # on stderr, exit 0, as on a phone
    with pytest.raises(TaskDeviceError, match=r"failed 2 times: ERROR: could not get idle state\.$"):
        TaskDevice(AndroidDevice(adb)).ui_dump(attempts=2)
    assert adb.calls == [["uiautomator", "dump", UI_DUMP_PATH]] * 2
