"""The package manager: ``pm`` (``cmd package``): list, clear, path, and intent queries in AOSP's formats.

Each app's intent filters follow its manifest as a phone has it: the launcher activity of an app answers
``MAIN`` + ``LAUNCHER`` (the home app ``MAIN`` + ``HOME`` + ``DEFAULT``), and an activity that lists
``actions`` answers each of them with ``DEFAULT``. ``query-activities``/``resolve-activity`` print what
``PackageManagerShellCommand`` prints: with ``--brief`` a ``priority=...`` line then ``pkg/.Activity``; with
``--components`` only the component; otherwise a ``ResolveInfo`` dump (labels are resource ids there, as on a
phone: no shell tool prints an app's label).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..defaults import THIRD_PARTY
from ..wm import LAUNCHER
from . import cmd_install, cmd_services
from .cmd_am import parse_intent
from .interp import CommandFn, Proc

if TYPE_CHECKING:
    from ..apps.base import Activity, App

COMMANDS: dict[str, CommandFn] = {}
MAIN = "android.intent.action.MAIN"
LAUNCHER_CATEGORY = "android.intent.category.LAUNCHER"
HOME = "android.intent.category.HOME"
DEFAULT = "android.intent.category.DEFAULT"
MATCH_CATEGORY_EMPTY = 0x108000  # IntentFilter.MATCH_CATEGORY_EMPTY | MATCH_ADJUSTMENT_NORMAL


@dataclass(frozen=True)
class Filter:
    """One ``<intent-filter>`` of one activity."""

    app: App
    activity: type[Activity]
    actions: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def component(self) -> str:
        """``pkg/.Short`` (``ComponentName.flattenToShortString``)."""
        full = self.activity.full_class(self.app.package)
        short = full[len(self.app.package) :] if full.startswith(self.app.package + ".") else full
        return f"{self.app.package}/{short}"


def filters(app: App) -> list[Filter]:
    """The intent filters ``app`` declares."""
    found = []
    for i, act in enumerate(app.activities):
        if i == 0 and app.launchable:
            cats = (HOME, DEFAULT) if app.package == LAUNCHER else (LAUNCHER_CATEGORY,)
            found.append(Filter(app, act, (MAIN,), cats))
        if act.actions:
            found.append(Filter(app, act, tuple(act.actions), (DEFAULT,)))
    return found


def query(p: Proc, args: list[str]) -> list[Filter]:
    """The filters an intent given as ``am``-style arguments matches (no data matching), one per activity."""
    args = _without_query_flags(args)
    intent = parse_intent(args)
    action, cats = intent.get("action"), set(intent.get("categories") or ())  # type: ignore[call-overload]
    package = str(intent.get("package") or "")
    data = str(intent.get("data") or "")
    if data and ":" not in data:  # a bare last argument is a package name (Intent.parseCommandArgs)
        package = data
    comp = str(intent.get("component") or "")
    hits: dict[tuple[str, str], Filter] = {}
    for name in sorted(p.device.apps):
        for f in filters(p.device.apps[name]):
            if (action and action not in f.actions) or not cats <= set(f.categories):
                continue
            if (package and f.app.package != package) or (comp and comp not in (f.component, _full(f))):
                continue
            hits.setdefault((f.app.package, f.activity.cls), f)
    return list(hits.values())


def _full(f: Filter) -> str:
    return f"{f.app.package}/{f.activity.full_class(f.app.package)}"


def _without_query_flags(args: list[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "--query-flags":
            skip = True
        else:
            out.append(a)
    return out


def _hex(*parts: object) -> str:
    return f"{zlib.crc32(repr(parts).encode()) & 0xFFFFFF:06x}"


def print_resolve_info(p: Proc, f: Filter, prefix: str, brief: bool, components: bool) -> None:
    """``PackageManagerShellCommand.printResolveInfo``."""
    head = f"{prefix}priority=0 preferredOrder=0 match=0x{MATCH_CATEGORY_EMPTY:x} specificIndex=-1 "
    head += f"isDefault={str(DEFAULT in f.categories).lower()}\n"
    if brief or components:
        p.out(("" if components else head) + f"{prefix}{f.component}\n")
        return
    pkg, full = f.app.package, f.activity.full_class(f.app.package)
    res = lambda kind: f"0x7f{_hex(kind, pkg, full)}"
    p.out(f"""{head}{prefix}ActivityInfo:
{prefix}  name={full}
{prefix}  packageName={pkg}
{prefix}  labelRes={res("label")} nonLocalizedLabel=null icon={res("icon")} banner=0x0
{prefix}  enabled=true exported=true directBootAware=false
{prefix}  taskAffinity={pkg} targetActivity=null persistableMode=PERSIST_ROOT_ONLY
{prefix}  ApplicationInfo:
{prefix}    packageName={pkg}
{prefix}    labelRes={res("app-label")} nonLocalizedLabel=null icon={res("app-icon")} banner=0x0
{prefix}    processName={pkg}
{prefix}    enabled=true minSdkVersion=34 targetSdkVersion=34 versionCode=34 targetSandboxVersion=1
""")


def _query_activities(p: Proc, rest: list[str]) -> int:
    found = query(p, rest)
    brief, components = "--brief" in rest, "--components" in rest
    if not found:
        p.out("No activities found\n")
    elif components:
        for f in found:
            print_resolve_info(p, f, "", brief, components)
    else:
        p.out(f"{len(found)} activities found:\n")
        for i, f in enumerate(found):
            p.out(f"  Activity #{i}:\n")
            print_resolve_info(p, f, "    ", brief, components)
    return 0


def _resolve_activity(p: Proc, rest: list[str]) -> int:
    found = query(p, rest)
    if not found:
        p.out("No activity found\n")
    else:
        print_resolve_info(p, found[0], "", "--brief" in rest, "--components" in rest)
    return 0


def _list_packages(p: Proc, rest: list[str]) -> int:
    opts = [a for a in rest if a.startswith("-")]
    needle = next((a for a in rest if not a.startswith("-")), "")
    for pkg in sorted(p.device.apps):
        third = pkg in THIRD_PARTY or getattr(p.device.apps[pkg], "installed", False)
        if ("-3" in opts and not third) or ("-s" in opts and third) or needle not in pkg:
            continue
        path = f"/system/app/{pkg.rsplit('.', 1)[-1]}/base.apk=" if "-f" in opts else ""
        p.out(f"package:{path}{pkg}\n")
    return 0


def _clear(p: Proc, rest: list[str]) -> int:
    app = p.device.apps.get(rest[-1])
    if app is None:
        p.out("Failed\n")
        return 1
    p.device.wm.force_stop(app.package)
    app.clear()
    p.out("Success\n")
    return 0


def _path(p: Proc, rest: list[str]) -> int:
    if rest[-1] not in p.device.apps:
        return 1
    if getattr(p.device.apps[rest[-1]], "installed", False):
        p.out(f"package:{cmd_install.apk_path(rest[-1])}\n")
        return 0
    p.out(f"package:/system/app/{rest[-1].rsplit('.', 1)[-1]}/base.apk\n")
    return 0


def pm(p: Proc, args: list[str]) -> int:
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub == "list" and rest[:1] == ["packages"]:
        return _list_packages(p, rest[1:])
    if sub == "list" and rest and (listed := cmd_services.pm_list(p, rest[0])) is not None:
        return listed
    handler = {"clear": _clear, "path": _path, "resolve-activity": _resolve_activity,
               "query-activities": _query_activities, "install": cmd_install.install,
               "uninstall": cmd_install.uninstall}.get(sub)  # fmt: skip
    if handler is not None and rest:
        return handler(p, rest)
    if sub in ("grant", "revoke", "enable", "disable-user", "trim-caches"):
        return 0
    return p.fail("usage: pm [list packages|clear|path|resolve-activity|query-activities] ...", 255)


COMMANDS["pm"] = pm
