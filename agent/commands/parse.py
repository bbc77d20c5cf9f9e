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
    p.add_argument("--dialect", default="qwen2vl", help="the model family whose reply this is (default: qwen2vl)")
    p.add_argument(
        "--screen",
        default="1080x2400",
        help="screenshot size WxH the reply was about (for coordinates; default 1080x2400)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from qwen2vl_agent.tools import ACTION_TYPES, DESKTOP_ACTIONS, MOBILE_ACTIONS, Frame

    from ..dialects import get_dialect
    from ..parser import ParseError

    try:
        dialect = get_dialect(args.dialect)
        w, h = (int(v) for v in args.screen.lower().split("x"))
        frame = Frame(screen=(w, h), model_image=(w, h), convention=dialect.convention)
    except ValueError as e:
        print(f"qwen2vl-agent parse: {e}", file=sys.stderr)
        return 2

    space = {"all": ACTION_TYPES, "mobile": MOBILE_ACTIONS, "desktop": DESKTOP_ACTIONS}[args.actions]
    if args.dialect != "qwen2vl" and args.actions == "all":
        space = MOBILE_ACTIONS  # a family's tool is either the phone's or the desktop's
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        reply = dialect.parse(text, space, frame)
    except ParseError as e:
        out = {"thought": e.thought, "calls": [], "error": str(e)}
        code = 1
    else:
        calls = [{"name": c.name, "args": c.action.model_dump(mode="json", exclude={"type"})} for c in reply.calls]
        out = {"thought": reply.thought, "calls": calls, "error": None}
        code = 0
    print(json.dumps(out, ensure_ascii=False))
    return code
