"""App name resolution: exact packages, labels, aliases, package tails, and close matches on a miss."""

from __future__ import annotations

import pytest

from qwen2vl_agent.envs.android.apps import AppCatalog, UnknownApp, close_matches, resolve_app

CATALOG = AppCatalog.of(
    [
        "com.android.settings",
        "com.google.android.deskclock",
        "com.android.contacts",
        "com.google.android.apps.maps",
        "org.fossify.calendar",
        "net.gsantner.markor",
    ],
    labels={"Markor": "net.gsantner.markor", "Simple Calendar": "org.fossify.calendar"},
)


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("Settings", "com.android.settings"),
        ("  settings  ", "com.android.settings"),
        ("Settings app", "com.android.settings"),
        ("Clock", "com.google.android.deskclock"),
        ("contacts", "com.android.contacts"),  # AOSP variant of the alias
        ("Google Maps", "com.google.android.apps.maps"),
        ("maps", "com.google.android.apps.maps"),
        ("markor", "net.gsantner.markor"),  # label, case-insensitive
        ("Simple Calendar", "org.fossify.calendar"),
        ("calendar", "org.fossify.calendar"),  # alias candidate
        ("com.android.settings", "com.android.settings"),  # a package name as such
        ("deskclock", "com.google.android.deskclock"),  # package tail
    ],
)
def test_resolves(name, package):
    assert resolve_app(name, CATALOG) == package


@pytest.mark.parametrize(("name", "suggested"), [("Setings", "Settings"), ("Markr", "Markor"), ("Clok", "Clock")])
def test_unknown_app_lists_close_matches(name, suggested):
    with pytest.raises(UnknownApp) as info:
        resolve_app(name, CATALOG)
    assert f'No app named "{name}"' in str(info.value)
    assert suggested in str(info.value)


def test_unknown_app_without_close_match_lists_installed_apps():
    with pytest.raises(UnknownApp, match=r"Installed apps include: .*Markor"):
        resolve_app("Zzyzx Banking", CATALOG)


def test_alias_for_an_app_that_is_not_installed_is_unknown():
    with pytest.raises(UnknownApp):
        resolve_app("YouTube", CATALOG)


def test_close_matches_prefers_labels():
    assert close_matches("markor notes", CATALOG)[0] == "Markor"


def test_suggestions_leave_out_system_packages_and_use_labels():
    catalog = AppCatalog.of(
        ["android", "com.android.systemui", "com.android.providers.media", "com.android.settings", "com.x.notes"],
        labels={"My Notes": "com.x.notes"},
    )
    assert catalog.display_names() == ["My Notes", "Settings"]
