"""Maps (com.google.android.apps.maps): a drawn map, a search box, results, place pages, directions.

Searches are recorded in ``gmm_storage.db`` (``search_history``), saved places in ``starred_places``.
A query matches places by name, category and tags ("pizza" -> pizzerias; "coffee near me" -> cafes);
places are seeded per device seed. ``am start -a android.intent.action.VIEW -d "geo:0,0?q=pizza"``
opens the results for a query.
"""

from __future__ import annotations

import random
import re
import urllib.parse
import zlib
from typing import TYPE_CHECKING, Any

from .. import seed, stores
from ..db import execute
from ..ui import theme
from ..ui.node import Node, Rect
from .base import Activity, App

if TYPE_CHECKING:
    from ..ui.widgets import Ui

STOP = {"near", "me", "nearby", "the", "a", "an", "in", "around", "best", "find", "open", "now", "closest"}
CHIPS = (("Restaurants", "restaurants"), ("Coffee", "coffee"), ("Gas", "gas"), ("Groceries", "groceries"))


def _words(q: str) -> list[str]:
    out = []
    for w in re.findall(r"[\w']+", q.lower()):
        if w not in STOP:
            out.append(w[:-1] if w.endswith("s") and len(w) > 3 else w)
    return out


def search(places: list[seed.Place], q: str) -> list[seed.Place]:
    """Places matching the most query words, nearest first."""
    words = _words(q)
    scored = []
    for p in places:
        hay = {t.rstrip("s") for t in p.tags} | set(_words(p.name)) | set(_words(p.category))
        score = sum(1 for w in words if w in hay)
        if score:
            scored.append((score, p))
    best = max((s for s, _ in scored), default=0)
    return sorted((p for s, p in scored if s == best), key=lambda p: p.distance_mi)


