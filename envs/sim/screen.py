"""Compose the whole screen: status bar, the top activity (or recents), dialog, keyboard, nav bar, toast.

The content area shrinks by the keyboard's height while it shows (``adjustResize``), so a focused field
stays visible. A screen that is off is one black view (``screencap`` of an off display is black).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import keyboard
from .keyguard import lockscreen
from .ui import theme
from .ui.node import Node, Rect
from .ui.widgets import Ui
from .wm import LAUNCHER

if TYPE_CHECKING:
    from .ports import Phone

SYSTEMUI = "com.android.systemui"


def own(node: Node, package: str) -> Node:
    """Give every view without a package ``package``."""
    for n in node.walk():
        n.package = n.package or package
    return node


def build_frame(device: Phone) -> Node:
    w, h = device.display_size()
    root = Node(bounds=(0, 0, w, h), package=SYSTEMUI)
    if not device.awake:
        root.bg = theme.BLACK
        return root
    sb_h, nav_h = device.dp(24), device.dp(48)
    if device.locked:
        return root.add(own(lockscreen(device, (0, 0, w, h)), SYSTEMUI))  # the keyguard covers everything
    wm = device.wm
    kb_h = keyboard.height(device) if wm.ime_shown and wm.focus is not None else 0
    content: Rect = (0, sb_h, w, h - nav_h - kb_h)
    top = wm.top
    root.package = top.package
    if wm.recents:
        root.add(own(recents(device, content), LAUNCHER))
    else:
        ui = Ui(device, top, content)
        root.add(own(top.build(ui), top.package))
        if top.dialog is not None:
            root.add(own(top.dialog(ui), top.package))
    root.add(own(status_bar(device, (0, 0, w, sb_h)), SYSTEMUI))
    if wm.shade:
        root.add(own(shade(device, (0, sb_h, w, h - nav_h)), SYSTEMUI))
    if kb_h:
        root.add(keyboard.build(device, h - nav_h))
    root.add(own(nav_bar(device, (0, h - nav_h, w, h)), SYSTEMUI))
    text = wm.active_toast()
    if text:
        root.add(own(toast(device, text, h - nav_h - kb_h), top.package))
    return root


def status_bar(device: Phone, rect: Rect) -> Node:
    dp, s = device.dp, device.settings
    bar = Node(bounds=rect, rid="status_bar", bg=theme.STATUS_BAR)
    x0, t, r, b = rect
    bar.add(Node("android.widget.TextView", (x0 + dp(16), t, x0 + dp(90), b), device.clock.text(), "clock",
                 size=dp(13), bold=True))  # fmt: skip
    icons: list[tuple[str, str]] = [("100%", "Battery 100 percent.")]
    if s.on("global", "airplane_mode_on"):
        icons.append(("✈", "Airplane mode."))
    if s.on("global", "bluetooth_on"):
        icons.append(("B", "Bluetooth on."))
    if s.on("global", "wifi_on"):
        icons.append(("◥", "Wi-Fi signal full."))
    x = r - dp(12)
    for glyph, desc in icons:
        width = theme.text_width(glyph, dp(13), True) + dp(10)
        bar.add(Node("android.widget.ImageView", (x - width, t, x, b), desc=desc, icon=glyph, size=dp(13)))
        x -= width
    return bar


def nav_bar(device: Phone, rect: Rect) -> Node:
    x0, t, r, b = rect
    wm = device.wm
    bar = Node(bounds=rect, rid="navigation_bar_frame", bg=theme.STATUS_BAR)
    third = (r - x0) // 3
    for i, (glyph, desc, rid, fn) in enumerate((("◀", "Back", "back", wm.back), ("●", "Home", "home", wm.home),
                                                 ("■", "Overview", "recent_apps", wm.toggle_recents))):  # fmt: skip
        bar.add(Node("android.widget.ImageView", (x0 + i * third, t, x0 + (i + 1) * third, b), rid=rid, desc=desc,
                     clickable=True, icon=glyph, fg=theme.SUBTLE, size=device.dp(18), on_tap=fn))  # fmt: skip
    return bar


def toast(device: Phone, text: str, bottom: int) -> Node:
    dp = device.dp
    w = device.display_size()[0]
    tw = min(w - dp(48), theme.text_width(text, dp(14)) + dp(32))
    rect = ((w - tw) // 2, bottom - dp(100), (w + tw) // 2, bottom - dp(56))
    return Node("android.widget.Toast", rect, text, bg=(50, 50, 50), fg=theme.WHITE, size=dp(14), align="center",
                radius=dp(22))  # fmt: skip


def recents(device: Phone, rect: Rect) -> Node:
    dp, wm = device.dp, device.wm
    x0, t, r, b = rect
    node = Node(bounds=rect, rid="overview_panel", bg=(60, 64, 67))
    tasks = wm.recent_tasks()
    if not tasks:
        node.add(Node("android.widget.TextView", rect, "No recent items", fg=theme.WHITE, size=dp(16),
                      align="center"))  # fmt: skip
        return node
    card_h = dp(150)
    y = t + dp(24)
    for task in tasks[:6]:
        app = task.top.app
        card = Node("android.widget.FrameLayout", (x0 + dp(24), y, r - dp(24), y + card_h), rid="snapshot",
                    desc=app.label, clickable=True, bg=theme.WHITE, radius=dp(16),
                    on_tap=_open_task(device, app.package))  # fmt: skip
        card.add(Node("android.widget.ImageView", (x0 + dp(40), y + dp(16), x0 + dp(88), y + dp(64)), desc=app.label,
                      bg=app.color, fg=theme.WHITE, icon=app.glyph, radius=dp(24), size=dp(20)))  # fmt: skip
        card.add(Node("android.widget.TextView", (x0 + dp(104), y + dp(16), r - dp(100), y + dp(64)), app.label,
                      "title", size=dp(18), bold=True))  # fmt: skip
        card.add(Node("android.widget.ImageButton", (r - dp(88), y + dp(16), r - dp(40), y + dp(64)),
                      desc=f"Remove {app.label}", clickable=True, icon="✕", size=dp(18), fg=theme.SUBTLE,
                      on_tap=_remove_task(device, app.package)))  # fmt: skip
        node.add(card)
        y += card_h + dp(16)
    node.add(Node("android.widget.Button", ((x0 + r) // 2 - dp(70), b - dp(64), (x0 + r) // 2 + dp(70), b - dp(20)),
                  "Clear all", "clear_all", clickable=True, bg=theme.WHITE, radius=dp(22), size=dp(14),
                  align="center", on_tap=_clear_all(device)))  # fmt: skip
    return node


def _open_task(device: Phone, package: str) -> Any:
    return lambda: device.wm.launch(package)


def _remove_task(device: Phone, package: str) -> Any:
    return lambda: device.wm.force_stop(package)


def _clear_all(device: Phone) -> Any:
    def clear() -> None:
        for task in device.wm.recent_tasks():
            device.wm.force_stop(task.package)
        device.wm.home()

    return clear


def shade(device: Phone, rect: Rect) -> Node:
    """Quick settings: Wi-Fi, Bluetooth, airplane mode tiles and brightness, backed by ``settings``."""
    from .apps.settings import set_airplane, set_brightness, toggle_global

    dp, s = device.dp, device.settings
    x0, t, r, _ = rect
    node = Node(bounds=(x0, t, r, t + dp(300)), rid="quick_settings_panel", bg=(32, 33, 36))
    tiles = (("Internet", "wifi_on", lambda: toggle_global(device, "wifi_on")),
             ("Bluetooth", "bluetooth_on", lambda: toggle_global(device, "bluetooth_on")),
             ("Airplane mode", "airplane_mode_on",
              lambda: set_airplane(device, not s.on("global", "airplane_mode_on"))))  # fmt: skip
    tw = (r - x0 - dp(16) * 4) // 3
    for i, (label, key, fn) in enumerate(tiles):
        x = x0 + dp(16) + i * (tw + dp(16))
        on = s.on("global", key)
        node.add(Node("android.widget.Switch", (x, t + dp(24), x + tw, t + dp(96)), label, desc=label,
                      clickable=True, checkable=True, checked=on, bg=theme.PRIMARY_LIGHT if on else (60, 64, 67),
                      fg=theme.TEXT if on else theme.WHITE, size=dp(14), align="center", radius=dp(20),
                      on_tap=fn))  # fmt: skip
    ui = Ui(device, device.wm.top, rect)
    level = s.number("system", "screen_brightness", 102) / 255
    slider = ui.slider((x0 + dp(16), t + dp(130), r - dp(16), t + dp(190)), level,
                       lambda f: set_brightness(device, f), "brightness_slider", "Brightness")  # fmt: skip
    node.add(slider)
    return node
