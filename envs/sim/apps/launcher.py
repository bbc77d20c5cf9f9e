"""The home screen (Pixel launcher): an icon grid, a dock, a search pill, and the app drawer.

Icons are single views, as Pixel's BubbleTextView: text and content-desc are the app's label, the icon
is drawn above the label. Swiping up (or tapping the search pill) opens the drawer; its search field
filters apps by label and Enter opens the first match. Back or Home closes the drawer.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..defaults import LAUNCHER
from ..ui import theme
from ..ui.node import Node, Rect
from .base import Activity, App

if TYPE_CHECKING:
    from ..ui.widgets import Ui

DOCK = ("com.google.android.apps.messaging", "com.android.contacts", "com.google.android.apps.maps",
        "com.android.settings")  # fmt: skip
WALLPAPER = (31, 60, 96)


class Launcher(Activity):
    cls = "com.android.launcher3.uioverride.QuickstepLauncher"

    @property
    def drawer(self) -> bool:
        return bool(self.extras.get("drawer"))

    def build(self, ui: Ui) -> Node:
        return self._drawer(ui) if self.drawer else self._home(ui)

    def on_resume(self) -> None:
        self.extras["drawer"] = False
        self.fields.clear()
        self.scroll.clear()

    def on_back(self) -> bool:
        if self.drawer:
            self.on_resume()
        return True  # Back on the home screen does nothing

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        if y2 < y1 and not self.drawer:
            self.extras["drawer"] = True
        elif y2 > y1 and self.drawer and not self.scroll.get("apps"):
            self.on_resume()
        return True

    def on_submit(self, key: str) -> bool:
        matches = self._matches()
        if matches:
            self.device.wm.launch(matches[0].package)
        return True

    def _matches(self) -> list[App]:
        q = self.fields.get("search", "").strip().lower()
        return [a for a in self.device.launchable() if q in a.label.lower()]

    # ---------------------------------------------------------------- views

    def _icon(self, ui: Ui, rect: Rect, app: App, label_color=theme.WHITE) -> Node:
        dp = ui.dp
        size, label_size = dp(56), dp(12)

        def paint(draw: Any, box: Rect) -> None:
            cx = (box[0] + box[2]) // 2
            top = box[1] + dp(8)
            draw.ellipse((cx - size // 2, top, cx + size // 2, top + size), fill=app.color)
            draw.text((cx, top + size // 2), app.glyph, font=theme.font(dp(24), True), fill=theme.WHITE, anchor="mm")
            label = theme.ellipsize(app.label, label_size, box[2] - box[0] - dp(4))
            draw.text((cx, top + size + dp(14)), label, font=theme.font(label_size), fill=label_color, anchor="mm")

        paint.key = ("icon", app.package, label_color)  # type: ignore[attr-defined]
        return Node("android.widget.TextView", rect, app.label, desc=app.label, clickable=True, long_clickable=True,
                    focusable=True, paint=paint, on_tap=lambda: self.device.wm.launch(app.package))  # fmt: skip

    def _grid(self, ui: Ui, apps: list[App], top: int, cols: int, cell_h: int, color=theme.WHITE) -> list[Node]:
        left, _, right, _ = ui.rect
        cell_w = (right - left) // cols
        nodes = []
        for i, app in enumerate(apps):
            r, c = divmod(i, cols)
            x, y = left + c * cell_w, top + r * cell_h
            nodes.append(self._icon(ui, (x, y, x + cell_w, y + cell_h), app, color))
        return nodes

    def _home(self, ui: Ui) -> Node:
        dp = ui.dp
        left, top, right, bottom = ui.rect
        root = Node(bounds=ui.rect, rid="launcher", bg=WALLPAPER)
        date = time.strftime("%A, %b %-d", time.gmtime(self.device.clock.now()))
        root.add(ui.text((left + dp(24), top + dp(24), right, top + dp(64)), date, 20, theme.WHITE, rid="date"))
        apps = self.device.launchable()
        dock = [a for pkg in DOCK for a in apps if a.package == pkg]
        grid = [a for a in apps if a not in dock]
        workspace = Node(bounds=(left, top + dp(80), right, bottom - dp(180)), rid="workspace")
        workspace.add(*self._grid(ui, grid, top + dp(96), 4, dp(104)))
        root.add(workspace)
        hotseat = Node(bounds=(left, bottom - dp(170), right, bottom - dp(70)), rid="hotseat")
        hotseat.add(*self._grid(ui, dock, bottom - dp(170), max(4, len(dock)), dp(100)))
        root.add(hotseat)
        pill = Node("android.widget.FrameLayout", (left + dp(24), bottom - dp(64), right - dp(24), bottom - dp(12)),
                    "Search", "search_container_hotseat", "Search", clickable=True, bg=(232, 240, 254),
                    fg=theme.SUBTLE, size=dp(16), pad=dp(24), radius=dp(26), on_tap=self._open_search)  # fmt: skip
        return root.add(pill)

    def _open_search(self) -> None:
        self.extras["drawer"] = True
        self.device.wm.focus_on(self, "search")

    def _drawer(self, ui: Ui) -> Node:
        dp = ui.dp
        left, top, right, bottom = ui.rect
        root = Node(bounds=ui.rect, rid="apps_view", bg=theme.SURFACE)
        field = ui.edit((left + dp(16), top + dp(16), right - dp(16), top + dp(72)), "search",
                        "Search your phone and more", rid="search_box_input")  # fmt: skip
        field.radius = dp(28)
        root.add(field)
        apps = self._matches()
        cols, cell_h = 4, dp(104)
        rows = [(cell_h, self._row_maker(ui, apps[i : i + cols], cols)) for i in range(0, len(apps), cols)]
        root.add(ui.list((left, top + dp(88), right, bottom), "apps", rows, rid="apps_list_view"))
        if not apps:
            root.add(ui.text((left, top + dp(120), right, top + dp(170)), "No apps found", 16, theme.SUBTLE,
                             align="center"))  # fmt: skip
        return root

    def _row_maker(self, ui: Ui, apps: list[App], cols: int):
        def make(rect: Rect) -> Node:
            row = Node(bounds=rect)
            cell_w = (rect[2] - rect[0]) // cols
            for i, app in enumerate(apps):
                x = rect[0] + i * cell_w
                row.add(self._icon(ui, (x, rect[1], x + cell_w, rect[3]), app, theme.TEXT))
            return row

        return make


class LauncherApp(App):
    package = LAUNCHER
    label = "Pixel Launcher"
    glyph = "⌂"
    activities = (Launcher,)
