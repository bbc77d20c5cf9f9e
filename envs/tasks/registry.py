"""Every task template by name, the named suites, and AndroidWorld's instance seeds.

A suite is a named list of templates: ``default`` (all of them), ``smoke`` (a few quick easy ones) and one
per difficulty. ``select`` narrows a suite with names or shell-style globs (``Sms*``, ``*Alarm*``).
Instance ``i`` of template ``name`` in a run seeded ``seed`` gets the seed
``sha256(f"{seed}_{name}_{i}") % 2**32``, as AndroidWorld's ``suite_utils`` derives them: the same run
settings always give the same parameters, and adding templates or instances never shifts the others.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Sequence

from . import clock_tasks, contacts_tasks, maps_files_tasks, messages_tasks, multi_tasks, notes_tasks, settings_tasks
from .base import DIFFICULTIES, Task

TEMPLATES: tuple[type[Task], ...] = (
    *settings_tasks.TASKS, *contacts_tasks.TASKS, *messages_tasks.TASKS, *clock_tasks.TASKS, *notes_tasks.TASKS,
    *maps_files_tasks.TASKS, *multi_tasks.TASKS,
)  # fmt: skip
TASKS: dict[str, type[Task]] = {cls.name: cls for cls in TEMPLATES}
if len(TASKS) != len(TEMPLATES):  # a duplicated name would silently drop a template
    raise RuntimeError("two task templates share a name")

SMOKE = ("SystemWifi", "LauncherOpenApp", "ClockAlarmTurnOff", "SmsUnreadCountQuestion", "NotesCountQuestion")
SUITES: dict[str, tuple[str, ...]] = {
    "default": tuple(TASKS),
    "smoke": SMOKE,
    **{level: tuple(n for n, cls in TASKS.items() if cls.difficulty == level) for level in DIFFICULTIES},
}


class UnknownTask(KeyError):
    """A task or suite name that matches nothing; the message lists what exists."""

    def __str__(self) -> str:
        return str(self.args[0])


def get_task(name: str) -> type[Task]:
    try:
        return TASKS[name]
    except KeyError:
        raise UnknownTask(f"no task template {name!r}; known: {', '.join(TASKS)}") from None


def select(suite: str = "default", patterns: Sequence[str] = ()) -> list[type[Task]]:
    """The templates of ``suite``, narrowed to those matching any of ``patterns`` (names or globs)."""
    if suite not in SUITES:
        raise UnknownTask(f"no suite {suite!r}; known: {', '.join(SUITES)}")
    names = SUITES[suite]
    if patterns:
        for pattern in patterns:
            if not fnmatch.filter(names, pattern):
                raise UnknownTask(f"{pattern!r} matches no task in suite {suite!r}; known: {', '.join(names)}")
        names = tuple(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns))
    return [TASKS[n] for n in names]


def instance_seed(seed: int, name: str, index: int) -> int:
    """AndroidWorld's per-instance seed."""
    digest = hashlib.sha256(f"{seed}_{name}_{index}".encode()).hexdigest()
    return int(digest, 16) % 2**32
