"""``qwen2vl-agent adb ARGS...``: the adb client that ships inside adbutils, run with ARGS unchanged.

adbutils bundles a real adb binary but puts nothing on PATH; this command runs it, so the adb examples
work on any host where the project is installed. Every argument is adb's own (``-P PORT``, ``-s SERIAL``,
``shell``, ``--help``, ...) and the exit status is adb's. Example, against ``sim start``'s phones:
``qwen2vl-agent adb -P PORT -s SERIAL shell dumpsys window``.
"""

from __future__ import annotations

import argparse
import subprocess


def add_parser(sub: argparse._SubParsersAction) -> None:
    # No option prefix at all: every argument, --help included, belongs to adb.
    p = sub.add_parser("adb", help="run the adb binary bundled with adbutils", add_help=False, prefix_chars="\0")
    p.add_argument("adb_args", nargs=argparse.REMAINDER, help="passed to adb unchanged")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import adbutils

    try:
        return subprocess.run([adbutils.adb_path(), *args.adb_args], check=False).returncode
    except KeyboardInterrupt:
        return 130
