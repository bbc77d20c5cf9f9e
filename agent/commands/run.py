"""``qwen2vl-agent run "TASK"``: one task, end to end, with a live view and a trajectory on disk.

Everything that can be checked before the model loads is checked first (the options, the task, the output
directory, the device), and a problem there is one line and exit code 2. Once the episode has started it
always ends with ``result.json`` and a final ``report.html``, whether it finished, failed, hit a fault, or was
stopped by Ctrl-C, SIGTERM or SIGHUP.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import exit_codes
from .options import add_agent_options, add_model_options, model_overrides, policy_config
from .outcome import SignalGate, exit_code, run_to_end
from .run_dir import RunDir, RunDirError, claim

if TYPE_CHECKING:
    from qwen2vl_agent.envs import Env
    from qwen2vl_agent.model import Model

    from ..factory import EnvSettings
    from ..loop import LoopConfig
    from ..policy import PolicyConfig
    from ..records import EpisodeResult

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one task end to end", description=__doc__, epilog=exit_codes.DESCRIPTION)
    p.add_argument("task", help="what the agent should do, e.g. 'Turn on Wi-Fi'")
    p.add_argument("--env", default="sim", choices=("sim", "fake", "android", "desktop"), help="where the agent acts")
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help="tiny | scripted:FILE | openai:URL[#MODEL] | a checkpoint dir | a hub id",
    )
    p.add_argument("--max-steps", type=int, default=20, help="step budget of the episode")
    p.add_argument("--out", type=Path, help="trajectory directory, new or empty (default: runs/<time>-<task>)")
    p.add_argument("--force", action="store_true", help="replace the run already recorded in --out")
    p.add_argument("--quiet", action="store_true", help="no live view on the terminal")
    p.add_argument("--dry-run", action="store_true", help="parse and map every call and print it; execute nothing")
    s = p.add_argument_group("safety")
    s.add_argument("--confirm", action="store_true", help="ask on the terminal before actions the policy marks confirm")
    s.add_argument("--policy", type=Path, help="safety policy TOML (default with --confirm: the built-in one)")
    s.add_argument("--call-user", action="store_true", help="offer the model CallUser: hand the device to you")
    g = p.add_argument_group("environment")
    g.add_argument("--serial", help="android: device serial (default: $ANDROID_SERIAL, else the only device)")
    g.add_argument("--adb-host", help="android: adb server host (default: $ANDROID_ADB_SERVER_HOST or 127.0.0.1)")
    g.add_argument("--adb-port", type=int, help="android: adb server port (default: $ANDROID_ADB_SERVER_PORT or 5037)")
    g.add_argument("--seed", type=int, default=0, help="sim: seed of the phone's initial state")
    g.add_argument("--display", help="desktop: X display (default: $DISPLAY)")
    g.add_argument("--monitor", type=int, default=1, help="desktop: monitor index (0: all monitors)")
    add_model_options(p)
    add_agent_options(p)
    p.set_defaults(func=run)


class SetupError(Exception):
    """Bad input found before anything started; the message is one line for the user."""


class Plan(NamedTuple):
    """The validated options of one run."""

    env: EnvSettings
    policy: PolicyConfig
    loop: LoopConfig
    overrides: dict[str, Any]


def run(args: argparse.Namespace) -> int:
    try:
        plan = make_plan(args)
    except SetupError as e:
        return _fail(str(e))
    with SignalGate() as gate:
        with gate.hold(deliver=False):  # a signal now is seen by _start, once the claim can be undone
            try:
                run_dir = claim(args.out, args.task, {"task": args.task}, force=args.force)
            except RunDirError as e:
                return _fail(str(e))
        return _start(args, plan, run_dir, gate)


def make_plan(args: argparse.Namespace) -> Plan:
    """Check every option and input that needs no device and no model; ``SetupError`` says what is wrong."""
    from pydantic import ValidationError

    from ..factory import EnvSettings
    from ..loop import LoopConfig

    if not _is_utf8(args.task):
        raise SetupError("the task is not valid UTF-8")
    if not args.task.strip():
        raise SetupError("the task is empty: say what the agent should do")
    if args.out is not None and not _is_utf8(str(args.out)):
        raise SetupError("--out is not valid UTF-8")
    try:
        env = EnvSettings.resolve(
            args.env, serial=args.serial, adb_host=args.adb_host, adb_port=args.adb_port, seed=args.seed,
            display=args.display, monitor=args.monitor,
        )  # fmt: skip
        return Plan(env, policy_config(args), LoopConfig(max_steps=args.max_steps), model_overrides(args))
    except ValidationError as e:
        error = e.errors()[0]
        raise SetupError(f"invalid option --{str(error['loc'][0]).replace('_', '-')}: {error['msg']}") from None
    except ValueError as e:
        raise SetupError(str(e)) from None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")  # arguments that are not UTF-8 arrive with lone surrogates
        return True
    except UnicodeEncodeError:
        return False


def _start(args: argparse.Namespace, plan: Plan, run_dir: RunDir, gate: SignalGate) -> int:
    """Reach the device, then load the model; then run the episode to its end."""
    stack = contextlib.ExitStack()
    try:
        if gate.received:
            raise KeyboardInterrupt(gate.received)
        env, used, model = _open(args, plan, stack)
    except KeyboardInterrupt:
        with gate.teardown():
            _close(stack)
        run_dir.release()
        print("qwen2vl-agent: interrupted before the episode started; nothing was recorded", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except _SetupFailed as e:
        with gate.teardown():
            _close(stack)
        run_dir.release()
        return _fail(str(e), e.code)
    try:
        result = _episode(args, plan, env, used, model, run_dir.path, gate)
    except Exception as e:  # the verdict itself could not be recorded
        log.info("could not record the end of the episode", exc_info=True)
        return _fail(f"could not record the result in {run_dir.path}: {type(e).__name__}: {e}", exit_codes.FAULT)
    finally:
        with gate.teardown():
            _close(stack)
    if args.quiet:
        print(f"{result.status}: {result.reason} ({run_dir.path})")
    return exit_code(result.status)


class _SetupFailed(Exception):
    def __init__(self, message: str, code: int = exit_codes.SETUP) -> None:
        super().__init__(message)
        self.code = code


def _open(args: argparse.Namespace, plan: Plan, stack: contextlib.ExitStack) -> tuple[Env, dict[str, Any], Model]:
    from qwen2vl_agent.envs import EnvError
    from qwen2vl_agent.model import ModelFailed, ModelUnavailable

    from ..factory import load_model, open_env_described

    try:
        env, used = stack.enter_context(open_env_described(plan.env))
        return env, used, load_model(args.model, **plan.overrides)
    except (EnvError, ModelUnavailable, ModelFailed) as e:
        raise _SetupFailed(str(e)) from None
    except Exception as e:  # a bug of ours, not bad input: say so, without a traceback (it is in the -v log)
        log.info("setup failed", exc_info=True)
        raise _SetupFailed(f"{type(e).__name__} in qwen2vl-agent while starting: {e}", exit_codes.FAULT) from None


def _episode(
    args: argparse.Namespace, plan: Plan, env: Env, used: dict[str, Any], model: Model, out_dir: Path,
    gate: SignalGate,
) -> EpisodeResult:  # fmt: skip
    from qwen2vl_agent.model.openai_config import redact_spec

    from ..console import ConsoleView
    from ..policy import QwenPolicy
    from ..recorder import TrajectoryRecorder

    meta = {"env": used, "model": redact_spec(args.model), "policy": plan.policy.model_dump()}
    dry = getattr(args, "dry_run", False)
    hooks: list[Any] = [TrajectoryRecorder(out_dir, {**meta, "dry_run": True} if dry else meta)]
    if not args.quiet:
        hooks.append(ConsoleView())
    if dry:
        env = _dry(env, hooks)
    env = _guarded(args, env)
    agent = QwenPolicy(model, env.action_space, plan.policy)
    return run_to_end(env, agent, args.task, plan.loop, hooks, gate)


def _guarded(args: argparse.Namespace, env: Env) -> Env:
    from ..handoff import guard

    flags = {k: getattr(args, k, None) for k in ("policy", "confirm", "call_user")}
    return guard(env, policy=flags["policy"], confirm=bool(flags["confirm"]), call_user=bool(flags["call_user"]))


def _dry(env: Env, hooks: list[Any]) -> Env:
    from qwen2vl_agent.envs.wrappers import DryRun

    from ..dryrun import DryRunView

    hooks.append(DryRunView())
    return DryRun(env)


def _close(stack: contextlib.ExitStack) -> None:
    """Stop what was started; the verdict is already on disk, so a failure here is only logged."""
    try:
        stack.close()
    except (Exception, KeyboardInterrupt) as e:
        log.warning("stopping the environment failed: %s: %s", type(e).__name__, e)


def _fail(message: str, code: int = exit_codes.SETUP) -> int:
    print(f"qwen2vl-agent: {message}", file=sys.stderr)
    return code
