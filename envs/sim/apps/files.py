"""Files (com.google.android.documentsui): browse shared storage, open text files, delete files."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ..ui import theme
from ..ui.node import Node
from .base import Activity, App

if TYPE_CHECKING:
    from ..ui.widgets import Ui

ROOT = "/storage/emulated/0"


class FilesActivity(Activity):
    cls = "com.android.documentsui.files.FilesActivity"

    @property
    def cwd(self) -> str:
        return str(self.extras.get("path", ROOT))

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        title = "Internal storage" if self.cwd == ROOT else posixpath.basename(self.cwd)
        bar, rest = ui.app_bar(title, back=self.cwd != ROOT)
        root.add(bar)
        fs = self.device.fs
        names = fs.listdir(self.cwd) if fs.isdir(self.cwd) else []
        rows = []
        for name in [n for n in names if not n.startswith(".")]:
            path = posixpath.join(self.cwd, name)
            is_dir = fs.isdir(path)
            summary = "Folder" if is_dir else f"{fs.stat(path).size} B"
            lead = Node("android.widget.ImageView", icon="▤" if is_dir else "✎", fg=theme.PRIMARY, size=dp(22))
            rows.append(
                (
                    dp(72),
                    lambda r, p=path, n=name, s=summary, ld=lead: ui.row(
                        r, n, s, lambda p=p: self.open(p), rid="item_root", lead=ld, title_rid="android:id/title"
                    ),
                )
            )
        root.add(ui.list(rest, "files", rows, rid="dir_list"))
        if not rows:
            root.add(ui.text(rest, "No items", 16, theme.SUBTLE, align="center"))
        return root

    def open(self, path: str) -> None:
        if self.device.fs.isdir(path):
            self.start(FilesActivity, path=path)
        else:
            self.start(ViewerActivity, path=path)


class ViewerActivity(Activity):
    cls = "com.android.documentsui.ViewerActivity"

    def build(self, ui: Ui) -> Node:
        path = str(self.extras.get("path", ""))
        root = ui.screen()
        bar, rest = ui.app_bar(posixpath.basename(path), actions=[("✕", "Delete", self.confirm_delete)])
        root.add(bar)
        fs = self.device.fs
        data = fs.read(path) if fs.isfile(path) else b""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = f"Can't open this file ({len(data)} bytes)"
        return root.add(ui.text(rest, text, 15, wrap=True, pad=16, rid="text"))

    def confirm_delete(self) -> None:
        self.show(lambda ui: ui.dialog("Delete this file?", "", [("Cancel", self.dismiss), ("Delete", self.delete)]))

    def delete(self) -> None:
        path = str(self.extras.get("path", ""))
        if self.device.fs.isfile(path):
            self.device.fs.remove(path)
        self.dismiss()
        self.finish()
        self.toast("File deleted")


class FilesApp(App):
    package = "com.google.android.documentsui"
    label = "Files"
    glyph = "▤"
    color = (0, 137, 123)
    activities = (FilesActivity, ViewerActivity)
