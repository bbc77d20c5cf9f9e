"""Widget builders: each returns a ``Node`` placed at explicit pixel bounds.

``Ui`` is handed to ``Activity.build``; it knows the content rectangle, converts dp to pixels for the
device's density, and binds text fields, scroll offsets and focus to the activity's state, so screens are
plain functions of app state.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from . import theme
from .node import Node, Rect

Action = Callable[[], None]
Row = tuple[int, Callable[[Rect], Node]]


class Host(Protocol):
    """The activity a ``Ui`` builds for (``apps.base.Activity``): its field texts, scroll offsets, ``finish``.
    Widgets name no app type, so apps can import them and they never import apps."""

    fields: dict[str, str]
    scroll: dict[str, int]

    def finish(self) -> None: ...


class Focus(Protocol):
    """The window manager's input focus; the activity is handed back to it as it came."""

    def focus_on(self, activity: Any, key: str, multiline: bool = False) -> None: ...

    def is_focused(self, activity: Any, key: str) -> bool: ...


class Screen(Protocol):
    """What widgets use of the phone (``apps.base.DeviceView`` is one): its density, size and focus."""

    @property
    def wm(self) -> Focus: ...

    def dp(self, v: float) -> int: ...

    def display_size(self) -> tuple[int, int]: ...


def avatar_color(name: str) -> tuple[int, int, int]:
    return theme.APP_COLORS[zlib.crc32(name.encode()) % len(theme.APP_COLORS)]


