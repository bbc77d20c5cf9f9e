"""Messages tasks, checked through the telephony provider (``content query --uri content://sms/...``)."""

from __future__ import annotations

import random
from typing import Any

from . import data, pools
from .base import Task
from .checks import answer_is_number, answer_mentions, same_text
from .device import TaskDevice
from .steps import AnswerWith, Finish, Launch, PressKey, Step, TapOn, fill, tap_desc
from .ui import Selector

COMPOSE, RECIPIENT = Selector(rid="compose_message_text"), Selector(rid="recipient_text_view")
SEND = tap_desc("Send SMS")


def sent_ids(device: TaskDevice) -> set[Any]:
    """The ids of the sent messages now (taken at setup, to tell which ones the agent sent)."""
    return {m["_id"] for m in data.sms(device, "sent")}


def sent_since(device: TaskDevice, before: set[Any], number: str) -> list[dict[str, Any]]:
    """Messages sent to ``number`` (compared digit for digit) that are not among the ids in ``before``."""
    want = pools.digits(number)
    return [m for m in data.sms(device, "sent") if m["_id"] not in before and pools.digits(m["address"]) == want]


class _MessagesTask(Task):
    apps = ("Messages",)
    packages = (data.MESSAGES,)

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        return {
            "number": pools.phone_number(rng), "text": rng.choice(pools.SMS_TEXTS), "name": pools.person_name(rng),
            "incoming": rng.choice(pools.INCOMING_TEXTS),
        }  # fmt: skip

    def prepare(self, device: TaskDevice) -> None:
        self.sent_before = sent_ids(device)

    def sent_text(self, device: TaskDevice, number: str) -> bool:
        """Exactly one new message went to ``number``, and it says the text."""
        new = sent_since(device, self.sent_before, number)
        return len(new) == 1 and same_text(new[0]["body"], self.values["text"])


class SendSms(_MessagesTask):
    name = "SmsSendToNumber"
    template = 'Send a text message to {number} saying "{text}".'
    difficulty = "medium"
    complexity = 1.5

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return self.sent_text(device, self.values["number"])

    def plan(self) -> list[Step]:
        return [
            Launch(app="Messages"), tap_desc("Start chat"), *fill(RECIPIENT, self.values["number"]),
            PressKey(key="enter"), *fill(COMPOSE, self.values["text"]), SEND, Finish(),
        ]  # fmt: skip


class SendSmsToContact(_MessagesTask):
    name = "SmsSendToContact"
    template = 'Text {name} "{text}".'
    difficulty = "hard"
    complexity = 2.0

    def prepare(self, device: TaskDevice) -> None:
        data.insert_contact(device, self.values["name"], self.values["number"])
        super().prepare(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return self.sent_text(device, self.values["number"])

    def plan(self) -> list[Step]:
        person = TapOn(target=Selector(text=self.values["name"], rid="title"))
        return [
            Launch(app="Messages"), tap_desc("Start chat"), *fill(RECIPIENT, self.values["name"]), person,
            *fill(COMPOSE, self.values["text"]), SEND, Finish(),
        ]  # fmt: skip


class ReplyToLatest(_MessagesTask):
    name = "SmsReplyMostRecent"
    template = 'Reply to the most recent text message with "{text}".'
    difficulty = "medium"
    complexity = 1.5
    start_package = data.MESSAGES

    def prepare(self, device: TaskDevice) -> None:
        data.receive_sms(device, self.values["number"], self.values["incoming"], device.now_ms())
        super().prepare(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return self.sent_text(device, self.values["number"])

    def plan(self) -> list[Step]:
        thread = TapOn(target=Selector(text=self.values["number"], rid="conversation_name"))
        return [thread, *fill(COMPOSE, self.values["text"]), SEND, Finish()]  # Messages is already open


class UnreadCount(_MessagesTask):
    name = "SmsUnreadCountQuestion"
    template = "How many unread text messages do I have? Answer with a number."
    difficulty = "easy"
    complexity = 1.0

    @classmethod
    def generate(cls, rng: random.Random) -> dict[str, Any]:
        count = rng.randint(1, 4)
        return {
            "senders": [pools.phone_number(rng) for _ in range(count)],
            "texts": [rng.choice(pools.INCOMING_TEXTS) for _ in range(count)],
        }

    def prepare(self, device: TaskDevice) -> None:
        """Every conversation read, then one unread message in each of ``count`` new conversations."""
        data.mark_all_read(device)
        now = device.now_ms()
        for i, (sender, text) in enumerate(zip(self.values["senders"], self.values["texts"], strict=True)):
            data.receive_sms(device, sender, text, now - i * 60_000)
        self.expected = len(data.sms(device, "inbox", "read = 0"))

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_is_number(answer, self.expected)

    def plan(self) -> list[Step]:
        return [Launch(app="Messages"), AnswerWith(text=str(self.expected)), Finish()]


class LastMessageFrom(_MessagesTask):
    name = "SmsLastMessageQuestion"
    template = "What did {name} text me last? Answer with the message."
    difficulty = "medium"
    complexity = 1.0

    def prepare(self, device: TaskDevice) -> None:
        data.insert_contact(device, self.values["name"], self.values["number"])
        data.receive_sms(device, self.values["number"], self.values["incoming"], device.now_ms(), read=True)
        super().prepare(device)

    def check(self, device: TaskDevice, answer: str | None) -> bool:
        return answer_mentions(answer, self.values["incoming"])

    def plan(self) -> list[Step]:
        return [Launch(app="Messages"), AnswerWith(text=self.values["incoming"]), Finish()]


TASKS: tuple[type[Task], ...] = (SendSms, SendSmsToContact, ReplyToLatest, UnreadCount, LastMessageFrom)
