"""Notes tasks: each note is a ``<title>.txt`` under ``/sdcard/Notes``, read back over the sync service."""

from __future__ import annotations

import random
from typing import Any

from . import data, pools
from .base import Task
from .checks import answer_is_number, same_text
from .device import TaskDevice
from .steps import AnswerWith, Finish, Launch, Step, TapOn, TypeText, fill, tap_button, tap_desc
from .ui import Selector

TITLE, BODY = Selector(rid="note_title"), Selector(rid="text_note_view")


def new_note(device: TaskDevice, before: dict[str, str]) -> tuple[str, str] | None:
    """``(title, text)`` of the one note whose title was not among ``before``'s (taken at setup), else None."""
    new = [(t, b) for t, b in data.notes(device).items() if t not in before]
    return new[0] if len(new) == 1 else None


class _NotesTask(Task):
    apps = ("Notes",)
    packages = (data.NOTES,)

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {
            "title": rng.choice(pools.NOTE_TITLES), "body": rng.choice(pools.NOTE_BODIES),
            "line": rng.choice(pools.EXTRA_LINES),
        }  # fmt: skip

    def prepare(self, device: TaskDevice) -> None:
        self.before = data.notes(device)


class CreateNote(_NotesTask):
    name = "NotesCreate"
    template = 'Create a note titled "{title}" that says "{body}".'
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        note = new_note(device, self.before)
        return note is not None and same_text(note[0], self.values["title"]) and same_text(note[1], self.values["body"])

    def plan(self) -> list[Step]:
        return [
            Launch(app="Notes"), tap_desc("New note"), *fill(TITLE, self.values["title"]),
            *fill(BODY, self.values["body"]), tap_desc("Save"), Finish(),
        ]  # fmt: skip


class _ExistingNote(_NotesTask):
    def prepare(self, device: TaskDevice) -> None:
        device.write_file(data.note_path(self.values["title"]), self.values["body"])
        super().prepare(device)

    def open_note(self) -> list[Step]:
        return [Launch(app="Notes"), TapOn(target=Selector(text=self.values["title"], rid="note_title"), scroll="down")]


class DeleteNote(_ExistingNote):
    name = "NotesDelete"
    template = 'Delete the note "{title}".'
    difficulty = "medium"
    complexity = 1.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        after = data.notes(device)
        kept = {t: b for t, b in self.before.items() if t != self.values["title"]}
        return after == kept

    def plan(self) -> list[Step]:
        return [*self.open_note(), tap_desc("Delete note"), tap_button("Delete"), Finish()]


class AppendToNote(_ExistingNote):
    name = "NotesAppendLine"
    template = 'Add the line "{line}" at the end of the note "{title}".'
    difficulty = "hard"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        text = data.notes(device).get(self.values["title"])
        if text is None:
            return False
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        return lines == [self.values["body"], self.values["line"]]

    def plan(self) -> list[Step]:
        return [
            *self.open_note(), TapOn(target=BODY), TypeText(text="\n" + self.values["line"]), tap_desc("Save"),
            Finish(),
        ]  # fmt: skip


class NoteCount(_NotesTask):
    name = "NotesCountQuestion"
    template = "How many notes do I have in the Notes app? Answer with a number."
    difficulty = "easy"
    complexity = 1.0

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"extra": rng.sample(pools.NOTE_TITLES, rng.randint(0, 3))}

    def prepare(self, device: TaskDevice) -> None:
        for title in self.values["extra"]:
            device.write_file(data.note_path(title), "")
        super().prepare(device)
        self.expected = len(self.before)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_is_number(answer, self.expected)

    def plan(self) -> list[Step]:
        return [Launch(app="Notes"), AnswerWith(text=str(self.expected)), Finish()]


TASKS: tuple[type[Task], ...] = (CreateNote, DeleteNote, AppendToNote, NoteCount)
