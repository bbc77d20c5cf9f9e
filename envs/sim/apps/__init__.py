"""The apps installed on the simulated phone; ``install_all`` creates one instance of each."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..defaults import SYSTEM_PACKAGES
from .base import Activity, App, SystemApp

if TYPE_CHECKING:
    from ..device import Device

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
    """The app classes whose modules exist (apps land one module at a time)."""
    found = []
    for spec in APP_CLASSES:
        module, name = spec.split(":")
        try:
            mod = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{module}":
                continue
            raise
        found.append(getattr(mod, name))
    return found


def install_all(device: Device) -> dict[str, App]:
    apps: dict[str, App] = {}
    for cls in app_classes():
        app = cls(device)
        apps[app.package] = app
    for package, label in SYSTEM_PACKAGES.items():
        apps.setdefault(package, SystemApp(device, package, label))
    return apps


__all__ = ["APP_CLASSES", "Activity", "App", "SystemApp", "app_classes", "install_all"]
