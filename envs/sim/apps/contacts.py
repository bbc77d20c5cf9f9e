"""Contacts (com.android.contacts): list, details, create, edit, delete - all in ``contacts2.db``."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .. import seed, stores
from ..db import execute, open_db, query
from ..ui import theme
from ..ui.node import Node
from .base import Activity, App
from .contacts_provider import all_contacts

if TYPE_CHECKING:
    from ..ui.widgets import Ui

PKG = "com.android.contacts"


def contact(app: App, contact_id: int):
    rows = query(app.device.fs, stores.CONTACTS_DB, "SELECT * FROM contacts WHERE _id = ?", (contact_id,),
                 stores.CONTACTS_SCHEMA)  # fmt: skip
    return rows[0] if rows else None


class PeopleActivity(Activity):
    cls = ".activities.PeopleActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        bar, rest = ui.app_bar("Contacts", back=False)
        root.add(bar)
        x0, top, x1, bottom = rest
        root.add(ui.edit((x0 + dp(16), top, x1 - dp(16), top + dp(52)), "search", "Search contacts",
                         rid="search_view"))  # fmt: skip
        people = all_contacts(self.app, self.fields.get("search", ""))
        rows = [(dp(72), lambda r, p=p: ui.row(r, p["display_name"], "", lambda i=p["_id"]: self.open(i),
                                                rid="contact_item", lead=ui.avatar((0, 0, 0, 0), p["display_name"]),
                                                title_rid="cliv_name_textview")) for p in people]  # fmt: skip
        root.add(ui.list((x0, top + dp(64), x1, bottom), "contacts", rows))
        if not people:
            root.add(ui.text((x0, top + dp(120), x1, top + dp(160)), "No contacts", 16, theme.SUBTLE, align="center"))
        return root.add(ui.fab("+", "Create contact", lambda: self.start(ContactEditorActivity),
                               rid="floating_action_button"))  # fmt: skip

    def open(self, contact_id: int) -> None:
        self.start(QuickContactActivity, contact_id=contact_id)


class QuickContactActivity(Activity):
    cls = ".quickcontact.QuickContactActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        row = contact(self.app, int(self.extras.get("contact_id", 0)))
        if row is None:
            self.device.wm.toast("Contact not found")
            self.finish()
            return root
        bar, rest = ui.app_bar("", actions=[("✎", "Edit", self.edit), ("✕", "Delete", self.confirm_delete),
                                            ("☆" if not row["starred"] else "★", "Favorite", self.star)])  # fmt: skip
        root.add(bar)
        x0, top, x1, _ = rest
        cx = (x0 + x1) // 2
        root.add(ui.avatar((cx - dp(48), top + dp(16), cx + dp(48), top + dp(112)), row["display_name"]))
        root.add(ui.text((x0, top + dp(124), x1, top + dp(168)), row["display_name"], 26, align="center",
                         rid="large_title"))  # fmt: skip
        y = top + dp(190)
        for label, value, rid in (("Phone", row["phone"], "header"), ("Email", row["email"], "email")):
            if value:
                root.add(ui.row((x0, y, x1, y + dp(76)), value, label, rid=rid, title_rid=rid + "_text"))
                y += dp(76)
        if row["phone"]:
            root.add(ui.button((x0 + dp(24), y + dp(16), cx - dp(8), y + dp(64)), "Message", self.message,
                               rid="message_button"))  # fmt: skip
        return root

    def edit(self) -> None:
        self.start(ContactEditorActivity, contact_id=self.extras["contact_id"])

    def star(self) -> None:
        execute(self.device.fs, stores.CONTACTS_DB, "UPDATE contacts SET starred = 1 - starred WHERE _id = ?",
                (self.extras["contact_id"],), stores.CONTACTS_SCHEMA)  # fmt: skip

    def message(self) -> None:
        row = contact(self.app, int(self.extras["contact_id"]))
        self.start_intent("android.intent.action.SENDTO", "smsto:" + row["phone"])

    def confirm_delete(self) -> None:
        self.show(lambda ui: ui.dialog("Delete this contact?", "This contact will be removed from your phone.",
                                       [("Cancel", self.dismiss), ("Delete", self.delete)]))  # fmt: skip

    def delete(self) -> None:
        execute(self.device.fs, stores.CONTACTS_DB, "DELETE FROM contacts WHERE _id = ?", (self.extras["contact_id"],),
                stores.CONTACTS_SCHEMA)  # fmt: skip
        self.dismiss()
        self.finish()
        self.toast("Contact deleted")


class ContactEditorActivity(Activity):
    cls = ".activities.ContactEditorActivity"
    actions = ("android.intent.action.INSERT",)

    def __init__(self, app: App, device, extras=None) -> None:
        super().__init__(app, device, extras)
        row = contact(app, int(self.extras["contact_id"])) if "contact_id" in self.extras else None
        if row is not None:
            self.fields.update(name=row["display_name"], phone=row["phone"] or "", email=row["email"] or "")
        for key in ("name", "phone", "email"):
            if key in self.extras:
                self.fields[key] = str(self.extras[key])

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        root = ui.screen()
        title = "Edit contact" if "contact_id" in self.extras else "Create contact"
        bar, rest = ui.app_bar(title, actions=[("✓", "Save", self.save)])
        root.add(bar)
        x0, y, x1, _ = rest
        for key, hint in (("name", "Name"), ("phone", "Phone"), ("email", "Email")):
            y += dp(16)
            root.add(ui.edit((x0 + dp(24), y, x1 - dp(24), y + dp(60)), key, hint, rid=f"{key}_field"))
            y += dp(60)
        root.add(ui.button((x1 - dp(140), y + dp(24), x1 - dp(24), y + dp(72)), "Save", self.save, rid="save"))
        return root

    def save(self) -> None:
        name = self.fields.get("name", "").strip()
        if not name:
            self.toast("Name is required")
            return
        phone, email = self.fields.get("phone", "").strip(), self.fields.get("email", "").strip()
        fs = self.device.fs
        if "contact_id" in self.extras:
            execute(fs, stores.CONTACTS_DB, "UPDATE contacts SET display_name = ?, phone = ?, email = ? WHERE _id = ?",
                    (name, phone, email, self.extras["contact_id"]), stores.CONTACTS_SCHEMA)  # fmt: skip
        else:
            execute(fs, stores.CONTACTS_DB, "INSERT INTO contacts (display_name, phone, email) VALUES (?, ?, ?)",
                    (name, phone, email), stores.CONTACTS_SCHEMA)  # fmt: skip
        self.finish()
        self.toast("Contact saved")


class ContactsApp(App):
    package = PKG
    label = "Contacts"
    glyph = "☺"
    color = (26, 115, 232)
    activities = (PeopleActivity, QuickContactActivity, ContactEditorActivity)

    def seed(self, rng: random.Random) -> None:
        with open_db(self.device.fs, stores.CONTACTS_DB, stores.CONTACTS_SCHEMA) as conn:
            for name, phone, email in seed.contacts(rng):
                conn.execute("INSERT INTO contacts (display_name, phone, email) VALUES (?, ?, ?)", (name, phone, email))
