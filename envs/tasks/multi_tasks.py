"""Hard tasks that carry information from one app to another, checked in the app it ends up in."""

from __future__ import annotations

import random
from typing import Any

from . import data, pools
from .base import Task
from .checks import answer_mentions, same_text
from .contacts_tasks import NAME_FIELD, PHONE_FIELD, SAVE, added_contact
from .device import TaskDevice
from .maps_files_tasks import PLACES, find_place
from .messages_tasks import COMPOSE, RECIPIENT, SEND, sent_ids, sent_since
from .notes_tasks import BODY, TITLE, new_note
from .steps import Finish, Launch, PressKey, Step, fill, tap_desc


class _MultiTask(Task):
    difficulty = "hard"
    complexity = 2.5

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {
            "name": pools.person_name(rng), "number": pools.phone_number(rng), "place": rng.choice(PLACES),
            "incoming": rng.choice(pools.INCOMING_TEXTS), "title": rng.choice(pools.NOTE_TITLES),
        }  # fmt: skip


class ContactFromSms(_MultiTask):
    name = "MultiContactFromSms"
    template = 'Save the number that texted me "{incoming}" as a new contact named {name}.'
    apps = ("Messages", "Contacts")
    packages = (data.MESSAGES, data.CONTACTS)

    def prepare(self, device: TaskDevice) -> None:
        data.receive_sms(device, self.values["number"], self.values["incoming"], device.now_ms())
        self.before = data.contacts(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return added_contact(device, self.before, self.values["name"], self.values["number"]) is not None

    def plan(self) -> list[Step]:
        return [
            Launch(app="Messages"), Launch(app="Contacts"), tap_desc("Create contact"),
            *fill(NAME_FIELD, self.values["name"]), *fill(PHONE_FIELD, self.values["number"]), SAVE, Finish(),
        ]  # fmt: skip


class _AddressTask(_MultiTask):
    def prepare(self, device: TaskDevice) -> None:
        self.address = data.place_details(device, self.values["place"])["address"]


class NoteWithAddress(_AddressTask):
    name = "MultiNoteWithAddress"
    template = 'Create a note titled "{title}" whose text is the address of {place} (look it up in Maps).'
    apps = ("Maps", "Notes")
    packages = (data.MAPS, data.NOTES)

    def prepare(self, device: TaskDevice) -> None:
        super().prepare(device)
        self.before = data.notes(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        note = new_note(device, self.before)
        return note is not None and same_text(note[0], self.values["title"]) and answer_mentions(note[1], self.address)

    def plan(self) -> list[Step]:
        return [
            *find_place(self.values["place"]), Launch(app="Notes"), tap_desc("New note"),
            *fill(TITLE, self.values["title"]), *fill(BODY, self.address), tap_desc("Save"), Finish(),
        ]  # fmt: skip


class SmsAddress(_AddressTask):
    name = "MultiSmsAddress"
    template = "Text the address of {place} to {number}."
    apps = ("Maps", "Messages")
    packages = (data.MAPS, data.MESSAGES)

    def prepare(self, device: TaskDevice) -> None:
        super().prepare(device)
        self.sent_before = sent_ids(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        new = sent_since(device, self.sent_before, self.values["number"])
        return len(new) == 1 and answer_mentions(new[0]["body"], self.address)

    def plan(self) -> list[Step]:
        return [
            *find_place(self.values["place"]), Launch(app="Messages"), tap_desc("Start chat"),
            *fill(RECIPIENT, self.values["number"]), PressKey(key="enter"), *fill(COMPOSE, self.address), SEND,
            Finish(),
        ]  # fmt: skip


TASKS: tuple[type[Task], ...] = (ContactFromSms, NoteWithAddress, SmsAddress)
