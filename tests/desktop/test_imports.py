"""Importing the desktop package loads none of pyautogui, mss, python-xlib or tkinter."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pyautogui", "mss", "Xlib", "tkinter", "mouseinfo", "torch", "transformers")


def test_import_is_light():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import qwen2vl_agent.envs.desktop"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "qwen2vl_agent" in loaded
    assert not loaded & set(HEAVY)
