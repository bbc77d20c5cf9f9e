"""The ``qwen2vl-agent`` command line.

Each subcommand lives in ``agent/commands/<name>.py`` and exposes ``add_parser(subparsers)``, which
registers its arguments and sets ``func`` (called with the parsed namespace, returning an exit code).
Command modules import nothing heavy at module level, so ``qwen2vl-agent --help`` stays fast and never
loads torch or transformers.

Help is rendered for a terminal: the RST markup of the docstrings used as descriptions is dropped, their
paragraphs are kept, and every option that takes a value and has a default shows it as ``(default: X)``.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import logging
import os
import re
import sys
import textwrap
from collections.abc import Sequence

COMMANDS = ("run", "parse", "sim", "model", "bench", "adb", "androidworld", "replay", "render", "export", "doctor")
_RST_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)


def plain(text: str) -> str:
    """``text`` with RST inline literals (double backticks) turned into plain text."""
    return _RST_LITERAL.sub(r"\1", text)


class HelpFormatter(argparse.HelpFormatter):
    """Plain-text help: RST literals dropped, description paragraphs kept, defaults shown."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = re.split(r"\n\s*\n", textwrap.dedent(plain(text)).strip())
        return "\n\n".join(super(HelpFormatter, self)._fill_text(p, width, indent) for p in paragraphs)

    def _format_action(self, action: argparse.Action) -> str:
        if action.help is None and _has_default(action):  # argparse prints no help line at all for these
            action = copy.copy(action)
            action.help = self._get_help_string(action)
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = plain(action.help or "")
        if _has_default(action) and "%(default)" not in text and "(default:" not in text:
            text = f"{text} (default: %(default)s)".strip()
        return text


def _has_default(action: argparse.Action) -> bool:
    """Whether the help shows ``action``'s default: an option taking a value, with a default set (an empty
    string counts as none: its help says what no value means)."""
    return bool(action.option_strings) and action.nargs != 0 and action.default not in (None, "", argparse.SUPPRESS)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose subcommand parsers (created from it) all use ``HelpFormatter``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="qwen2vl-agent",
        description="Run Qwen2-VL GUI agents on phones (ADB), desktops and a simulated phone.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.commands.{name}":
                continue  # a command not built yet
            raise
        module.add_parser(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qwen2vl-agent")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # the live view is the progress report; no download/loading bars around it
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
