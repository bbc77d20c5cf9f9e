"""From an app's human name ("Settings", "clock", "Google Maps") to an installed package.

Resolution order: an installed package named exactly; a launcher label (when the device tells us labels);
the alias table (common apps, AOSP and Google variants); a unique package whose last name segment is the
name. A miss is the model's mistake: ``UnknownApp`` lists close matches among the installed apps.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Human name -> candidate packages, preferred first (Google builds, then AOSP, then common vendors).
ALIASES: dict[str, tuple[str, ...]] = {
    "settings": ("com.android.settings",),
    "chrome": ("com.android.chrome", "org.chromium.chrome"),
    "browser": ("com.android.chrome", "org.chromium.chrome", "com.android.browser"),
    "contacts": ("com.google.android.contacts", "com.android.contacts"),
    "phone": ("com.google.android.dialer", "com.android.dialer"),
    "dialer": ("com.google.android.dialer", "com.android.dialer"),
    "messages": ("com.google.android.apps.messaging", "com.android.messaging", "com.android.mms"),
    "sms": ("com.google.android.apps.messaging", "com.android.messaging", "com.android.mms"),
    "camera": ("com.google.android.GoogleCamera", "com.android.camera2", "com.android.camera"),
    "clock": ("com.google.android.deskclock", "com.android.deskclock"),
    "alarm": ("com.google.android.deskclock", "com.android.deskclock"),
    "calendar": ("com.google.android.calendar", "com.android.calendar", "org.fossify.calendar"),
    "calculator": ("com.google.android.calculator", "com.android.calculator2"),
    "gmail": ("com.google.android.gm",),
    "email": ("com.google.android.gm", "com.android.email"),
    "maps": ("com.google.android.apps.maps",),
    "google maps": ("com.google.android.apps.maps",),
    "youtube": ("com.google.android.youtube",),
    "photos": ("com.google.android.apps.photos", "com.android.gallery3d"),
    "gallery": ("com.google.android.apps.photos", "com.android.gallery3d", "com.simplemobiletools.gallery.pro"),
    "files": ("com.google.android.documentsui", "com.android.documentsui", "com.google.android.apps.nbu.files"),
    "play store": ("com.android.vending",),
    "google play": ("com.android.vending",),
    "google": ("com.google.android.googlequicksearchbox",),
    "drive": ("com.google.android.apps.docs",),
    "keep": ("com.google.android.keep",),
    "notes": ("com.google.android.keep", "com.android.notes", "com.simplemobiletools.notes.pro"),
    "recorder": ("com.google.android.apps.recorder", "com.android.soundrecorder"),
    "music": ("com.google.android.apps.youtube.music", "com.android.music"),
    "youtube music": ("com.google.android.apps.youtube.music",),
    "clock app": ("com.google.android.deskclock", "com.android.deskclock"),
    "markor": ("net.gsantner.markor",),
    "simple calendar pro": ("com.simplemobiletools.calendar.pro",),
    "audio recorder": ("com.dimowner.audiorecorder",),
}


class UnknownApp(LookupError):
    """No installed app has that name; the message (for the model) lists close matches."""


@dataclass(frozen=True)
class AppCatalog:
    """What is installed: package names, and launcher labels where known ({label: package})."""

    packages: frozenset[str]
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, packages: Iterable[str], labels: Mapping[str, str] | None = None) -> AppCatalog:
        return cls(frozenset(packages), dict(labels or {}))

    def names(self) -> dict[str, str]:
        """Every name the model could use for an installed app, lowercased -> package."""
        known: dict[str, str] = {}
        for package in sorted(self.packages):
            known.setdefault(_last_segment(package), package)
        for alias, candidates in ALIASES.items():
            installed = [p for p in candidates if p in self.packages]
            if installed:
                known[alias] = installed[0]
        known.update({normalize(label): package for label, package in self.labels.items()})
        return known

    def display_names(self) -> list[str]:
        """Names worth suggesting: labels, aliases and package tails (capitalised), system packages left out."""
        apps = {n: p for n, p in self.names().items() if not _is_system(p)}
        shown = {label for label, package in self.labels.items() if not _is_system(package)}
        labelled = set(self.labels.values())
        return sorted(shown | {_display(n) for n, p in apps.items() if p not in labelled})


def normalize(name: str) -> str:
    """Lowercase, trim, collapse spaces, drop a trailing " app"."""
    name = re.sub(r"\s+", " ", name.strip().lower())
    return name[:-4] if name.endswith(" app") and len(name) > 4 else name


# Packages `pm list packages` shows that no user would call an app (used when launchers cannot be listed).
_SYSTEM = re.compile(
    r"^(android|com\.android\.(shell|systemui|phone|adbkeyboard|providers\..*)|.*\.inputmethod\..*|.*launcher.*)$"
)


def _is_system(package: str) -> bool:
    return bool(_SYSTEM.match(package))


def _display(name: str) -> str:
    """How a lowercase alias or package tail is shown to the model ("play store" -> "Play Store")."""
    return " ".join(word[:1].upper() + word[1:] for word in name.split(" "))


def _last_segment(package: str) -> str:
    return package.rsplit(".", 1)[-1].lower()


def resolve_app(name: str, catalog: AppCatalog) -> str:
    """The package to launch for ``name``; ``UnknownApp`` (with close matches) if there is none."""
    if name in catalog.packages:
        return name
    key = normalize(name)
    for label, package in catalog.labels.items():
        if normalize(label) == key:
            return package
    for candidate in ALIASES.get(key, ()):
        if candidate in catalog.packages:
            return candidate
    tails = [p for p in catalog.packages if _last_segment(p) == key.replace(" ", "")]
    if len(tails) == 1:
        return tails[0]
    raise UnknownApp(_unknown_message(name, catalog))


def close_matches(name: str, catalog: AppCatalog, limit: int = 5) -> list[str]:
    """Installed app names that look like ``name`` (labels and aliases first, then package names)."""
    key = normalize(name)
    names = catalog.names()
    hits = difflib.get_close_matches(key, list(names), n=limit, cutoff=0.6)
    hits += [n for n in names if key and (key in n or n in key) and n not in hits and len(n) > 2]
    labels = {normalize(label): label for label in catalog.labels}
    return [labels.get(h, _display(h)) for h in hits[:limit]]


def _unknown_message(name: str, catalog: AppCatalog) -> str:
    matches = close_matches(name, catalog)
    if matches:
        return f'No app named "{name}" is installed. Did you mean: {", ".join(matches)}?'
    sample = ", ".join(catalog.display_names()[:12])
    return f'No app named "{name}" is installed. Installed apps include: {sample}.'
