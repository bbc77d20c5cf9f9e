"""``qwen2vl-agent doctor``: check what a run needs and say what to fix.

Checks: the adb server and its devices, ADBKeyBoard on each device (typing non-ASCII text), DISPLAY and xauth
(desktop runs), torch and CUDA, the model cache, free disk, imageio-ffmpeg (``episode.mp4``). Each line is
``ok``, ``warn`` (some runs will not work) or ``FAIL`` with what to do; the exit code is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


class Check(NamedTuple):
    level: str  # "ok", "warn" or "FAIL"
    name: str
    detail: str
    fix: str = ""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check adb, devices, display, torch/CUDA, model cache, disk", description=__doc__)
    p.add_argument("--adb-host", help="adb server host (default: $ANDROID_ADB_SERVER_HOST or 127.0.0.1)")
    p.add_argument("--adb-port", type=int, help="adb server port (default: $ANDROID_ADB_SERVER_PORT or 5037)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    checks: list[Check] = []
    host = args.adb_host or os.environ.get("ANDROID_ADB_SERVER_HOST") or "127.0.0.1"
    port = args.adb_port
    if port is None:
        text = os.environ.get("ANDROID_ADB_SERVER_PORT") or "5037"
        if text.isdigit() and 0 < int(text) < 65536:
            port = int(text)
        else:
            checks.append(Check("FAIL", "adb server", f"ANDROID_ADB_SERVER_PORT is {text[:40]!r}, not a port",
                                "set it to the adb server's port (default 5037) or unset it"))  # fmt: skip
    adb = (lambda: _adb(host, port)) if port is not None else None
    for check in (adb, _display, _torch, _model_cache, _disk, _video):
        if check is not None:
            checks.extend(_safely(check))
    for c in checks:
        print(f"{c.level:<4} {c.name}: {c.detail}" + (f"\n     fix: {c.fix}" if c.fix else ""))
    return 1 if any(c.level == "FAIL" for c in checks) else 0


def _safely(check: Callable[[], list[Check]]) -> list[Check]:
    try:
        return check()
    except Exception as e:  # a check that breaks is itself a finding, never a crash of doctor
        return [Check("warn", getattr(check, "__name__", "check"), f"{type(e).__name__}: {e}")]


def _adb(host: str, port: int) -> list[Check]:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return [Check("warn", "adb server", f"nothing listens on {host}:{port}",
                      "start it with `adb start-server` (not needed for --env sim, which runs its own)")]  # fmt: skip
    import adbutils

    devices = adbutils.AdbClient(host=host, port=port).device_list()
    checks = [Check("ok", "adb server", f"{host}:{port}, {len(devices)} device(s)")]
    if not devices:
        checks.append(
            Check("warn", "devices", "none connected", "plug a phone in with USB debugging, or `adb connect`")
        )
    for d in devices:
        has_ime = "com.android.adbkeyboard" in d.shell("pm list packages com.android.adbkeyboard")
        checks.append(Check("ok" if has_ime else "warn", f"ADBKeyBoard on {d.serial}", "installed" if has_ime else
                            "missing: only ASCII text can be typed", "" if has_ime else
                            "install ADBKeyBoard.apk (github.com/senzhk/ADBKeyBoard) with `adb install`"))  # fmt: skip
    return checks


def _display() -> list[Check]:
    display = os.environ.get("DISPLAY")
    if not display:
        return [Check("warn", "DISPLAY", "not set: desktop runs need an X display", "export DISPLAY=:0 (or run Xvfb)")]
    xauth = shutil.which("xauth")
    fix = "" if xauth else "apt install xauth"
    return [Check("ok", "DISPLAY", display), Check("ok" if xauth else "warn", "xauth", xauth or "not found", fix)]


def _torch() -> list[Check]:
    if importlib.util.find_spec("torch") is None:
        return [Check("FAIL", "torch", "not installed", "pip install torch")]
    import torch

    cuda = torch.cuda.is_available()
    detail = f"{torch.__version__}, CUDA " + (
        f"{torch.version.cuda}: {torch.cuda.get_device_name(0)}" if cuda else "none"
    )
    return [Check("ok" if cuda else "warn", "torch/CUDA", detail, "" if cuda else "models run on CPU (slow)")]


def _video() -> list[Check]:
    from ..animation import mp4_missing

    missing = mp4_missing()
    if missing is None:
        return [Check("ok", "video", "imageio-ffmpeg: episodes get episode.mp4 beside episode.gif")]
    return [Check("warn", "video", f"{missing} not installed: episode.gif only, no episode.mp4",
                  "pip install 'qwen2vl-agent[video]'")]  # fmt: skip


def _model_cache() -> list[Check]:
    home = Path(
        os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache/huggingface")) / "hub"
    )
    models = (
        sorted(p.name.removeprefix("models--").replace("--", "/") for p in home.glob("models--*"))
        if home.is_dir()
        else []
    )
    qwen = [m for m in models if "qwen" in m.lower() and "vl" in m.lower()]
    if not qwen:
        return [Check("warn", "model cache", f"no Qwen-VL model in {home}",
                      "the first run downloads Qwen/Qwen2-VL-2B-Instruct (about 4.5 GB)")]  # fmt: skip
    return [Check("ok", "model cache", f"{home}: {', '.join(qwen)}")]


def _disk() -> list[Check]:
    free_gb = shutil.disk_usage(Path.cwd()).free / 2**30
    level = "ok" if free_gb >= 10 else "warn" if free_gb >= 2 else "FAIL"
    return [Check(level, "free disk", f"{free_gb:.1f} GiB in {Path.cwd()}", "" if level == "ok" else "free some space")]
