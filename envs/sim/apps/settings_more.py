"""Settings pages beyond the toggles: App info (Open, Force stop) and Security & privacy (a screen-lock PIN).

Choosing a PIN follows ChooseLockPassword: the current PIN first when one is set, then the new PIN twice. The
screen is FLAG_SECURE, as the real one is, so ``screencap`` of it is black while the UI dump still works.
The PIN set here is the keyguard's (``envs/sim/keyguard.py``), the same one ``locksettings`` sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ui import theme
from ..ui.node import Node, Rect
from .settings_page import Page

if TYPE_CHECKING:
    from ..ui.widgets import Row, Ui
    from .base import App


class AppInfo(Page):
    """One app's page (the launcher's "App info"; ``am start -a android.settings.APPLICATION_DETAILS_SETTINGS
    -d package:PKG``): Open, and Force stop (enabled while the app runs; it asks first)."""

    cls = ".applications.InstalledAppDetails"
    actions = ("android.settings.APPLICATION_DETAILS_SETTINGS",)
    title = "App info"

    @property
    def target(self) -> App | None:
        package = str(self.extras.get("package") or str(self.extras.get("data", "")).removeprefix("package:"))
        return self.device.apps.get(package)

    def rows(self, ui: Ui) -> list[Row]:
        app = self.target
        if app is None:
            return [(ui.dp(76), lambda r: ui.row(r, "App not found", ""))]
        facts = (("Notifications", "On"), ("Permissions", "No permissions requested"),
                 ("Storage & cache", "24 MB used"), ("Version", f"version {app.version}"))  # fmt: skip
        header = lambda r: ui.row(r, app.label, app.package, lead=ui.avatar((0, 0, 0, 0), app.label),
                                  title_rid="entity_header_title")  # fmt: skip
        return [(ui.dp(96), header), (ui.dp(80), lambda r: self._buttons(ui, r, app)),
                *((ui.dp(76), lambda r, t=t, v=v: ui.row(r, t, v)) for t, v in facts)]  # fmt: skip

    def _buttons(self, ui: Ui, r: Rect, app: App) -> Node:
        dp, mid = ui.dp, (r[0] + r[2]) // 2
        running = self.device.wm.task_for(app.package) is not None
        left = (r[0] + dp(24), r[1] + dp(16), mid - dp(8), r[3] - dp(16))
        right = (mid + dp(8), r[1] + dp(16), r[2] - dp(24), r[3] - dp(16))
        stop = ui.button(right, "Force stop", lambda: self._confirm_stop(app), "button2", False, running)
        return Node(bounds=r).add(
            ui.button(left, "Open", lambda: self.device.wm.launch(app.package), rid="button1", primary=False), stop
        )

    def _confirm_stop(self, app: App) -> None:
        def stop() -> None:
            self.dismiss()
            self.device.wm.force_stop(app.package)

        self.show(lambda ui: ui.dialog("Force stop?", "If you force stop an app, it may misbehave.",
                                       [("Cancel", self.dismiss), ("OK", stop)]))  # fmt: skip


class Security(Page):
    cls = ".Settings$SecurityDashboardActivity"
    actions = ("android.settings.SECURITY_SETTINGS",)
    title = "Security & privacy"

    def rows(self, ui: Ui) -> list[Row]:
        return [self.link(ui, "Screen lock", "PIN" if self.device.keyguard.secure else "None", ChooseLockPin)]


TITLES = {"current": "Confirm your PIN", "new": "Choose your PIN", "confirm": "Re-enter your PIN"}
TOO_SHORT = "PIN must be at least 4 digits"


class ChooseLockPin(Page):
    cls = ".password.ChooseLockPassword"
    actions = ("android.app.action.SET_NEW_PASSWORD",)
    secure = True

    @property
    def stage(self) -> str:
        return str(self.extras.setdefault("stage", "current" if self.device.keyguard.secure else "new"))

    @property
    def title(self) -> str:  # type: ignore[override]
        return TITLES[self.stage]

    def rows(self, ui: Ui) -> list[Row]:
        dp = ui.dp
        inset = lambda r, dy: (r[0] + dp(24), r[1] + dp(dy), r[2] - dp(24), r[3] - dp(dy))
        hint = str(self.extras.get("error") or TOO_SHORT)
        return [
            (dp(76), lambda r: ui.edit(inset(r, 8), "pin", "PIN", rid="password_entry", password=True)),
            (dp(48), lambda r: ui.text(inset(r, 0), hint, 14, theme.SUBTLE, rid="message")),
            (dp(72), lambda r: ui.button((r[2] - dp(140), *inset(r, 12)[1:]), "Next", self.next, rid="next_button")),
        ]

    def on_submit(self, key: str) -> bool:
        self.next()
        return True

    def next(self) -> None:
        """Advance a stage with what was typed; a mistake shows in the message line and clears the field."""
        kg, pin, stage = self.device.keyguard, self.fields.get("pin", ""), self.stage
        self.fields["pin"] = ""
        error, new_stage = "", stage
        if stage == "current":
            error, new_stage = ("", "new") if pin == kg.pin else ("Wrong PIN", stage)
        elif stage == "new":
            error, new_stage = ("", "confirm") if len(pin) >= 4 and pin.isdigit() else (TOO_SHORT, stage)
            self.extras["first"] = pin
        elif pin == self.extras.get("first"):
            kg.pin = pin
            self.finish()
            self.toast("PIN set")
        else:
            error, new_stage = "PINs don't match", "new"
        self.extras.update(stage=new_stage, error=error)
