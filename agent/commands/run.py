"""``qwen2vl-agent run "TASK"``: one task, end to end, with a live view and a trajectory on disk."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from .options import add_agent_options, add_model_options, model_overrides, policy_config

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one task end to end", description=__doc__)
    p.add_argument("task", help="what the agent should do, e.g. 'Turn on Wi-Fi'")
    p.add_argument("--env", default="sim", choices=("sim", "fake", "android", "desktop"), help="default: sim")
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"tiny | scripted:FILE | openai:URL[#MODEL] | a checkpoint dir | a hub id (default: {DEFAULT_MODEL})",
    )
    p.add_argument("--max-steps", type=int, default=20)
    p.add_argument("--out", type=Path, help="trajectory directory (default: runs/<time>-<task>)")
    p.add_argument("--quiet", action="store_true", help="no live view on the terminal")
    g = p.add_argument_group("environment")
    g.add_argument("--serial", help="android: device serial (default: the only connected device)")
    g.add_argument("--adb-host", default="127.0.0.1")
    g.add_argument("--adb-port", type=int, default=5037)
    g.add_argument("--seed", type=int, default=0, help="sim: seed of the phone's initial state")
    g.add_argument("--display", help="desktop: X display (default: $DISPLAY)")
    g.add_argument("--monitor", type=int, default=1, help="desktop: monitor index (0: all monitors)")
    add_model_options(p)
    add_agent_options(p)
    p.set_defaults(func=run)


def default_out_dir(task: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-")[:40] or "task"
    return Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from qwen2vl_agent.envs import EnvError
    from qwen2vl_agent.model import ModelFailed, ModelUnavailable
    from qwen2vl_agent.model.openai_config import redact_spec

    from ..console import ConsoleView
    from ..factory import EnvSettings, load_model, open_env
    from ..loop import LoopConfig, run_episode
    from ..policy import QwenPolicy
    from ..recorder import TrajectoryRecorder

    try:
        env_settings = EnvSettings(
            kind=args.env, serial=args.serial, adb_host=args.adb_host, adb_port=args.adb_port, seed=args.seed,
            display=args.display, monitor=args.monitor,
        )  # fmt: skip
        policy = policy_config(args)
        loop_config = LoopConfig(max_steps=args.max_steps)
    except ValidationError as e:
        return _fail(f"invalid option: {e.errors()[0]['loc'][0]}: {e.errors()[0]['msg']}")
    overrides = model_overrides(args)
    out_dir = args.out or default_out_dir(args.task)
    meta = {"env": env_settings.model_dump(), "model": redact_spec(args.model), "policy": policy.model_dump()}
    try:
        model = load_model(args.model, **overrides)
        with open_env(env_settings) as env:
            hooks = [TrajectoryRecorder(out_dir, meta)]
            if not args.quiet:
                hooks.append(ConsoleView())
            agent = QwenPolicy(model, env.action_space, policy)
            result = run_episode(env, agent, args.task, loop_config, hooks)
    except (ModelUnavailable, ModelFailed, EnvError) as e:
        return _fail(str(e))
    except KeyboardInterrupt:
        print(f"qwen2vl-agent: interrupted; the finished steps are in {out_dir}", file=sys.stderr)
        return 130
    if args.quiet:
        print(f"{result.status}: {result.reason} ({out_dir})")
    return 0 if result.declared_done else 1


def _fail(message: str) -> int:
    print(f"qwen2vl-agent: {message}", file=sys.stderr)
    return 2
