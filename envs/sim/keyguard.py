"""The lock screen (keyguard): swipe-to-unlock, or a PIN when one is set (``locksettings set-pin``).

Without a PIN, a swipe up, ``wm dismiss-keyguard`` or MENU unlocks. With a PIN the keyguard is *secure*: those
only bring up the bouncer (the PIN pad); the phone unlocks when the right PIN is entered there, by tapping
the drawn keys or with ``input text 1234`` then ``input keyevent ENTER``. A wrong PIN clears the entry and
shows "Wrong PIN". Turning the screen off locks again. ``Device.locked`` says whether the keyguard shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .defaults import KEYCODES
from .ui import theme
from .ui.node import Node, Rect

if TYPE_CHECKING:
    from .ports import Phone

DIGIT_KEYS = {7 + d: str(d) for d in range(10)} | {144 + d: str(d) for d in range(10)}  # KEYCODE_0.., NUMPAD_0..
ENTER_KEYS = (KEYCODES["ENTER"], 160)  # ENTER, NUMPAD_ENTER
BG = (32, 33, 36)


def request_unlock(device: Phone) -> None:
    """What a swipe up or ``wm dismiss-keyguard`` does: unlock, or show the bouncer when a PIN is set."""
    kg = device.keyguard
    if not device.locked:
        return
    if kg.secure:
        kg.bouncer = True
    else:
        device.locked = False


def relock(device: Phone) -> None:
    """The screen went off: the keyguard shows again, the bouncer starts over."""
    device.locked = True
    device.keyguard.bouncer = False
    device.keyguard.entry = device.keyguard.message = ""


def key(device: Phone, code: int) -> None:
    """A key press while the keyguard shows."""
    kg = device.keyguard
    if code == KEYCODES["MENU"] and not kg.secure:
        device.locked = False
    elif not kg.bouncer:
        return
    elif code in DIGIT_KEYS:
        kg.entry += DIGIT_KEYS[code]
    elif code == KEYCODES["DEL"]:
        kg.entry = kg.entry[:-1]
    elif code in ENTER_KEYS:
        submit(device)
    elif code in (KEYCODES["BACK"], KEYCODES["HOME"]):
        kg.bouncer, kg.entry, kg.message = False, "", ""


def type_text(device: Phone, text: str) -> bool:
    """Text committed while locked goes to the bouncer's PIN field (digits only); False if it is not up."""
    kg = device.keyguard
    if not kg.bouncer:
        return False
    kg.entry += "".join(c for c in text if c.isdigit())
    return True


def submit(device: Phone) -> None:
    kg = device.keyguard
    if kg.entry and kg.entry == kg.pin:
        device.locked = False
        kg.bouncer, kg.entry, kg.message, kg.failed_attempts = False, "", "", 0
    elif kg.entry:
        kg.entry, kg.message = "", "Wrong PIN"
        kg.failed_attempts += 1


# ---------------------------------------------------------------- drawing


def lockscreen(device: Phone, rect: Rect) -> Node:
    """The keyguard: the clock and a hint, or the bouncer's PIN pad."""
    if device.keyguard.bouncer:
        return bouncer(device, rect)
    dp = device.dp
    x0, t, r, b = rect
    hint = "Swipe up to enter your PIN" if device.keyguard.secure else "Swipe up to unlock"
    node = Node(bounds=rect, rid="keyguard_root_view", bg=BG)
    node.add(Node("android.widget.TextView", (x0, t + dp(120), r, t + dp(220)), device.clock.text(), "clock_view",
                  fg=theme.WHITE, size=dp(72), align="center"))  # fmt: skip
    node.add(Node("android.widget.TextView", (x0, t + dp(230), r, t + dp(260)), device.clock.text("%A, %B %-d"),
                  "date", fg=theme.WHITE, size=dp(16), align="center"))  # fmt: skip
    node.add(Node("android.widget.TextView", (x0, b - dp(120), r, b - dp(90)), hint, "keyguard_indication_text",
                  fg=theme.WHITE, size=dp(14), align="center"))  # fmt: skip
    return node


def bouncer(device: Phone, rect: Rect) -> Node:
    """SystemUI's PIN view: a message, the dotted entry, a 3x4 keypad (``key0``..``key9``, delete, enter)."""
    dp, kg = device.dp, device.keyguard
    x0, t, r, b = rect
    node = Node(bounds=rect, rid="keyguard_pin_view", bg=BG)
    node.add(Node("android.widget.TextView", (x0, t + dp(140), r, t + dp(180)), kg.message or "Enter your PIN",
                  "keyguard_message_area", fg=theme.WHITE, size=dp(18), align="center"))  # fmt: skip
    node.add(Node("android.widget.EditText", (x0 + dp(48), t + dp(200), r - dp(48), t + dp(260)), kg.entry, "pinEntry",
                  "PIN area", password=True, draw_text="●" * len(kg.entry), fg=theme.WHITE, size=dp(24),
                  align="center"))  # fmt: skip
    keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "⏎"]
    cell, top = dp(88), b - dp(96) - 4 * dp(88)
    left = (x0 + r) // 2 - cell * 3 // 2
    for i, label in enumerate(keys):
        row, col = divmod(i, 3)
        box = (left + col * cell + dp(8), top + row * cell + dp(8), left + (col + 1) * cell - dp(8),
               top + (row + 1) * cell - dp(8))  # fmt: skip
        node.add(_key(device, box, label))
    return node


def _key(device: Phone, box: Rect, label: str) -> Node:
    dp = device.dp
    if label == "⌫":
        rid, desc, code = "delete_button", "Delete", KEYCODES["DEL"]
    elif label == "⏎":
        rid, desc, code = "key_enter", "Enter", KEYCODES["ENTER"]
    else:
        rid, desc, code = f"key{label}", label, 7 + int(label)
    return Node("android.widget.Button" if label.isdigit() else "android.widget.ImageButton", box,
                label if label.isdigit() else "", rid, desc, clickable=True, bg=(60, 64, 67), fg=theme.WHITE,
                size=dp(26), align="center", radius=(box[3] - box[1]) // 2, icon="" if label.isdigit() else label,
                on_tap=lambda: key(device, code))  # fmt: skip
