"""The phone's processes: the system's daemons and one process per started app, with real-looking pids.

``ps``, ``pidof``, ``kill`` and ``/proc/PID/...`` read this table. An app gets a fresh pid when its process
starts (its first activity launch, or after a force-stop), as zygote forks one; pids only grow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    user: str
    name: str
    vsz: int  # KiB
    rss: int  # KiB
    wchan: str = "do_epoll_wait"
    state: str = "S"


ZYGOTE = 590
SYSTEM: tuple[tuple[int, int, str, str, int, int], ...] = (
    (1, 0, "root", "init", 10904172, 11752),
    (2, 0, "root", "[kthreadd]", 0, 0),
    (287, 1, "logd", "logd", 10903884, 6040),
    (301, 1, "root", "ueventd", 10908052, 4180),
    (412, 1, "system", "servicemanager", 10901788, 5536),
    (413, 1, "system", "hwservicemanager", 10910540, 6072),
    (530, 1, "system", "surfaceflinger", 11155796, 33580),
    (ZYGOTE, 1, "root", "zygote64", 14882852, 148104),
    (602, 1, "shell", "adbd", 10960392, 7768),
    (905, ZYGOTE, "system", "system_server", 19323032, 297804),
    (1187, ZYGOTE, "u0_a170", "com.android.systemui", 17220188, 221372),
)  # fmt: skip
FIRST_APP_PID = 2300


class ProcessTable:
    """System processes plus the apps started so far."""

    def __init__(self) -> None:
        self.system = [Process(pid, ppid, user, name, vsz, rss) for pid, ppid, user, name, vsz, rss in SYSTEM]
        self.apps: dict[str, Process] = {}
        self._next = FIRST_APP_PID

    def start(self, package: str, uid: int) -> tuple[Process, bool]:
        """The package's process, forked now if it was not running; the bool says whether it was forked."""
        proc = self.apps.get(package)
        if proc is not None:
            return proc, False
        self._next += 17 + (uid % 11)  # other processes fork in between on a phone
        proc = Process(self._next, ZYGOTE, f"u0_a{uid % 100000 - 10000}", package, 16_200_000 + uid % 997 * 1024,
                       98_000 + uid % 89 * 512)  # fmt: skip
        self.apps[package] = proc
        return proc, True

    def next_pid(self) -> int:
        """A pid for a short-lived process (a shell, a command): the counter moves on, nothing is listed."""
        self._next += 1
        return self._next

    def stop(self, package: str) -> Process | None:
        return self.apps.pop(package, None)

    def all(self) -> list[Process]:
        return sorted([*self.system, *self.apps.values()], key=lambda p: p.pid)

    def by_pid(self, pid: int) -> Process | None:
        return next((p for p in self.all() if p.pid == pid), None)

    def by_name(self, name: str) -> list[Process]:
        return [p for p in self.all() if p.name == name]
