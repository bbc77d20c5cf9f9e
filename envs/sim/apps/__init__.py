"""The apps installed on the simulated phone; ``install_all`` creates one instance of each."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..defaults import SYSTEM_PACKAGES
from .base import Activity, App, SystemApp
from .installed import BrowserApp

if TYPE_CHECKING:
    from .base import DeviceView

# module:class for every launchable app, in no particular order (the launcher sorts by label)
APP_CLASSES = (
    "launcher:LauncherApp",
    "settings:SettingsApp",
    "contacts:ContactsApp",
    "messages:MessagesApp",
    "clock:ClockApp",
    "notes:NotesApp",
    "maps:MapsApp",
    "files:FilesApp",
)


def app_classes() -> list[type[App]]:
    """The launchable apps' classes, in ``APP_CLASSES`` order; a missing module is an error, not a skipped app."""
    found = []
    for spec in APP_CLASSES:
        module, name = spec.split(":")
        found.append(getattr(importlib.import_module(f"{__name__}.{module}"), name))
    return found


def install_all(device: DeviceView) -> dict[str, App]:
    apps: dict[str, App] = {}
    for cls in app_classes():
        app = cls(device)
        apps[app.package] = app
    for package, label in SYSTEM_PACKAGES.items():
        apps.setdefault(package, SystemApp(device, package, label))
    browser = BrowserApp(device)  # answers web VIEW intents; not on the launcher
    apps[browser.package] = browser
    return apps


__all__ = ["APP_CLASSES", "Activity", "App", "SystemApp", "app_classes", "install_all"]
