"""The base of every Settings page: an app bar and a list of rows (links, switches, headers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from ..ui import theme
from ..ui.node import Node, Rect
from .base import Activity

if TYPE_CHECKING:
    from ..ui.widgets import Row, Ui


class Page(Activity):
    """A settings page: an app bar and a list of rows."""

    title = "Settings"
    home: ClassVar[bool] = False  # the top page has no Navigate-up arrow

    def rows(self, ui: Ui) -> list[Row]:
        raise NotImplementedError

    def build(self, ui: Ui) -> Node:
        root = ui.screen()
        bar, rest = ui.app_bar(self.title, back=not self.home)
        root.add(bar)
        return root.add(ui.list(rest, "main", self.rows(ui), rid="recycler_view"))

    @property
    def s(self):
        return self.device.settings

    def link(self, ui: Ui, title: str, summary: str, target: type[Activity], glyph: str = "") -> Row:
        lead = Node("android.widget.ImageView", icon=glyph, fg=theme.PRIMARY, size=ui.dp(22)) if glyph else None
        return ui.dp(76), lambda r: ui.row(r, title, summary, lambda: self.start(target), lead=lead)

    def toggle(self, ui: Ui, title: str, summary: str, on: bool, fn: Callable[[], None], rid: str) -> Row:
        def make(r: Rect) -> Node:
            sw = ui.switch((0, 0, ui.dp(72), 0), on, fn, rid="switchWidget", desc=title)
            row = ui.row(r, title, summary, fn, rid=rid, trail=sw)
            row.checkable, row.checked = True, on
            return row

        return ui.dp(76), make

    def header(self, ui: Ui, text: str) -> Row:
        return ui.dp(48), lambda r: ui.text((r[0] + ui.dp(16), r[1], r[2], r[3]), text, 14, theme.PRIMARY, True)
