"""Clock tasks: alarms checked on ``alarms.db`` pulled over adb; the timer on the Timer screen's UI tree.

The timer keeps its state in the running app only (no database or setting holds it on this phone), so
its check reads the on-screen countdown over ``uiautomator dump``, as AndroidWorld's timer task reads UI
elements: the Clock must still show the running timer when the agent says it is done.
"""

from __future__ import annotations

import random
import re
import sqlite3
from typing import Any

from . import data, pools
from .base import Task
from .device import TaskDevice
from .steps import Finish, Launch, Step, TapOn, fill, tap_desc, tap_text
from .ui import Selector, parse_ui


class _ClockTask(Task):
    apps = ("Clock",)
    packages = (data.CLOCK,)

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        hour, minute = pools.clock_time(rng)
        label = rng.choice(pools.ALARM_LABELS)
        return {"hour": hour, "minute": minute, "time": pools.time_12h(hour, minute), "label": label}

    def at_time(self, rows: list) -> list:
        return [r for r in rows if (r["hour"], r["minutes"]) == (self.values["hour"], self.values["minute"])]

    def prepare(self, device: TaskDevice) -> None:
        self.before = data.alarms(device)

    def added_alarm(self, device: TaskDevice) -> sqlite3.Row | None:
        """The enabled alarm at the task's time if it is the one row added since setup, else None."""
        rows = data.alarms(device)
        new = self.at_time(rows)
        if len(rows) != len(self.before) + 1 or len(new) != 1 or new[0]["enabled"] != 1:
            return None
        return new[0]


def _new_alarm(hour: int, minute: int, label: str | None = None) -> list[Step]:
    steps = [Launch(app="Clock"), tap_desc("Add alarm"), *fill(Selector(rid="hour"), str(hour))]
    steps += fill(Selector(rid="minute"), str(minute))
    if label:
        steps += fill(Selector(rid="label"), label)
    return [*steps, tap_text("OK"), Finish()]


class AddAlarm(_ClockTask):
    name = "ClockAlarmAdd"
    template = "Set an alarm for {time}."
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return self.added_alarm(device) is not None

    def plan(self) -> list[Step]:
        return _new_alarm(self.values["hour"], self.values["minute"])


class AddLabeledAlarm(_ClockTask):
    name = "ClockAlarmAddWithLabel"
    template = 'Set an alarm for {time} with the label "{label}".'
    difficulty = "hard"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        added = self.added_alarm(device)
        return added is not None and added["label"].strip() == self.values["label"]

    def plan(self) -> list[Step]:
        return _new_alarm(self.values["hour"], self.values["minute"], self.values["label"])


class _ExistingAlarm(_ClockTask):
    def prepare(self, device: TaskDevice) -> None:
        data.insert_alarm(device, self.values["hour"], self.values["minute"], self.values["label"])
        super().prepare(device)


class DeleteAlarm(_ExistingAlarm):
    name = "ClockAlarmDelete"
    template = "Delete the {time} alarm."
    difficulty = "medium"
    complexity = 1.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        rows = data.alarms(device)
        return not self.at_time(rows) and len(rows) == len(self.before) - 1

    def plan(self) -> list[Step]:
        row = Selector(text=self.values["time"], rid="digital_clock")
        return [Launch(app="Clock"), TapOn(target=Selector(desc="Delete alarm"), beside=row), Finish()]


class DisableAlarm(_ExistingAlarm):
    name = "ClockAlarmTurnOff"
    template = "Turn off the {time} alarm, but keep it."
    difficulty = "easy"
    complexity = 1.0
    start_package = data.CLOCK

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        rows = data.alarms(device)
        found = self.at_time(rows)
        return len(rows) == len(self.before) and len(found) == 1 and found[0]["enabled"] == 0

    def plan(self) -> list[Step]:
        return [tap_desc(f"{self.values['time']} alarm"), Finish()]  # the Clock is already open


_COUNTDOWN = re.compile(r"^(\d+):(\d\d)$")


class StartTimer(_ClockTask):
    name = "ClockTimerStart"
    template = "Start a {minutes}-minute timer and leave it on screen."
    difficulty = "medium"
    complexity = 1.0
    slack_s = 180  # the countdown may have run this long by the time the check reads it

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"minutes": rng.choice((3, 5, 7, 10, 12, 15, 20, 25, 45))}

    def prepare(self, device: TaskDevice) -> None:
        pass

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        if device.foreground_package() != data.CLOCK:
            return False
        total = self.values["minutes"] * 60
        for node in parse_ui(device.ui_dump()):
            match = _COUNTDOWN.match(node.text) if node.rid == "timer_time_text" else None
            if match and total - self.slack_s <= int(match[1]) * 60 + int(match[2]) <= total:
                return True
        return False

    def plan(self) -> list[Step]:
        minutes = fill(Selector(rid="timer_minutes"), str(self.values["minutes"]))
        return [Launch(app="Clock"), tap_text("Timer"), *minutes, TapOn(target=Selector(text="Start")), Finish()]


TASKS: tuple[type[Task], ...] = (AddAlarm, AddLabeledAlarm, DeleteAlarm, DisableAlarm, StartTimer)
