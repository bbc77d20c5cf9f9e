"""Contacts tasks, checked on ``contacts2.db`` pulled over adb: rows added, removed or changed exactly."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

from . import data, pools
from .base import Task
from .checks import answer_is_number, same_text
from .device import TaskDevice
from .steps import AnswerWith, Finish, Launch, Step, TapOn, fill, tap_button, tap_desc
from .ui import Selector

NAME_FIELD, PHONE_FIELD = Selector(rid="name_field"), Selector(rid="phone_field")
EMAIL_FIELD = Selector(rid="email_field")
SAVE = TapOn(target=Selector(rid="save"))


def _find(rows: list, name: str) -> list:
    return [r for r in rows if same_text(r["display_name"], name)]


def _has_email(row: sqlite3.Row, email: str) -> bool:
    return same_text((row["email"] or "").lower(), email)


def added_contact(device: TaskDevice, before: list, name: str, number: str) -> sqlite3.Row | None:
    """The contact named ``name`` with ``number`` if it is the one row added since setup (``before``), else None."""
    rows = data.contacts(device)
    found = _find(rows, name)
    if len(rows) != len(before) + 1 or len(found) != 1 or pools.digits(found[0]["phone"]) != pools.digits(number):
        return None
    return found[0]


def _open_contact(name: str) -> list[Step]:
    """Open a contact from the list, scrolling down to it when the list is long."""
    return [Launch(app="Contacts"), TapOn(target=Selector(text=name, rid="cliv_name_textview"), scroll="down")]


class _ContactsTask(Task):
    apps = ("Contacts",)
    packages = (data.CONTACTS,)

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"name": pools.person_name(rng), "number": pools.phone_number(rng), "email": pools.email_for(rng)}

    def prepare(self, device: TaskDevice) -> None:
        self.before = data.contacts(device)


class AddContact(_ContactsTask):
    name = "ContactsAddContact"
    template = "Add a contact named {name} with the phone number {number}."
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return added_contact(device, self.before, self.values["name"], self.values["number"]) is not None

    def plan(self) -> list[Step]:
        return [
            Launch(app="Contacts"), tap_desc("Create contact"), *fill(NAME_FIELD, self.values["name"]),
            *fill(PHONE_FIELD, self.values["number"]), SAVE, Finish(),
        ]  # fmt: skip


class AddContactWithEmail(_ContactsTask):
    name = "ContactsAddContactWithEmail"
    template = "Create a contact for {name}: phone {number}, email {email}."
    difficulty = "hard"
    complexity = 2.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        added = added_contact(device, self.before, self.values["name"], self.values["number"])
        return added is not None and _has_email(added, self.values["email"])

    def plan(self) -> list[Step]:
        return [
            Launch(app="Contacts"), tap_desc("Create contact"), *fill(NAME_FIELD, self.values["name"]),
            *fill(PHONE_FIELD, self.values["number"]), *fill(EMAIL_FIELD, self.values["email"]), SAVE, Finish(),
        ]  # fmt: skip


class _ExistingContact(_ContactsTask):
    """Tasks about a contact that setup adds (so the name is known and the list holds it)."""

    def prepare(self, device: TaskDevice) -> None:
        self.contact_id = data.insert_contact(device, self.values["name"], self.values["number"])
        super().prepare(device)


class DeleteContact(_ExistingContact):
    name = "ContactsDeleteContact"
    template = "Delete the contact {name}."
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        rows = data.contacts(device)
        return not _find(rows, self.values["name"]) and len(rows) == len(self.before) - 1

    def plan(self) -> list[Step]:
        search = Selector(rid="search_view")
        return [
            Launch(app="Contacts"), *fill(search, self.values["name"]),
            TapOn(target=Selector(text=self.values["name"], rid="cliv_name_textview")), tap_desc("Delete"),
            tap_button("Delete"), Finish(),
        ]  # fmt: skip


class StarContact(_ExistingContact):
    name = "ContactsStarContact"
    template = "Add {name} to your favorite contacts."
    difficulty = "medium"
    complexity = 1.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        rows = data.contacts(device)
        found = _find(rows, self.values["name"])
        return len(rows) == len(self.before) and len(found) == 1 and found[0]["starred"] == 1

    def plan(self) -> list[Step]:
        return [*_open_contact(self.values["name"]), tap_desc("Favorite"), Finish()]


class AddEmailToContact(_ExistingContact):
    name = "ContactsAddEmail"
    template = "Add the email address {email} to the contact {name}."
    difficulty = "hard"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        found = _find(data.contacts(device), self.values["name"])
        return (
            len(found) == 1
            and _has_email(found[0], self.values["email"])
            and pools.digits(found[0]["phone"]) == pools.digits(self.values["number"])
        )

    def plan(self) -> list[Step]:
        return [
            *_open_contact(self.values["name"]), tap_desc("Edit"), *fill(EMAIL_FIELD, self.values["email"]), SAVE,
            Finish(),
        ]  # fmt: skip


class ContactPhoneNumber(_ExistingContact):
    name = "ContactsPhoneNumberQuestion"
    template = "What is {name}'s phone number? Answer with the number."
    difficulty = "easy"
    complexity = 1.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return bool(answer) and pools.digits(answer).endswith(pools.digits(self.values["number"])[-10:])

    def plan(self) -> list[Step]:
        return [*_open_contact(self.values["name"]), AnswerWith(text=self.values["number"]), Finish()]


class ContactCount(_ContactsTask):
    name = "ContactsCountQuestion"
    template = "How many contacts are saved on this phone? Answer with a number."
    difficulty = "medium"
    complexity = 1.5

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"extra": [pools.person_name(rng, 0.3) for _ in range(rng.randint(0, 3))]}

    def prepare(self, device: TaskDevice) -> None:
        for name in dict.fromkeys(self.values["extra"]):
            data.insert_contact(device, name, "")
        super().prepare(device)
        self.expected = len(self.before)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_is_number(answer, self.expected)

    def plan(self) -> list[Step]:
        return [Launch(app="Contacts"), AnswerWith(text=str(self.expected)), Finish()]


TASKS: tuple[type[Task], ...] = (
    AddContact, AddContactWithEmail, DeleteContact, StarContact, AddEmailToContact, ContactPhoneNumber, ContactCount,
)  # fmt: skip