class Ui:
    """Build context for one activity's content area ``rect``."""

    def __init__(self, device: Screen, activity: Host, rect: Rect) -> None:
        self.device = device
        self.activity = activity
        self.rect = rect

    def dp(self, v: float) -> int:
        return self.device.dp(v)

    @property
    def width(self) -> int:
        return self.rect[2] - self.rect[0]

    def screen(self, bg: tuple[int, int, int] = theme.WHITE) -> Node:
        return Node(bounds=self.rect, bg=bg)

    # ---------------------------------------------------------------- basic views

    def text(self, rect: Rect, s: str, size: float = 16, color=theme.TEXT, bold=False, align="left",
             rid="", wrap=False, pad: float = 0, desc="") -> Node:  # fmt: skip
        return Node("android.widget.TextView", rect, s, rid, desc, size=self.dp(size), fg=color, bold=bold,
                    align=align, wrap=wrap, pad=self.dp(pad))  # fmt: skip

    def button(self, rect: Rect, label: str, on_tap: Action, rid="", primary=True, enabled=True) -> Node:
        bg = (theme.PRIMARY if enabled else theme.DIVIDER) if primary else theme.WHITE
        fg = theme.WHITE if primary else theme.PRIMARY
        return Node("android.widget.Button", rect, label, rid, clickable=enabled, focusable=True, enabled=enabled,
                    bg=bg, fg=fg, size=self.dp(15), bold=True, align="center", radius=(rect[3] - rect[1]) // 2,
                    border=None if primary else theme.DIVIDER, on_tap=on_tap if enabled else None)  # fmt: skip

    def icon_button(self, rect: Rect, glyph: str, desc: str, on_tap: Action, rid="", color=theme.TEXT) -> Node:
        return Node("android.widget.ImageButton", rect, "", rid, desc, clickable=True, focusable=True, icon=glyph,
                    fg=color, size=self.dp(22), on_tap=on_tap)  # fmt: skip

    def avatar(self, rect: Rect, name: str) -> Node:
        letter = (name.strip()[:1] or "?").upper()
        return Node("android.widget.ImageView", rect, bg=avatar_color(name), fg=theme.WHITE, icon=letter,
                    radius=(rect[3] - rect[1]) // 2, size=self.dp(18))  # fmt: skip

    # ---------------------------------------------------------------- bars

    def app_bar(self, title: str, back: bool = True, actions: Sequence[tuple[str, str, Action]] = (),
                color=theme.WHITE, up: tuple[str, str, Action] | None = None) -> tuple[Node, Rect]:  # fmt: skip
        """A top app bar with an optional Navigate-up arrow and action icons; returns it and the rest.
        ``up`` replaces the arrow by another (glyph, description, action), e.g. a selection's close button."""
        left, top, right, bottom = self.rect
        h = self.dp(64)
        bar = Node("android.view.ViewGroup", (left, top, right, top + h), rid="toolbar", bg=color)
        x = left + self.dp(16)
        if back or up is not None:
            glyph, desc, fn = up or ("←", "Navigate up", self.activity.finish)
            bar.add(self.icon_button((left, top, left + h, top + h), glyph, desc, fn))
            x = left + h + self.dp(8)
        ax = right
        for glyph, desc, fn in reversed(actions):
            bar.add(self.icon_button((ax - h, top, ax, top + h), glyph, desc, fn))
            ax -= h
        bar.add(self.text((x, top, ax, top + h), title, 22, rid="title"))
        return bar, (left, top + h, right, bottom)

    def fab(self, glyph: str, desc: str, on_tap: Action, rid="fab") -> Node:
        s, m = self.dp(56), self.dp(16)
        right, bottom = self.rect[2] - m, self.rect[3] - m
        return Node("android.widget.ImageButton", (right - s, bottom - s, right, bottom), "", rid, desc,
                    clickable=True, focusable=True, bg=theme.PRIMARY_LIGHT, fg=theme.TEXT, icon=glyph,
                    size=self.dp(26), radius=self.dp(16), on_tap=on_tap)  # fmt: skip

    # ---------------------------------------------------------------- inputs

    def edit(self, rect: Rect, key: str, hint: str = "", rid: str = "", password: bool = False,
             multiline: bool = False, size: float = 17, outlined: bool = True) -> Node:  # fmt: skip
        """A text field bound to ``activity.fields[key]``; a tap focuses it and shows the keyboard."""
        act, wm = self.activity, self.device.wm
        value = act.fields.get(key, "")
        focused = wm.is_focused(act, key)
        shown = ("•" * len(value) if password else value) + ("|" if focused else "")
        node = Node("android.widget.EditText", rect, value or hint, rid or key, clickable=True, focusable=True,
                    long_clickable=True, focused=focused, password=password, size=self.dp(size), wrap=multiline,
                    pad=self.dp(14), fg=theme.TEXT if value or focused else theme.HINT, radius=self.dp(6),
                    bg=theme.WHITE if outlined else None, border=(theme.PRIMARY if focused else theme.HINT)
                    if outlined else None, draw_text=shown if value or focused else hint,
                    on_tap=lambda: wm.focus_on(act, key, multiline))  # fmt: skip
        if multiline and not focused and not value:
            node.wrap = False
        return node

    def switch(self, rect: Rect, on: bool, on_tap: Action, rid: str = "", desc: str = "") -> Node:
        def paint(draw: Any, box: Rect) -> None:
            _, y0, x1, y1 = box
            cy, w, h = (y0 + y1) // 2, self.dp(52), self.dp(32)
            tx = x1 - w - self.dp(4)
            track = theme.PRIMARY if on else theme.DIVIDER
            draw.rounded_rectangle((tx, cy - h // 2, tx + w, cy + h // 2), h // 2, fill=track)
            r = h // 2 - self.dp(4)
            cx = tx + w - h // 2 if on else tx + h // 2
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=theme.WHITE)

        paint.key = ("switch", on)  # type: ignore[attr-defined]
        return Node("android.widget.Switch", rect, "ON" if on else "OFF", rid, desc, clickable=True, focusable=True,
                    checkable=True, checked=on, paint=paint, on_tap=on_tap)  # fmt: skip

    def slider(self, rect: Rect, frac: float, on_set: Callable[[float], None], rid: str = "", desc="") -> Node:
        """A SeekBar; a tap or a drag ending at x sets the value to x's fraction of the track."""
        pad = self.dp(16)

        def paint(draw: Any, box: Rect) -> None:
            x0, y0, x1, y1 = box
            cy, t = (y0 + y1) // 2, self.dp(4)
            xv = x0 + pad + int((x1 - x0 - 2 * pad) * frac)
            draw.rounded_rectangle((x0 + pad, cy - t, x1 - pad, cy + t), t, fill=theme.DIVIDER)
            draw.rounded_rectangle((x0 + pad, cy - t, xv, cy + t), t, fill=theme.PRIMARY)
            r = self.dp(10)
            draw.ellipse((xv - r, cy - r, xv + r, cy + r), fill=theme.PRIMARY)

        def at(x: int, _y: int) -> None:
            span = max(1, rect[2] - rect[0] - 2 * pad)
            on_set(min(1.0, max(0.0, (x - rect[0] - pad) / span)))

        paint.key = ("slider", round(frac, 4))  # type: ignore[attr-defined]
        return Node("android.widget.SeekBar", rect, f"{round(frac * 100)}%", rid, desc, clickable=True,
                    focusable=True, paint=paint, on_tap_at=at)  # fmt: skip

    # ---------------------------------------------------------------- lists and rows

    def list(self, rect: Rect, key: str, rows: Sequence[Row], rid: str = "list") -> Node:
        """A vertically scrolling list: only rows in view are built; a swipe changes ``scroll[key]``."""
        total = sum(h for h, _ in rows)
        view_h = rect[3] - rect[1]
        offset = max(0, min(self.activity.scroll.get(key, 0), total - view_h))
        self.activity.scroll[key] = offset
        node = Node("androidx.recyclerview.widget.RecyclerView", rect, rid=rid, clip=True,
                    scrollable=total > view_h, scroll_key=key)  # fmt: skip
        y = rect[1] - offset
        for h, make in rows:
            if y + h > rect[1] and y < rect[3]:
                node.add(make((rect[0], y, rect[2], y + h)))
            y += h
        return node

    def row(self, rect: Rect, title: str, subtitle: str = "", on_tap: Action | None = None, rid: str = "",
            lead: Node | None = None, trail: Node | None = None, title_rid: str = "title") -> Node:  # fmt: skip
        """A list item: optional leading view, a title, an optional subtitle, an optional trailing view."""
        left, top, right, bottom = rect
        node = Node("android.widget.LinearLayout", rect, rid=rid, clickable=on_tap is not None,
                    focusable=on_tap is not None, on_tap=on_tap)  # fmt: skip
        x = left + self.dp(16)
        if lead is not None:
            s = min(self.dp(40), bottom - top)
            cy = (top + bottom) // 2
            lead.bounds = (x, cy - s // 2, x + s, cy + s // 2)
            if lead.bg is not None:  # avatars are built before their size is known: keep them round
                lead.radius = s // 2
            node.add(lead)
            x += s + self.dp(16)
        tx1 = right - self.dp(16)
        if trail is not None:
            tw = trail.bounds[2] - trail.bounds[0] or self.dp(72)
            trail.bounds = (right - self.dp(8) - tw, top, right - self.dp(8), bottom)
            node.add(trail)
            tx1 = trail.bounds[0] - self.dp(8)
        mid = (top + bottom) // 2
        if subtitle:
            node.add(self.text((x, top + self.dp(10), tx1, mid + self.dp(2)), title, 17, rid=title_rid))
            node.add(self.text((x, mid + self.dp(2), tx1, bottom - self.dp(10)), subtitle, 14, theme.SUBTLE,
                               rid="summary"))  # fmt: skip
        else:
            node.add(self.text((x, top, tx1, bottom), title, 17, rid=title_rid))
        return node

    # ---------------------------------------------------------------- overlays

    def dialog(self, title: str, message: str = "", buttons: Sequence[tuple[str, Action]] = (),
               body: Callable[[Rect], list[Node]] | None = None, body_h: float = 0) -> Node:  # fmt: skip
        """A modal AlertDialog over a scrim; ``body`` adds views (e.g. text fields) below the message."""
        w, h = self.device.display_size()
        m = self.dp(28)
        msg_lines = theme.wrap(message, self.dp(15), w - 4 * m) if message else []
        card_h = self.dp(72) + len(msg_lines) * int(self.dp(15) * 1.3) + self.dp(body_h) + self.dp(72)
        top = (h - card_h) // 2
        card = Node("android.widget.FrameLayout", (m, top, w - m, top + card_h), rid="parentPanel",
                    bg=theme.WHITE, radius=self.dp(28))  # fmt: skip
        y = top + self.dp(24)
        card.add(self.text((2 * m, y, w - 2 * m, y + self.dp(32)), title, 22, rid="alertTitle"))
        y += self.dp(44)
        if msg_lines:
            mh = len(msg_lines) * int(self.dp(15) * 1.3)
            card.add(self.text((2 * m, y, w - 2 * m, y + mh), message, 15, theme.SUBTLE, rid="message", wrap=True))
            y += mh
        if body is not None:
            card.add(*body((2 * m, y, w - 2 * m, y + self.dp(body_h))))
        bx = w - 2 * m
        for i, (label, fn) in enumerate(reversed(buttons)):
            bw = theme.text_width(label, self.dp(15), True) + self.dp(32)
            brect = (bx - bw, top + card_h - self.dp(60), bx, top + card_h - self.dp(16))
            card.add(Node("android.widget.Button", brect, label, f"button{i + 1}", clickable=True, focusable=True,
                          fg=theme.PRIMARY, size=self.dp(15), bold=True, align="center", on_tap=fn))  # fmt: skip
            bx -= bw + self.dp(8)
        scrim = Node("android.widget.FrameLayout", (0, 0, w, h), bg=theme.SCRIM, clickable=True, on_tap=lambda: None)
        return scrim.add(card)
