"""The device's ``sh``: a POSIX-sh subset (``parse``, ``interp``) and Android's command-line tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .interp import CommandFn, Proc, Shell
from .streams import Result

if TYPE_CHECKING:
    from ..ports import Phone


def commands() -> dict[str, CommandFn]:
    """Every command, by name."""
    from . import (
        cmd_am,
        cmd_content,
        cmd_dumpsys,
        cmd_files,
        cmd_flow,
        cmd_input,
        cmd_logcat,
        cmd_pm,
        cmd_procs,
        cmd_sed_awk,
        cmd_system,
        cmd_text,
        cmd_tools,
    )

    table: dict[str, CommandFn] = {}
    for module in (
        cmd_files,
        cmd_text,
        cmd_input,
        cmd_system,
        cmd_dumpsys,
        cmd_am,
        cmd_pm,
        cmd_content,
        cmd_logcat,
        cmd_flow,
        cmd_tools,
        cmd_sed_awk,
        cmd_procs,
    ):
        table.update(module.COMMANDS)
    return table


def new_shell(device: Phone) -> Shell:
    """A fresh shell process on ``device`` (own variables, ``$?`` and cwd)."""
    return Shell(device, commands())


__all__ = ["CommandFn", "Proc", "Result", "Shell", "commands", "new_shell"]
