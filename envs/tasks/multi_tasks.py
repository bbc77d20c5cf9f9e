"""Hard tasks that carry information from one app to another, checked in the app it ends up in."""

from __future__ import annotations

import random
from typing import Any

from . import data, pools
from .base import Task
from .checks import answer_mentions, same_text
from .contacts_tasks import NAME_FIELD, PHONE_FIELD, SAVE
from .device import TaskDevice
from .maps_files_tasks import PLACES, find_place
from .messages_tasks import COMPOSE, RECIPIENT, SEND
from .notes_tasks import BODY, OPEN_NOTES, TITLE
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
        rows = data.contacts(device)
        found = [r for r in rows if same_text(r["display_name"], self.values["name"])]
        return (
            len(rows) == len(self.before) + 1
            and len(found) == 1
            and pools.digits(found[0]["phone"]) == pools.digits(self.values["number"])
        )

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
        new = {t: b for t, b in data.notes(device).items() if t not in self.before}
        return len(new) == 1 and all(
            same_text(t, self.values["title"]) and answer_mentions(b, self.address) for t, b in new.items()
        )

    def plan(self) -> list[Step]:
        return [
            *find_place(self.values["place"]), *OPEN_NOTES, tap_desc("New note"),
            *fill(TITLE, self.values["title"]), *fill(BODY, self.address), tap_desc("Save"), Finish(),
        ]  # fmt: skip


class SmsAddress(_AddressTask):
    name = "MultiSmsAddress"
    template = "Text the address of {place} to {number}."
    apps = ("Maps", "Messages")
    packages = (data.MAPS, data.MESSAGES)

    def prepare(self, device: TaskDevice) -> None:
        super().prepare(device)
        self.sent_before = {m["_id"] for m in data.sms(device, "sent")}

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        want = pools.digits(self.values["number"])
        new = [
            m for m in data.sms(device, "sent")
            if m["_id"] not in self.sent_before and pools.digits(m["address"]) == want
        ]  # fmt: skip
        return len(new) == 1 and answer_mentions(new[0]["body"], self.address)

    def plan(self) -> list[Step]:
        return [
            *find_place(self.values["place"]), Launch(app="Messages"), tap_desc("Start chat"),
            *fill(RECIPIENT, self.values["number"]), PressKey(key="enter"), *fill(COMPOSE, self.address), SEND,
            Finish(),
        ]  # fmt: skip


TASKS: tuple[type[Task], ...] = (ContactFromSms, NoteWithAddress, SmsAddress)
