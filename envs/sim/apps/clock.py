"""Clock (com.android.deskclock): alarms in ``alarms.db`` (``alarm_templates``), world clock, a timer.

``am start -a android.intent.action.SET_ALARM --ei android.intent.extra.alarm.HOUR 7 --ei
android.intent.extra.alarm.MINUTES 30 --es android.intent.extra.alarm.MESSAGE Gym`` adds an alarm, as
AlarmClock's intent does. The timer runs on the device clock; its state is shown on the Timer tab.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from .. import stores
from ..db import execute, open_db, query
from ..ui import theme
from ..ui.node import Node, Rect
from .base import Activity, App

if TYPE_CHECKING:
    from ..ui.widgets import Ui

TABS = ("Alarm", "Clock", "Timer")
EXTRA = "android.intent.extra.alarm."


def fmt_time(hour: int, minutes: int) -> str:
    return f"{(hour % 12) or 12}:{minutes:02d} {'AM' if hour < 12 else 'PM'}"


class DeskClock(Activity):
    cls = ".DeskClock"
    actions = (
        "android.intent.action.SET_ALARM",
        "android.intent.action.SHOW_ALARMS",
        "android.intent.action.SET_TIMER",
    )

    def __init__(self, app: App, device, extras: dict[str, Any] | None = None) -> None:
        super().__init__(app, device, extras)
        self.tab = "Timer" if EXTRA.replace("alarm.", "LENGTH") in self.extras else "Alarm"
        if EXTRA + "HOUR" in self.extras:
            hour, minutes = int(self.extras[EXTRA + "HOUR"]), int(self.extras.get(EXTRA + "MINUTES", 0))
            self.add_alarm(hour, minutes, str(self.extras.get(EXTRA + "MESSAGE", "")))

    @property
    def clock(self) -> ClockApp:
        return self.app  # type: ignore[return-value]

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        x0, top, x1, bottom = ui.rect
        body = (x0, top, x1, bottom - dp(80))
        root.add({"Alarm": self._alarms, "Clock": self._clock, "Timer": self._timer}[self.tab](ui, body))
        tab_w = (x1 - x0) // len(TABS)
        for i, tab in enumerate(TABS):
            rect = (x0 + i * tab_w, bottom - dp(80), x0 + (i + 1) * tab_w, bottom)
            root.add(
                Node(
                    "android.widget.TextView",
                    rect,
                    tab,
                    "tab_menu_" + tab.lower(),
                    tab,
                    clickable=True,
                    selected=tab == self.tab,
                    bg=theme.PRIMARY_LIGHT if tab == self.tab else theme.SURFACE,
                    size=dp(15),
                    bold=tab == self.tab,
                    align="center",
                    on_tap=lambda t=tab: self._go(t),
                )
            )
        return root

    def _go(self, tab: str) -> None:
        self.tab = tab

    # ---------------------------------------------------------------- alarms

    def add_alarm(self, hour: int, minutes: int, label: str = "") -> None:
        execute(
            self.device.fs,
            stores.ALARMS_DB,
            "INSERT INTO alarm_templates (hour, minutes, enabled, label) VALUES (?, ?, 1, ?)",
            (hour % 24, minutes % 60, label),
            stores.ALARMS_SCHEMA,
        )
        self.toast(f"Alarm set for {fmt_time(hour % 24, minutes % 60)}")

    def _alarms(self, ui: Ui, rect: Rect) -> Node:
        dp = ui.dp
        node = Node(bounds=rect)
        alarms = query(
            self.device.fs,
            stores.ALARMS_DB,
            "SELECT * FROM alarm_templates ORDER BY hour, minutes",
            (),
            stores.ALARMS_SCHEMA,
        )
        rows = [(dp(100), lambda r, a=a: self._alarm_row(ui, r, a)) for a in alarms]
        node.add(ui.list(rect, "alarms", rows, rid="alarm_recycler_view"))
        if not alarms:
            node.add(ui.text(rect, "No alarms", 18, theme.SUBTLE, align="center"))
        fab = ui.fab("+", "Add alarm", self._new_alarm)
        fab.bounds = (fab.bounds[0], rect[3] - dp(72), fab.bounds[2], rect[3] - dp(16))
        return node.add(fab)

    def _alarm_row(self, ui: Ui, r: Rect, a: Any) -> Node:
        dp = ui.dp
        row = Node("android.widget.LinearLayout", r, rid="alarm_item")
        row.add(
            ui.text(
                (r[0] + dp(24), r[1] + dp(8), r[2] - dp(180), r[1] + dp(60)),
                fmt_time(a["hour"], a["minutes"]),
                32,
                theme.TEXT if a["enabled"] else theme.HINT,
                rid="digital_clock",
            )
        )
        row.add(
            ui.text(
                (r[0] + dp(24), r[1] + dp(60), r[2] - dp(180), r[3] - dp(8)),
                a["label"] or "Alarm",
                14,
                theme.SUBTLE,
                rid="edit_label",
            )
        )
        row.add(
            ui.switch(
                (r[2] - dp(170), r[1], r[2] - dp(80), r[3]),
                bool(a["enabled"]),
                lambda i=a["_id"]: self._toggle(i),
                "onoff",
                f"{fmt_time(a['hour'], a['minutes'])} alarm",
            )
        )
        row.add(
            ui.icon_button(
                (r[2] - dp(72), r[1] + dp(26), r[2] - dp(24), r[3] - dp(26)),
                "✕",
                "Delete alarm",
                lambda i=a["_id"]: self._delete(i),
                "delete",
            )
        )
        return row

    def _toggle(self, alarm_id: int) -> None:
        execute(
            self.device.fs,
            stores.ALARMS_DB,
            "UPDATE alarm_templates SET enabled = 1 - enabled WHERE _id = ?",
            (alarm_id,),
            stores.ALARMS_SCHEMA,
        )

    def _delete(self, alarm_id: int) -> None:
        execute(
            self.device.fs,
            stores.ALARMS_DB,
            "DELETE FROM alarm_templates WHERE _id = ?",
            (alarm_id,),
            stores.ALARMS_SCHEMA,
        )
        self.toast("Alarm deleted")

    def _new_alarm(self) -> None:
        self.fields.update(hour="", minute="", label="")

        def body(r: Rect) -> list[Node]:
            ui = self._ui
            h = (r[3] - r[1]) // 3
            return [
                ui.edit((r[0], r[1] + i * h + 4, r[2], r[1] + (i + 1) * h - 4), key, hint, rid=key)
                for i, (key, hint) in enumerate(
                    (("hour", "Hour (0-23)"), ("minute", "Minute (0-59)"), ("label", "Label"))
                )
            ]

        def dialog(ui: Ui) -> Node:
            self._ui = ui
            return ui.dialog("Add alarm", "", [("Cancel", self.dismiss), ("OK", self._save_alarm)], body, 210)

        self.show(dialog)

    def _save_alarm(self) -> None:
        try:
            hour, minute = int(self.fields.get("hour") or -1), int(self.fields.get("minute") or 0)
        except ValueError:
            hour, minute = -1, 0
        if not (0 <= hour < 24 and 0 <= minute < 60):
            self.toast("Enter a valid time")
            return
        self.dismiss()
        self.add_alarm(hour, minute, self.fields.get("label", ""))

    # ---------------------------------------------------------------- clock and timer

    def _clock(self, ui: Ui, rect: Rect) -> Node:
        dp = ui.dp
        now = self.device.clock.now()
        node = Node(bounds=rect)
        node.add(
            ui.text(
                (rect[0], rect[1] + dp(80), rect[2], rect[1] + dp(180)),
                time.strftime("%-I:%M", time.gmtime(now)),
                72,
                align="center",
                rid="digital_clock",
            )
        )
        node.add(
            ui.text(
                (rect[0], rect[1] + dp(190), rect[2], rect[1] + dp(230)),
                time.strftime("%a, %b %-d", time.gmtime(now)),
                18,
                theme.SUBTLE,
                align="center",
                rid="date",
            )
        )
        return node

    def _timer(self, ui: Ui, rect: Rect) -> Node:
        dp = ui.dp
        node = Node(bounds=rect)
        x0, top, x1, _ = rect
        left = self.clock.timer_left()
        if left is None:
            node.add(
                ui.edit(
                    (x0 + dp(48), top + dp(80), x1 - dp(48), top + dp(144)),
                    "timer_minutes",
                    "Minutes",
                    rid="timer_minutes",
                )
            )
            node.add(
                ui.edit(
                    (x0 + dp(48), top + dp(160), x1 - dp(48), top + dp(224)),
                    "timer_seconds",
                    "Seconds",
                    rid="timer_seconds",
                )
            )
            node.add(
                ui.button(
                    (x0 + dp(120), top + dp(260), x1 - dp(120), top + dp(316)), "Start", self._start_timer, rid="fab"
                )
            )
            return node
        text = "Time's up" if left <= 0 else f"{int(left) // 60:02d}:{int(left) % 60:02d}"
        node.add(ui.text((x0, top + dp(80), x1, top + dp(180)), text, 64, align="center", rid="timer_time_text"))
        node.add(
            ui.button(
                (x0 + dp(120), top + dp(220), x1 - dp(120), top + dp(276)), "Reset", self._reset_timer, rid="reset"
            )
        )
        return node

    def _start_timer(self) -> None:
        try:
            total = int(self.fields.get("timer_minutes") or 0) * 60 + int(self.fields.get("timer_seconds") or 0)
        except ValueError:
            total = 0
        if total <= 0:
            self.toast("Enter a duration")
            return
        self.device.wm.unfocus()
        self.clock.timer_end = self.device.clock.now() + total

    def _reset_timer(self) -> None:
        self.clock.timer_end = None


class ClockApp(App):
    package = "com.android.deskclock"
    label = "Clock"
    glyph = "◷"
    color = (66, 133, 244)
    activities = (DeskClock,)

    def __init__(self, device) -> None:
        super().__init__(device)
        self.timer_end: float | None = None

    def timer_left(self) -> float | None:
        return None if self.timer_end is None else self.timer_end - self.device.clock.now()

    def on_clear(self) -> None:
        self.timer_end = None

    def seed(self, rng: random.Random) -> None:
        with open_db(self.device.fs, stores.ALARMS_DB, stores.ALARMS_SCHEMA) as conn:
            for hour, minutes, label in ((7, 0, "Wake up"), (rng.randint(5, 9), rng.choice((15, 30, 45)), "Gym")):
                conn.execute(
                    "INSERT INTO alarm_templates (hour, minutes, enabled, label) VALUES (?, ?, ?, ?)",
                    (hour, minutes, int(label == "Wake up"), label),
                )
