"""The CLI as a user runs it on a terminal: stderr on a pseudo-terminal, everything drawn there read back."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def on_a_terminal(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; its exit code and what it drew there."""
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qwen2vl_agent.agent.cli", *argv], stdout=subprocess.DEVNULL, stderr=child,
        env={**os.environ, **(env or {}), "COLUMNS": "120", "TERM": "xterm"},
    )  # fmt: skip
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(parent, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(parent)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")
