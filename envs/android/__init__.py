"""Android phones over ADB as an ``Env``: ``AndroidEnv`` plus the pieces it is built from.

``AndroidEnv(serial=None, host="127.0.0.1", port=5037, **options)`` connects through the adb server
with our own host-protocol client (``adbwire``, ``SocketTransport``); ``transport=FakeAdb(FakePhone())`` runs it
with no adb at all. ``open_android(...)`` (``wrap(AndroidEnv(...))``) adds what the config asks for around
it: the settle wait after each action (``Settle``) and the UI tree in each observation (``WithUITree``).
Nothing heavy is imported here: numpy and PIL load when first used.
"""

from .adb import (
    AdbDeviceLost,
    AdbTransport,
    ShellResult,
    SocketTransport,
    SyncTransport,
    choose_device,
    command_line,
    list_devices,
)
from .apps import ALIASES, AppCatalog, UnknownApp, close_matches, resolve_app
from .capture import Capture, ScreenCapturer
from .config import AndroidConfig
from .device import AndroidDevice, DisplayInfo, Timeouts
from .env import AndroidEnv
from .fake import FakeAdb, FakePhone
from .keyboard import ADB_KEYBOARD_IME, NeedsAdbKeyboard, adbkeyboard_messages, plan_input_text
from .retry import NO_RETRY, RetryingTransport, RetryPolicy
from .screencap import RawFrame, decode_png, encode_raw, parse_raw
from .settle import Settled, SettlePolicy, wait_until_settled
from .wrappers import Settle, WithUITree, open_android, wrap

__all__ = [
    "ADB_KEYBOARD_IME",
    "ALIASES",
    "NO_RETRY",
    "AdbDeviceLost",
    "AdbTransport",
    "AndroidConfig",
    "AndroidDevice",
    "AndroidEnv",
    "AppCatalog",
    "Capture",
    "DisplayInfo",
    "FakeAdb",
    "FakePhone",
    "NeedsAdbKeyboard",
    "RawFrame",
    "RetryPolicy",
    "RetryingTransport",
    "ScreenCapturer",
    "Settle",
    "SettlePolicy",
    "Settled",
    "ShellResult",
    "SocketTransport",
    "SyncTransport",
    "Timeouts",
    "UnknownApp",
    "WithUITree",
    "adbkeyboard_messages",
    "choose_device",
    "close_matches",
    "command_line",
    "decode_png",
    "encode_raw",
    "list_devices",
    "open_android",
    "parse_raw",
    "plan_input_text",
    "resolve_app",
    "wait_until_settled",
    "wrap",
]  # fmt: skip
