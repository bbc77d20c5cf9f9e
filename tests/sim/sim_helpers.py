"""Find views the way an agent would: from the uiautomator XML, then act at their centre."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from qwen2vl_agent.envs.sim import Device


def nodes(xml: str) -> list[dict[str, str]]:
    return [n.attrib for n in ET.fromstring(xml).iter("node")]


def center(attrs: dict[str, str]) -> tuple[int, int]:
    x1, y1, x2, y2 = map(int, re.findall(r"\d+", attrs["bounds"]))
    return (x1 + x2) // 2, (y1 + y2) // 2


def first(views: list[dict[str, str]], text: str = "", desc: str = "", rid: str = "") -> dict[str, str]:
    """The first view with that text, content description or resource id (suffix)."""
    for attrs in views:
        if (
            (text and attrs["text"] == text)
            or (desc and attrs["content-desc"] == desc)
            or (rid and attrs["resource-id"].endswith(rid))
        ):
            return attrs
    raise AssertionError(f"no view with text={text!r} desc={desc!r} rid={rid!r}")


def find(device: Device, text: str = "", desc: str = "", rid: str = "") -> dict[str, str]:
    return first(nodes(device.ui_xml()), text, desc, rid)


def tap(device: Device, text: str = "", desc: str = "", rid: str = "") -> None:
    device.tap(*center(find(device, text, desc, rid)))


def adb_nodes(dev) -> list[dict[str, str]]:
    """The UI nodes as an agent reads them over adb (``uiautomator dump /dev/tty`` through adbutils)."""
    return nodes(dev.shell("uiautomator dump /dev/tty").split("UI hierchary dumped")[0])


def adb_find(dev, text: str = "", desc: str = "", rid: str = "") -> dict[str, str]:
    return first(adb_nodes(dev), text, desc, rid)
