"""Maps, Files and launcher tasks: Maps' database, files under ``/sdcard``, and the foreground activity."""

from __future__ import annotations

import random
from typing import Any

from ..appdata import PLACE_KINDS
from . import data, pools
from .base import Task
from .checks import answer_mentions, loose, same_text
from .device import TaskDevice
from .steps import AnswerWith, Finish, Launch, PressKey, Step, TapOn, fill, tap_button, tap_desc, tap_text
from .ui import Selector

PLACES = tuple(name for names, _tags in PLACE_KINDS.values() for name in names)
SEARCH_BOX = Selector(rid="search_omnibox_text_box")


def find_place(place: str) -> list[Step]:
    """Search Maps for a place and open its page from the results."""
    return [
        Launch(app="Maps"), *fill(SEARCH_BOX, place), PressKey(key="enter"),
        TapOn(target=Selector(text=place, rid="title"), scroll="down"),
    ]  # fmt: skip


class _MapsTask(Task):
    apps = ("Maps",)
    packages = (data.MAPS,)

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"place": rng.choice(PLACES), "query": rng.choice(pools.SEARCH_QUERIES)}

    def prepare(self, device: TaskDevice) -> None:
        self.history = {r["_id"] for r in data.maps_rows(device, "search_history")}
        self.starred = {r["_id"] for r in data.maps_rows(device, "starred_places")}


class SearchMaps(_MapsTask):
    name = "MapsSearch"
    template = 'Search for "{query}" in Maps.'
    difficulty = "easy"
    complexity = 1.0

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        new = [r for r in data.maps_rows(device, "search_history") if r["_id"] not in self.history]
        return any(loose(r["query"]) == loose(self.values["query"]) for r in new)

    def plan(self) -> list[Step]:
        return [Launch(app="Maps"), *fill(SEARCH_BOX, self.values["query"]), PressKey(key="enter"), Finish()]


class StarPlace(_MapsTask):
    name = "MapsSavePlace"
    template = "Save {place} to my starred places in Maps."
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        new = [r for r in data.maps_rows(device, "starred_places") if r["_id"] not in self.starred]
        return len(new) == 1 and same_text(new[0]["name"], self.values["place"])

    def plan(self) -> list[Step]:
        return [*find_place(self.values["place"]), tap_text("Save"), Finish()]


class PlaceAddress(_MapsTask):
    name = "MapsAddressQuestion"
    template = "What is the address of {place}? Answer with the street address."
    difficulty = "medium"
    complexity = 1.5

    def prepare(self, device: TaskDevice) -> None:
        self.address = data.place_details(device, self.values["place"])["address"]
        super().prepare(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_mentions(answer, self.address)

    def plan(self) -> list[Step]:
        return [*find_place(self.values["place"]), AnswerWith(text=self.address), Finish()]


# ---------------------------------------------------------------- Files

EXTENSIONS = (".pdf", ".txt", ".jpg", ".docx")


class _FilesTask(Task):
    apps = ("Files",)
    packages = (data.FILES,)


class DeleteFile(_FilesTask):
    name = "FilesDeleteFile"
    template = "Delete the file {file} from the Download folder."
    difficulty = "medium"
    complexity = 1.5
    folder = "/sdcard/Download"

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        names = [stem + rng.choice(EXTENSIONS) for stem in rng.sample(pools.FILE_STEMS, rng.randint(3, 6))]
        return {"files": names, "file": rng.choice(names)}

    def prepare(self, device: TaskDevice) -> None:
        for i, name in enumerate(self.values["files"]):
            device.write_file(f"{self.folder}/{name}", f"file {i}: {name}\n")
        self.before = device.listdir(self.folder)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return device.listdir(self.folder) == [n for n in self.before if n != self.values["file"]]

    def plan(self) -> list[Step]:
        target = TapOn(target=Selector(text=self.values["file"], rid="title"), scroll="down")
        return [Launch(app="Files"), tap_text("Download"), target, tap_desc("Delete"), tap_button("Delete"), Finish()]


class ReadCode(_FilesTask):
    name = "FilesCodeQuestion"
    template = "What is the confirmation code in the file {file} in the Documents folder? Answer with the code."
    difficulty = "medium"
    complexity = 1.0

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2)) + f"-{rng.randint(1000, 9999)}"
        return {"file": rng.choice(pools.FILE_STEMS) + ".txt", "code": code}

    def prepare(self, device: TaskDevice) -> None:
        text = f"Booking reference\nConfirmation code: {self.values['code']}\nKeep this file.\n"
        device.write_file(f"/sdcard/Documents/{self.values['file']}", text)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_mentions(answer, self.values["code"])

    def plan(self) -> list[Step]:
        target = TapOn(target=Selector(text=self.values["file"], rid="title"), scroll="down")
        return [Launch(app="Files"), tap_text("Documents"), target, AnswerWith(text=self.values["code"]), Finish()]


# ---------------------------------------------------------------- launcher

APPS = {"Clock": data.CLOCK, "Contacts": data.CONTACTS, "Files": data.FILES, "Maps": data.MAPS,
        "Messages": data.MESSAGES, "Notes": data.NOTES, "Settings": "com.android.settings"}  # fmt: skip


class OpenApp(Task):
    name = "LauncherOpenApp"
    template = "Open the {app} app."
    difficulty = "easy"
    complexity = 0.5
    apps = tuple(APPS)
    packages = tuple(APPS.values())

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {"app": rng.choice(sorted(APPS))}

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return device.foreground_package() == APPS[self.values["app"]]

    def plan(self) -> list[Step]:
        return [Launch(app=self.values["app"]), Finish()]


TASKS: tuple[type[Task], ...] = (SearchMaps, StarPlace, PlaceAddress, DeleteFile, ReadCode, OpenApp)
