"""``qwen2vl-agent parse``: read one model reply on stdin, print what the runtime makes of it as JSON.

Output: ``{"thought": str, "calls": [{"name": str, "args": {...}}], "error": null}`` with the arguments
validated and normalised (tuples become lists). On a parse error: ``"calls": []`` and ``"error"`` holds
the message the model would get; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="parse one model reply from stdin into JSON", description=__doc__)
    p.add_argument(
        "--actions", choices=("all", "mobile", "desktop"), default="all", help="the action space to validate against"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qwen2vl_agent.tools import ACTION_TYPES, DESKTOP_ACTIONS, MOBILE_ACTIONS

    from ..parser import ParseError, parse_reply

    space = {"all": ACTION_TYPES, "mobile": MOBILE_ACTIONS, "desktop": DESKTOP_ACTIONS}[args.actions]
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        reply = parse_reply(text, space)
    except ParseError as e:
        out = {"thought": e.thought, "calls": [], "error": str(e)}
        code = 1
    else:
        calls = [{"name": c.name, "args": c.action.model_dump(mode="json", exclude={"type"})} for c in reply.calls]
        out = {"thought": reply.thought, "calls": calls, "error": None}
        code = 0
    print(json.dumps(out, ensure_ascii=False))
    return code