def _paint_map(pins: list[tuple[float, float]]) -> Any:
    def paint(draw: Any, box: Rect) -> None:
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        draw.rectangle(box, fill=(232, 234, 237))
        draw.rectangle((x0 + w * 0.55, y0 + h * 0.15, x0 + w * 0.85, y0 + h * 0.35), fill=(197, 232, 197))
        draw.polygon(
            [(x0, y0 + h * 0.7), (x0 + w * 0.3, y0 + h * 0.8), (x0 + w * 0.25, y1), (x0, y1)], fill=(170, 210, 245)
        )
        for i in range(1, 6):
            draw.line((x0, y0 + h * i / 6, x1, y0 + h * i / 6), fill=theme.WHITE, width=max(4, w // 90))
            draw.line((x0 + w * i / 6, y0, x0 + w * i / 6, y1), fill=theme.WHITE, width=max(4, w // 90))
        for fx, fy in pins:
            cx, cy, r = x0 + w * fx, y0 + h * fy, max(10, w // 40)
            draw.ellipse((cx - r, cy - 2 * r, cx + r, cy), fill=theme.DANGER)

    paint.key = ("map", tuple(pins))  # type: ignore[attr-defined]
    return paint


class MapsActivity(Activity):
    cls = "com.google.android.maps.MapsActivity"

    @property
    def maps(self) -> MapsApp:
        return self.app  # type: ignore[return-value]

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        x0, top, x1, bottom = ui.rect
        query = str(self.extras.get("query", ""))
        results = search(self.maps.places, query) if query else []
        pins = [
            (zlib.crc32(p.name.encode()) % 97 / 97 * 0.8 + 0.1, zlib.crc32(p.address.encode()) % 89 / 89 * 0.5 + 0.15)
            for p in results
        ]
        root = Node(bounds=ui.rect)
        root.add(Node("android.view.View", ui.rect, rid="map_frame", desc="Google Map", paint=_paint_map(pins)))
        field = ui.edit(
            (x0 + dp(16), top + dp(12), x1 - dp(16), top + dp(68)),
            "search",
            "Search here",
            rid="search_omnibox_text_box",
        )
        field.radius = dp(28)
        root.add(field)
        cx = x0 + dp(16)
        for label, q in CHIPS:
            cw = theme.text_width(label, dp(14)) + dp(32)
            root.add(
                Node(
                    "android.widget.Button",
                    (cx, top + dp(80), cx + cw, top + dp(116)),
                    label,
                    "chip",
                    label,
                    clickable=True,
                    bg=theme.WHITE,
                    border=theme.DIVIDER,
                    size=dp(14),
                    align="center",
                    radius=dp(18),
                    on_tap=lambda q=q: self.search(q),
                )
            )
            cx += cw + dp(8)
        if query:
            root.add(self._sheet(ui, (x0, top + (bottom - top) // 2, x1, bottom), query, results))
        return root

    def _sheet(self, ui: Ui, rect: Rect, query: str, results: list[seed.Place]) -> Node:
        dp = ui.dp
        x0, top, x1, bottom = rect
        sheet = Node(bounds=rect, rid="bottom_sheet", bg=theme.WHITE, radius=dp(16))
        title = f"Results for “{query}”" if results else f"No results for “{query}”"
        sheet.add(ui.text((x0 + dp(20), top + dp(8), x1, top + dp(56)), title, 18, bold=True, rid="header"))
        rows = [(dp(96), lambda r, p=p: self._result(ui, r, p)) for p in results]
        return sheet.add(ui.list((x0, top + dp(60), x1, bottom), "results", rows, rid="search_list_layout"))

    def _result(self, ui: Ui, r: Rect, p: seed.Place) -> Node:
        row = ui.row(
            r,
            p.name,
            f"{p.rating} ★ ({p.reviews}) · {p.category} · {p.distance_mi} mi · {p.address}",
            lambda: self.start(PlaceActivity, place=p.name),
            rid="search_result",
            title_rid="title",
        )
        return row

    def search(self, q: str) -> None:
        q = q.strip()
        if not q:
            return
        execute(
            self.device.fs,
            stores.MAPS_DB,
            "INSERT INTO search_history (query, timestamp) VALUES (?, ?)",
            (q, int(self.device.clock.now() * 1000)),
            stores.MAPS_SCHEMA,
        )
        self.extras["query"] = q
        self.fields["search"] = q
        self.scroll.pop("results", None)
        self.device.wm.unfocus()

    def on_submit(self, key: str) -> bool:
        self.search(self.fields.get("search", ""))
        return True

    def on_back(self) -> bool:
        if self.extras.get("query"):
            self.extras.pop("query")
            self.fields.pop("search", None)
            return True
        return False


class PlaceActivity(Activity):
    cls = "com.google.android.maps.PlaceActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        app: MapsApp = self.app  # type: ignore[assignment]
        place = next((p for p in app.places if p.name == self.extras.get("place")), None)
        root = ui.screen()
        bar, rest = ui.app_bar(place.name if place else "Place")
        root.add(bar)
        if place is None:
            return root
        x0, y, x1, _ = rest
        lines = [
            (f"{place.rating} ★ ({place.reviews} reviews)", "rating"),
            (place.category, "category"),
            (f"{place.distance_mi} mi away", "distance"),
            (place.address, "address"),
            (place.hours, "hours"),
            (place.phone, "phone"),
        ]
        for text, rid in lines:
            root.add(ui.text((x0 + dp(24), y, x1 - dp(24), y + dp(44)), text, 16, rid=rid))
            y += dp(44)
        bw = (x1 - x0 - dp(64)) // 3
        for i, (label, fn) in enumerate((("Directions", self.directions), ("Save", self.save), ("Call", self.call))):
            bx = x0 + dp(24) + i * (bw + dp(8))
            root.add(ui.button((bx, y + dp(16), bx + bw, y + dp(64)), label, fn, rid=label.lower(), primary=i == 0))
        return root

    def directions(self) -> None:
        self.start(DirectionsActivity, place=self.extras.get("place"))

    def save(self) -> None:
        app: MapsApp = self.app  # type: ignore[assignment]
        place = next(p for p in app.places if p.name == self.extras.get("place"))
        execute(
            self.device.fs,
            stores.MAPS_DB,
            "INSERT INTO starred_places (name, address, timestamp) VALUES (?, ?, ?)",
            (place.name, place.address, int(self.device.clock.now() * 1000)),
            stores.MAPS_SCHEMA,
        )
        self.toast("Saved to Starred places")

    def call(self) -> None:
        self.toast("Calling is not available on this device")


class DirectionsActivity(Activity):
    cls = "com.google.android.maps.DirectionsActivity"

    def build(self, ui: Ui) -> Node:
        dp = ui.dp
        app: MapsApp = self.app  # type: ignore[assignment]
        place = next((p for p in app.places if p.name == self.extras.get("place")), None)
        root = ui.screen()
        bar, rest = ui.app_bar("Directions")
        root.add(bar)
        if place is None:
            return root
        x0, y, x1, _ = rest
        minutes = max(2, round(place.distance_mi * 5))
        root.add(ui.text((x0 + dp(24), y, x1, y + dp(48)), f"Your location → {place.name}", 17, rid="route"))
        root.add(
            ui.text(
                (x0 + dp(24), y + dp(48), x1, y + dp(100)),
                f"{minutes} min ({place.distance_mi} mi)",
                26,
                theme.PRIMARY,
                bold=True,
                rid="duration",
            )
        )
        root.add(
            ui.button(
                (x0 + dp(24), y + dp(120), x0 + dp(184), y + dp(168)),
                "Start",
                lambda: self.toast("Navigation started"),
                rid="start",
            )
        )
        return root


class MapsApp(App):
    package = "com.google.android.apps.maps"
    label = "Maps"
    glyph = "➤"
    color = (52, 168, 83)
    activities = (MapsActivity, PlaceActivity, DirectionsActivity)

    def __init__(self, device) -> None:
        super().__init__(device)
        self.places: list[seed.Place] = []

    def seed(self, rng: random.Random) -> None:
        self.places = seed.places(rng)

    def resolve_view(self, data: str) -> tuple[type[Activity], dict[str, Any]] | None:
        """``geo:lat,lng?q=QUERY`` (or a maps.google.com URL with ``q=``) opens the results for QUERY."""
        if not (data.startswith("geo:") or "maps.google." in data):
            return None
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(data).query).get("q", [""])[0]
        if data.startswith("geo:") and "?" in data:
            q = urllib.parse.parse_qs(data.split("?", 1)[1]).get("q", [""])[0]
        return MapsActivity, ({"query": q} if q else {})
