"""Tasks, the back stack, focus and the soft keyboard: what Android's activity and window managers do.

Tasks are kept front first; the launcher's task always exists. Back hides the keyboard, then closes a
dialog or the recents screen, then lets the activity handle it, then finishes the activity (an emptied task
goes away and the next task, at worst the launcher, shows). Home brings the launcher to the front.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .defaults import LAUNCHER

if TYPE_CHECKING:
    from .apps.base import Activity, DeviceView

TOAST_S = 2.0


@dataclass
class Task:
    id: int
    activities: list[Activity]

    @property
    def package(self) -> str:
        return self.activities[0].package

    @property
    def top(self) -> Activity:
        return self.activities[-1]


class WindowManager:
    def __init__(self, device: DeviceView) -> None:
        self.device = device
        self.tasks: list[Task] = []
        self._next_id = 1
        self.focus: tuple[Activity, str] | None = None
        self.focus_multiline = False
        self.ime_shown = False
        self.select_all = False
        self.recents = False
        self.shade = False
        self.kb_shift = False
        self.kb_symbols = False
        self._toast: tuple[str, float] | None = None
        # the activity manager's side effects (process start, logcat lines), set by the hub; no-ops alone
        self.on_start: Callable[[Activity], None] = lambda _activity: None
        self.on_stop: Callable[[str], None] = lambda _package: None

    # ---------------------------------------------------------------- tasks

    @property
    def top(self) -> Activity:
        return self.tasks[0].top

    def task_for(self, package: str) -> Task | None:
        return next((t for t in self.tasks if t.package == package), None)

    def _front(self, task: Task) -> None:
        self.tasks.remove(task)
        self.tasks.insert(0, task)

    def _new_task(self, activity: Activity) -> None:
        """Start a new task holding ``activity``, in front."""
        self.tasks.insert(0, Task(self._next_id, [activity]))
        self._next_id += 1

    def _close_overlays(self) -> None:
        self.recents = self.shade = False
        self.unfocus()

    def launch(self, package: str, activity: type[Activity] | None = None, extras: dict[str, Any] | None = None,
               clear_top: bool = False) -> Activity:  # fmt: skip
        """Start an app (its launcher activity, or ``activity``), reusing its task when it has one."""
        app = self.device.apps[package]
        cls = activity or app.activities[0]
        task = self.task_for(package)
        self._close_overlays()
        if task is not None and (clear_top or (activity is None and not extras)):
            self._front(task)
            if clear_top:
                del task.activities[1:]
            task.top.on_resume()
            self.on_start(task.top)
            return task.top
        new = cls(app, self.device, extras)
        self.on_start(new)
        if task is None or (activity is None and extras):
            if task is not None:
                self.tasks.remove(task)
            self._new_task(new)
        else:
            self._front(task)
            if type(task.top) is cls and not extras:
                return task.top
            task.activities.append(new)
        return new

    def push(self, activity: Activity) -> None:
        """Open ``activity`` on top of its app's task (which comes to the front)."""
        task = self.task_for(activity.package)
        self._close_overlays()
        self.on_start(activity)
        if task is None:
            self._new_task(activity)
        else:
            self._front(task)
            task.activities.append(activity)

    def finish(self, activity: Activity) -> None:
        for task in list(self.tasks):
            if activity in task.activities:
                if task.package == LAUNCHER and len(task.activities) == 1:
                    return
                task.activities.remove(activity)
                if not task.activities:
                    self.tasks.remove(task)
        self.unfocus(activity)
        if self.tasks and self.tasks[0].activities:
            self.tasks[0].top.on_resume()

    def force_stop(self, package: str) -> None:
        if package != LAUNCHER:
            self.on_stop(package)
        for task in [t for t in self.tasks if t.package == package and t.package != LAUNCHER]:
            self.tasks.remove(task)
        if self.focus and self.focus[0].package == package:
            self.unfocus()

    def home(self) -> None:
        self._close_overlays()
        task = self.task_for(LAUNCHER)
        if task is None:
            self.launch(LAUNCHER)
            return
        self._front(task)
        del task.activities[1:]
        task.top.on_resume()

    def back(self) -> None:
        top = self.top
        if self.ime_shown:
            self.ime_shown = False
        elif self.shade or self.recents:
            self.shade = self.recents = False
        elif top.dialog is not None:
            top.dismiss()
        elif not top.on_back():
            self.finish(top)

    def toggle_recents(self) -> None:
        self.unfocus()
        self.shade = False
        self.recents = not self.recents

    def recent_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.package != LAUNCHER]

    # ---------------------------------------------------------------- focus and text

    def focus_on(self, activity: Activity, key: str, multiline: bool = False) -> None:
        self.focus = (activity, key)
        self.focus_multiline = multiline
        self.ime_shown = True
        self.select_all = False

    def unfocus(self, activity: Activity | None = None) -> None:
        if self.focus is not None and (activity is None or self.focus[0] is activity):
            self.focus = None
            self.ime_shown = False
            self.select_all = False

    def is_focused(self, activity: Activity, key: str) -> bool:
        return self.focus is not None and self.focus[0] is activity and self.focus[1] == key

    def focused_value(self) -> str | None:
        if self.focus is None:
            return None
        activity, key = self.focus
        return activity.fields.get(key, "")

    def type(self, text: str) -> bool:
        """Insert text into the focused field (replacing it after select-all); False if nothing is focused."""
        if self.focus is None:
            return False
        activity, key = self.focus
        current = "" if self.select_all else activity.fields.get(key, "")
        if not self.focus_multiline:
            text = text.replace("\n", " ")
        activity.fields[key] = current + text
        self.select_all = False
        return True

    def delete(self) -> None:
        if self.focus is None:
            return
        activity, key = self.focus
        value = activity.fields.get(key, "")
        activity.fields[key] = "" if self.select_all else value[:-1]
        self.select_all = False

    def enter(self) -> None:
        if self.focus is None:
            return
        activity, key = self.focus
        if not activity.on_submit(key) and self.focus_multiline:
            self.type("\n")

    # ---------------------------------------------------------------- toasts

    def toast(self, text: str) -> None:
        self._toast = (text, time.monotonic() + TOAST_S)

    def active_toast(self) -> str | None:
        if self._toast is None or time.monotonic() > self._toast[1]:
            self._toast = None
            return None
        return self._toast[0]
