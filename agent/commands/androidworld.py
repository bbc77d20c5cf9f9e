"""``qwen2vl-agent androidworld run``: a suite of AndroidWorld's own tasks on its emulator, with our agent.

Needs AndroidWorld installed beside qwen2vl-agent (README, "AndroidWorld") and an emulator running as its
README says (``emulator -avd AndroidWorldAvd -no-snapshot -grpc 8554``). The run is AndroidWorld's
(``suite_utils.run``): its tasks, seeds, step budgets, scoring and checkpoints; our agent
(``agent.androidworld.QwenAgent``) acts. ``--checkpoint-dir`` resumes a run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import exit_codes
from .options import add_agent_options, add_model_options, model_overrides, policy_config

INSTALL = (
    "AndroidWorld is not installed (missing module {name}): install it beside qwen2vl-agent, from its source: "
    "pip install 'setuptools<81' && pip install -r android_world/requirements.txt && "
    "pip install --no-build-isolation ./android_world (see the README, section AndroidWorld)"
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("androidworld", help="run AndroidWorld task suites with this agent", description=__doc__)
    commands = p.add_subparsers(dest="androidworld_command", metavar="COMMAND", required=True)
    r = commands.add_parser("run", help="run a suite on a running emulator", description=__doc__)
    r.add_argument("--suite", default="android_world", help="suite family: android_world, android, "
                   "information_retrieval, miniwob, miniwob_subset")  # fmt: skip
    r.add_argument("--tasks", help="comma-separated task names (default: the whole suite)")
    r.add_argument("--n-task-combinations", type=int, default=1, help="instances per task")
    r.add_argument("--seed", type=int, default=30, help="task random seed")
    r.add_argument("--fixed-task-seed", action="store_true", help="the same parameters for every instance")
    r.add_argument("--checkpoint-dir", type=Path, help="run directory to resume (default: a new one)")
    r.add_argument("--output-path", type=Path, default=Path("~/android_world/runs"), help="where new runs go")
    r.add_argument("--model", default="Qwen/Qwen2-VL-7B-Instruct", help="tiny | scripted:FILE | openai:URL[#MODEL] "
                   "| a checkpoint dir | a hub id")  # fmt: skip
    e = r.add_argument_group("emulator")
    e.add_argument("--console-port", type=int, default=5554, help="the emulator's console port")
    e.add_argument("--grpc-port", type=int, default=8554, help="the emulator's gRPC port")
    e.add_argument("--adb-path", help="adb binary (default: AndroidWorld's, ~/Android/Sdk/platform-tools/adb)")
    e.add_argument("--emulator-setup", action="store_true", help="install and set up the apps first (once)")
    add_model_options(r)
    add_agent_options(r)
    r.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..androidworld.suite import SuiteConfig

    config = SuiteConfig(
        suite_family=args.suite, tasks=args.tasks.split(",") if args.tasks else None,
        n_task_combinations=args.n_task_combinations, seed=args.seed, fixed_task_seed=args.fixed_task_seed,
        checkpoint_dir=args.checkpoint_dir, output_path=args.output_path, console_port=args.console_port,
        grpc_port=args.grpc_port, adb_path=args.adb_path, emulator_setup=args.emulator_setup,
    )  # fmt: skip
    try:
        from ..androidworld.suite import run_suite, suite_imports

        suite_imports()
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("android_world"):
            raise
        print(f"qwen2vl-agent androidworld: {INSTALL.format(name=e.name)}", file=sys.stderr)
        return exit_codes.SETUP
    from ..factory import load_model

    results = run_suite(load_model(args.model, **model_overrides(args)), config, policy_config(args))
    scored = [r for r in results if r.get("exception_info") is None]
    rate = sum(r["is_successful"] for r in scored) / len(scored) if scored else 0.0
    print(f"{len(scored)} of {len(results)} instances scored, success rate {rate:.3f}")
    return exit_codes.DONE if len(scored) == len(results) else exit_codes.FAULT
