"""Notes (com.simplemobiletools.notes.pro): one plain-text file per note under ``/sdcard/Notes``
(``<title>.txt``). Back or the check mark saves; the bin asks, then deletes the file."""

from __future__ import annotations

import posixpath
import random
from typing import TYPE_CHECKING, Any

from .. import seed, stores
from ..ui import theme
from ..ui.node import Node
from .base import Activity, App

if TYPE_CHECKING:
    from ..ui.widgets import Ui


def note_path(title: str) -> str:
    safe = title.strip().replace("/", "_")
    return posixpath.join(stores.NOTES_DIR, f"{safe}.txt")


class NotesListActivity(Activity):
    cls = ".activities.MainActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        bar, rest = ui.app_bar("Notes", back=False)
        root.add(bar)
        fs = self.device.fs
        names = [n for n in fs.listdir(stores.NOTES_DIR) if n.endswith(".txt")] if fs.isdir(stores.NOTES_DIR) else []
        rows = []
        for name in names:
            body = fs.read_text(posixpath.join(stores.NOTES_DIR, name))
            preview = body.strip().split("\n")[0] if body.strip() else "(empty)"
            rows.append(
                (
                    dp(80),
                    lambda r, n=name, p=preview: ui.row(
                        r, n[:-4], p, lambda n=n: self.open(n[:-4]), rid="note_item", title_rid="note_title"
                    ),
                )
            )
        root.add(ui.list(rest, "notes", rows, rid="notes_list"))
        if not names:
            root.add(ui.text(rest, "No notes yet", 16, theme.SUBTLE, align="center"))
        return root.add(ui.fab("+", "New note", lambda: self.start(NoteEditorActivity), rid="new_note"))

    def open(self, title: str) -> None:
        self.start(NoteEditorActivity, title=title)


class NoteEditorActivity(Activity):
    cls = ".activities.EditorActivity"

    def __init__(self, app: App, device, extras: dict[str, Any] | None = None) -> None:
        super().__init__(app, device, extras)
        self.original = str(self.extras.get("title", ""))
        if self.original:
            self.fields["title"] = self.original
            path = note_path(self.original)
            self.fields["body"] = device.fs.read_text(path) if device.fs.isfile(path) else ""

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        actions = [("✓", "Save", self.save_and_close)]
        if self.original:
            actions.append(("✕", "Delete note", self.confirm_delete))
        bar, rest = ui.app_bar("Edit note" if self.original else "New note", actions=actions)
        root.add(bar)
        x0, top, x1, bottom = rest
        root.add(ui.edit((x0 + dp(16), top + dp(8), x1 - dp(16), top + dp(68)), "title", "Title", rid="note_title"))
        root.add(
            ui.edit(
                (x0 + dp(16), top + dp(80), x1 - dp(16), bottom - dp(16)),
                "body",
                "Note",
                rid="text_note_view",
                multiline=True,
            )
        )
        return root

    def save(self) -> bool:
        title = self.fields.get("title", "").strip()
        if not title:
            return False
        fs = self.device.fs
        fs.mkdir(stores.NOTES_DIR, parents=True)
        if self.original and self.original != title and fs.isfile(note_path(self.original)):
            fs.remove(note_path(self.original))
        fs.write(note_path(title), self.fields.get("body", ""))
        self.original = title
        return True

    def save_and_close(self) -> None:
        if not self.save():
            self.toast("Add a title first")
            return
        self.toast("Note saved")
        self.finish()

    def on_back(self) -> bool:
        if self.save():
            self.toast("Note saved")
        return False

    def confirm_delete(self) -> None:
        self.show(
            lambda ui: ui.dialog(
                "Delete note?",
                f'"{self.original}" will be deleted.',
                [("Cancel", self.dismiss), ("Delete", self.delete)],
            )
        )

    def delete(self) -> None:
        path = note_path(self.original)
        if self.device.fs.isfile(path):
            self.device.fs.remove(path)
        self.dismiss()
        self.original = ""
        self.fields.clear()
        self.finish()
        self.toast("Note deleted")


class NotesApp(App):
    package = "com.simplemobiletools.notes.pro"
    label = "Notes"
    glyph = "✎"
    color = (251, 188, 4)
    activities = (NotesListActivity, NoteEditorActivity)

    def seed(self, rng: random.Random) -> None:
        fs = self.device.fs
        fs.mkdir(stores.NOTES_DIR, parents=True)
        for title in sorted(rng.sample(sorted(seed.NOTES), 3)):
            fs.write(note_path(title), seed.NOTES[title])
