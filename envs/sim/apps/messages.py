"""Messages (com.google.android.apps.messaging): conversations and sending SMS, in the telephony
provider's ``mmssms.db`` (so ``content query --uri content://sms/sent`` sees what was sent).

Long-pressing a conversation selects it: the app bar shows "N selected" with a Delete action, a tap on
another conversation toggles it, Back or the close button ends the selection. Delete asks first, then removes
the selected threads and their messages from ``mmssms.db``.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

from .. import seed, stores
from ..db import open_db, query
from ..ui import theme
from ..ui.node import Node, Rect
from .base import Activity, App, DeviceView
from .contacts_provider import all_contacts, name_for_number

if TYPE_CHECKING:
    from ..ui.widgets import Ui

PKG = "com.google.android.apps.messaging"


def open_conversation(device: DeviceView, address: str, body: str = "") -> None:
    extras = {"address": address, **({"sms_body": body} if body else {})}
    device.wm.launch(PKG, ConversationActivity, extras)


def _when(device: DeviceView, ms: int) -> str:
    now = device.clock.now()
    t = ms / 1000
    fmt = "%-I:%M %p" if time.gmtime(t)[:3] == time.gmtime(now)[:3] else "%b %-d"
    return time.strftime(fmt, time.gmtime(t))


class ConversationListActivity(Activity):
    cls = ".ui.ConversationListActivity"

    def __init__(self, app: App, device: DeviceView, extras: dict[str, Any] | None = None) -> None:
        super().__init__(app, device, extras)
        self.selected: set[int] = set()  # thread ids chosen by long press

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        if self.selected:
            bar, rest = ui.app_bar(f"{len(self.selected)} selected", up=("✕", "Close", self.selected.clear),
                                   actions=[("⌫", "Delete", self.confirm_delete)])  # fmt: skip
        else:
            bar, rest = ui.app_bar("Messages", back=False)
        root.add(bar)
        sql = ("SELECT thread_id, address, body, MAX(date) AS date, MIN(read) AS read FROM sms "
               "GROUP BY thread_id ORDER BY date DESC")  # fmt: skip
        threads = query(self.device.fs, stores.SMS_DB, sql, (), stores.SMS_SCHEMA)
        self.selected &= {t["thread_id"] for t in threads}
        rows = [(dp(80), lambda r, t=t: self._row(ui, r, t)) for t in threads]
        root.add(ui.list(rest, "threads", rows, rid="conversation_list"))
        if not threads:
            root.add(ui.text(rest, "No conversations yet", 16, theme.SUBTLE, align="center"))
        return root.add(ui.fab("✉", "Start chat", lambda: self.start(NewConversationActivity),
                               rid="start_chat_fab"))  # fmt: skip

    def _row(self, ui: Ui, r: Rect, t: Any) -> Node:
        name = name_for_number(self.app, t["address"])
        thread, chosen = t["thread_id"], t["thread_id"] in self.selected
        lead = ui.avatar((0, 0, 0, 0), name)
        if chosen:
            lead.bg, lead.icon = theme.PRIMARY, "✓"
        row = ui.row(r, name, t["body"], lambda: self._tap(thread, t["address"]), rid="swipeableContainer",
                     lead=lead, trail=ui.text((0, 0, ui.dp(80), 0), _when(self.device, t["date"]), 12, theme.SUBTLE),
                     title_rid="conversation_name")  # fmt: skip
        row.children[1].bold = not t["read"]
        row.long_clickable, row.selected = True, chosen
        row.bg = theme.PRIMARY_LIGHT if chosen else None
        row.on_long = lambda: self.selected.add(thread)
        return row

    def _tap(self, thread: int, address: str) -> None:
        if self.selected:
            self.selected ^= {thread}
        else:
            open_conversation(self.device, address)

    def on_back(self) -> bool:
        if self.selected:
            self.selected.clear()
            return True
        return False

    def confirm_delete(self) -> None:
        n = len(self.selected)
        self.show(lambda ui: ui.dialog(f"Delete {n} conversation{'s' if n > 1 else ''}?", "",
                                       [("Cancel", self.dismiss), ("Delete", self.delete)]))  # fmt: skip

    def delete(self) -> None:
        with open_db(self.device.fs, stores.SMS_DB, stores.SMS_SCHEMA) as conn:
            for thread in self.selected:
                conn.execute("DELETE FROM sms WHERE thread_id = ?", (thread,))
                conn.execute("DELETE FROM threads WHERE _id = ?", (thread,))
        self.selected.clear()
        self.dismiss()


class NewConversationActivity(Activity):
    cls = ".ui.conversation.NewConversationActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        bar, rest = ui.app_bar("New conversation")
        root.add(bar)
        x0, top, x1, bottom = rest
        root.add(ui.edit((x0 + dp(16), top, x1 - dp(16), top + dp(56)), "to", "Type names, phone numbers",
                         rid="recipient_text_view"))  # fmt: skip
        needle = self.fields.get("to", "").strip()
        people = all_contacts(self.app, needle if not needle[:1].isdigit() and needle[:1] != "+" else "")
        rows = [(dp(72), lambda r, p=p: ui.row(r, p["display_name"], p["phone"], lambda n=p["phone"]: self.pick(n),
                                                rid="contact_picker_item", lead=ui.avatar((0, 0, 0, 0),
                                                p["display_name"]))) for p in people if p["phone"]]  # fmt: skip
        if needle and any(c.isdigit() for c in needle):
            rows.insert(0, (dp(72), lambda r: ui.row(r, f"Send to {needle}", "", lambda: self.pick(needle))))
        root.add(ui.list((x0, top + dp(68), x1, bottom), "people", rows))
        return root

    def on_submit(self, key: str) -> bool:
        needle = self.fields.get("to", "").strip()
        if needle:
            people = [p for p in all_contacts(self.app, needle) if p["phone"]]
            self.pick(people[0]["phone"] if people else needle)
        return True

    def pick(self, address: str) -> None:
        self.finish()
        open_conversation(self.device, address)


class ConversationActivity(Activity):
    cls = ".ui.conversation.ConversationActivity"

    def __init__(self, app: App, device: DeviceView, extras: dict[str, Any] | None = None) -> None:
        super().__init__(app, device, extras)
        self.fields["compose"] = str(self.extras.get("sms_body", ""))
        self.scroll["messages"] = 10**9  # start at the newest message

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        address = str(self.extras.get("address", ""))
        root = ui.screen()
        bar, rest = ui.app_bar(name_for_number(self.app, address))
        root.add(bar)
        x0, top, x1, bottom = rest
        msgs = query(self.device.fs, stores.SMS_DB, "SELECT * FROM sms WHERE address = ? ORDER BY date, _id",
                     (address,), stores.SMS_SCHEMA)  # fmt: skip
        width = int((x1 - x0) * 0.72)
        rows = []
        for m in msgs:
            lines = theme.wrap(m["body"], dp(16), width - dp(32))
            h = len(lines) * int(dp(16) * 1.3) + dp(40)
            rows.append((h, lambda r, m=m: self._bubble(ui, r, m, width)))
        root.add(ui.list((x0, top, x1, bottom - dp(80)), "messages", rows, rid="messages_list"))
        root.add(ui.edit((x0 + dp(12), bottom - dp(70), x1 - dp(84), bottom - dp(12)), "compose", "Text message",
                         rid="compose_message_text"))  # fmt: skip
        send = ui.icon_button((x1 - dp(72), bottom - dp(70), x1 - dp(12), bottom - dp(12)), "➤", "Send SMS",
                              self.send, rid="send_message_button_icon", color=theme.PRIMARY)  # fmt: skip
        return root.add(send)

    def _bubble(self, ui: Ui, r: Rect, m: Any, width: int) -> Node:
        dp = ui.dp
        sent = m["type"] == 2
        left = r[2] - dp(12) - width if sent else r[0] + dp(12)
        rect = (left, r[1] + dp(6), left + width, r[3] - dp(6))
        return Node("android.widget.TextView", rect, m["body"], "message_text", bg=theme.PRIMARY_LIGHT if sent else
                    theme.SURFACE, size=dp(16), wrap=True, pad=dp(14), radius=dp(18))  # fmt: skip

    def send(self) -> None:
        body = self.fields.get("compose", "")
        if not body.strip():
            return
        address = str(self.extras.get("address", ""))
        with open_db(self.device.fs, stores.SMS_DB, stores.SMS_SCHEMA) as conn:
            stores.add_sms(conn, address, body, 2, int(self.device.clock.now() * 1000))
        self.fields["compose"] = ""
        self.scroll["messages"] = 10**9

    def on_submit(self, key: str) -> bool:
        return True


class MessagesApp(App):
    package = PKG
    label = "Messages"
    glyph = "✉"
    color = (26, 115, 232)
    activities = (ConversationListActivity, NewConversationActivity, ConversationActivity)

    def resolve_view(self, data: str) -> tuple[type[Activity], dict[str, Any]] | None:
        """``sms:NUMBER`` / ``smsto:NUMBER`` opens that conversation."""
        for scheme in ("sms:", "smsto:"):
            if data.startswith(scheme):
                return ConversationActivity, {"address": data[len(scheme) :].split("?")[0]}
        return None

    def seed(self, rng: random.Random) -> None:
        people = seed.contacts(random.Random(f"{self.device.seed}:com.android.contacts"))
        now_ms = int(self.device.clock.start * 1000)
        fs = self.device.fs
        if fs.exists(stores.SMS_DB):
            fs.remove(stores.SMS_DB)
        with open_db(fs, stores.SMS_DB, stores.SMS_SCHEMA) as conn:
            for i, (_name, phone, _email) in enumerate(rng.sample(people, 5)):
                t = now_ms - (i + 1) * rng.randint(3600, 86400) * 1000
                for j in range(rng.randint(1, 4)):
                    kind = 1 if j % 2 == 0 else 2
                    text = rng.choice(seed.MESSAGES if kind == 1 else seed.REPLIES)
                    stores.add_sms(conn, phone, text, kind, t + j * 60_000, read=int(i > 0 or kind == 2))
