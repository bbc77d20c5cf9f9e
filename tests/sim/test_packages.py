"""``cmd package query-activities`` / ``resolve-activity`` and ``dumpsys package`` in AOSP's formats, over adb."""

from __future__ import annotations

import re

import pytest
from sim_helpers import nodes

from qwen2vl_agent.envs.android.dumpsys import parse_components

pytestmark = pytest.mark.timeout(60)

LAUNCHER_QUERY = (
    "cmd package query-activities --brief -a android.intent.action.MAIN -c android.intent.category.LAUNCHER"
)
HOME = "com.google.android.apps.nexuslauncher"


def test_launcher_query_lists_every_app_icon_in_the_brief_format(phone, adb):
    res = adb("shell", LAUNCHER_QUERY)
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    n = int(re.fullmatch(r"(\d+) activities found:", lines[0]).group(1))
    assert len(lines) == 1 + 3 * n
    for i in range(n):
        assert lines[1 + 3 * i] == f"  Activity #{i}:"
        assert lines[2 + 3 * i] == "    priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false"
    components = parse_components(res.stdout)
    assert components["com.android.settings"] == "com.android.settings/.Settings"
    assert HOME not in components  # the home app answers CATEGORY_HOME, not LAUNCHER
    icons = {n["text"] for n in nodes(phone.device.ui_xml()) if n["class"] == "android.widget.TextView"}
    labels = {phone.device.apps[pkg].label for pkg in components}
    assert labels <= icons and len(labels) == n  # one launcher entry per icon on the home screen


def test_a_listed_component_starts_its_app(phone, adb):
    component = parse_components(adb("shell", LAUNCHER_QUERY).stdout)["com.android.deskclock"]
    assert "Starting: Intent" in adb("shell", f"am start -n {component}").stdout
    assert phone.device.wm.top.package == "com.android.deskclock"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("--components -a android.intent.action.MAIN -c android.intent.category.HOME",
         f"{HOME}/com.android.launcher3.uioverride.QuickstepLauncher\n"),
        ("--brief -a android.intent.action.INSERT com.android.contacts",
         "1 activities found:\n  Activity #0:\n"
         "    priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n"
         "    com.android.contacts/.activities.ContactEditorActivity\n"),
        ("--brief -a android.intent.action.MAIN -c android.intent.category.LAUNCHER com.nope",
         "No activities found\n"),
    ],
)  # fmt: skip
def test_query_activities_table(device, args, expected):
    assert device.shell(f"pm query-activities {args}").text == expected


def test_full_resolve_info_names_labels_by_resource_only(device):
    out = device.shell("cmd package resolve-activity -a android.intent.action.MAIN "
                       "-c android.intent.category.LAUNCHER com.android.settings").text  # fmt: skip
    assert out.startswith("priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n"
                          "ActivityInfo:\n  name=com.android.settings.Settings\n")  # fmt: skip
    labels = re.findall(r"labelRes=(0x7f[0-9a-f]{6}) nonLocalizedLabel=null", out)
    assert len(labels) == 2  # the activity's and the application's: resource ids, no text (as on a phone)


def test_dumpsys_package_shows_the_launcher_filter(adb):
    out = adb("shell", "dumpsys package com.android.contacts").stdout
    table, packages = out.split("Packages:\n")
    main = table.split("      android.intent.action.MAIN:\n")[1]
    assert re.match(r"        [0-9a-f]{7} com\.android\.contacts/\.activities\.PeopleActivity filter [0-9a-f]{7}\n"
                    r'          Action: "android\.intent\.action\.MAIN"\n'
                    r'          Category: "android\.intent\.category\.LAUNCHER"\n', main)  # fmt: skip
    assert "deskclock" not in out
    assert packages.startswith("  Package [com.android.contacts]")
