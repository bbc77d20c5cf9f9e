"""The contacts provider's queries, for any app that shows people (as apps query ``ContactsContract``):
Messages names its threads by them without importing the Contacts app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import stores
from ..db import query

if TYPE_CHECKING:
    from .base import App


def all_contacts(app: App, needle: str = "") -> list:
    return query(app.device.fs, stores.CONTACTS_DB, "SELECT * FROM contacts WHERE display_name LIKE ? "
                 "ORDER BY display_name COLLATE NOCASE", (f"%{needle}%",), stores.CONTACTS_SCHEMA)  # fmt: skip


def name_for_number(app: App, number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())[-10:]
    for row in all_contacts(app):
        if digits and "".join(c for c in row["phone"] or "" if c.isdigit())[-10:] == digits:
            return row["display_name"]
    return number
