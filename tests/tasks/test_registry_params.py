"""Templates, suites, instance seeds and parameters: no phone needed."""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from qwen2vl_agent.envs.tasks import DIFFICULTIES, SUITES, TASKS, TEMPLATES, UnknownTask, instance_seed, select


def test_at_least_30_templates_over_three_difficulties_and_the_apps():
    assert len(TEMPLATES) >= 30
    assert {cls.difficulty for cls in TEMPLATES} == set(DIFFICULTIES)
    apps = {app for cls in TEMPLATES for app in cls.apps}
    assert apps >= {"Settings", "Contacts", "Messages", "Clock", "Notes", "Maps", "Files"}
    for cls in TEMPLATES:
        assert cls.name and cls.template and cls.complexity > 0, cls
        assert cls.max_steps() == math.ceil(10 * cls.complexity), cls


def test_suites_and_selection():
    assert SUITES["default"] == tuple(TASKS)
    assert set(SUITES["smoke"]) <= set(TASKS)
    assert [c.name for c in select("default", ["SmsSendToNumber"])] == ["SmsSendToNumber"]
    clock = [c.name for c in select("default", ["Clock*"])]
    assert clock and all(n.startswith("Clock") for n in clock)
    assert all(c.difficulty == "hard" for c in select("hard"))
    with pytest.raises(UnknownTask, match="no suite"):
        select("nope")
    with pytest.raises(UnknownTask, match="matches no task"):
        select("default", ["Nothing*"])


def test_instance_seeds_follow_androidworld():
    expected = int(hashlib.sha256(b"7_SystemWifi_3").hexdigest(), 16) % 2**32
    assert instance_seed(7, "SystemWifi", 3) == expected
    assert instance_seed(7, "SystemWifi", 3) != instance_seed(7, "SystemWifi", 4)
    assert instance_seed(7, "SystemWifi", 3) != instance_seed(8, "SystemWifi", 3)


@pytest.mark.parametrize("cls", TEMPLATES, ids=lambda c: c.name)
def test_params_are_deterministic_per_seed_and_vary_across_seeds(cls):
    first = cls.params(12345)
    assert cls.params(12345) == first
    assert first["seed"] == 12345
    json.dumps(first)  # parameters are plain data: they go into trajectories and results
    drawn = {json.dumps({k: v for k, v in cls.params(s).items() if k != "seed"}, sort_keys=True) for s in range(40)}
    assert len(drawn) > 1
    assert "{" not in cls.from_seed(1).goal  # every placeholder filled


def test_parameters_include_non_ascii_text():
    non_ascii = {cls.name for cls in TEMPLATES for s in range(40) if not cls.from_seed(s).goal.isascii()}
    # names, message bodies, note titles and alarm labels all draw from pools with accents, CJK or emoji
    assert {"ContactsAddContact", "SmsSendToNumber", "NotesCreate", "ClockAlarmAddWithLabel"} <= non_ascii
    assert len(non_ascii) >= 10
