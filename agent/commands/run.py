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

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.model.spec import HFSpec, ModelSpec, spec_fields, spec_label

from .. import exit_codes
from ..factory import EnvSpec, SimEnvSpec
from ..loop import LoopConfig
from ..policy import PolicyConfig
from .config import ConfigError, add_flags, flag, given_data, table_flags, to_toml
from .layered import build_config
from .options import AGENT_FLAGS, MODEL_FLAGS, MODEL_SPEC_HELP, add_config_options
from .outcome import SignalGate, exit_code, run_to_end
from .run_dir import RunDir, RunDirError, claim

if TYPE_CHECKING:
    from qwen2vl_agent.envs import Env
    from qwen2vl_agent.model import Model

    from ..records import EpisodeResult

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"

log = logging.getLogger(__name__)


class SafetyConfig(BaseModel):
    """The safety policy around the env and the hand-off to a person (``envs.safety``, ``agent.handoff``)."""

    model_config = ConfigDict(extra="forbid")

    confirm: bool = Field(False, description="ask on the terminal before actions the policy marks confirm")
    policy: Path | None = Field(None, description="safety policy TOML (default with --confirm: the built-in one)")
    call_user: bool = Field(False, description="offer the model CallUser: hand the device to you")


class RunConfig(BaseModel):
    """Everything ``run`` can be told but the task: its flags, or the tables of a ``--config`` file."""

    model_config = ConfigDict(extra="forbid")

    out: Path | None = Field(None, description="trajectory directory, new or empty (default: runs/<time>-<task>)")
    force: bool = Field(False, description="replace the run already recorded in --out")
    quiet: bool = Field(False, description="no live view on the terminal")
    dry_run: bool = Field(False, description="parse and map every call and print it; execute nothing")
    video: bool = Field(True, description="write episode.mp4 beside episode.gif (needs the video extra)")
    safety: SafetyConfig = Field(default_factory=SafetyConfig)
    env: EnvSpec = Field(default_factory=SimEnvSpec, description="where the agent acts")
    model: ModelSpec = Field(default_factory=lambda: HFSpec(model=DEFAULT_MODEL))
    agent: PolicyConfig = Field(default_factory=PolicyConfig)
    loop: LoopConfig = Field(default_factory=LoopConfig)


# One line per flag: its path in RunConfig (type, default and help come from the field).
MAIN_FLAGS = (
    flag(RunConfig, "env", "kind", names=("--env",), help="where the agent acts"),
    flag(RunConfig, "model", help=MODEL_SPEC_HELP, type=str, default=spec_label(RunConfig().model)),
    flag(RunConfig, "loop", "max_steps"),
    flag(RunConfig, "out"),
    flag(RunConfig, "force"),
    flag(RunConfig, "quiet"),
    flag(RunConfig, "dry_run"),
    flag(RunConfig, "video"),
)
SAFETY_FLAGS = tuple(flag(RunConfig, "safety", name) for name in ("confirm", "policy", "call_user"))
ENV_FIELDS = ("serial", "devices", "adb_host", "adb_port", "seed", "display", "monitor")
ENV_FLAGS = (
    *(flag(RunConfig, "env", name) for name in ENV_FIELDS),
    *table_flags(RunConfig, "env", "android", prefix="android-", help="android and sim: AndroidConfig.{name}"),
)
FLAGS = (*MAIN_FLAGS, *SAFETY_FLAGS, *ENV_FLAGS, *MODEL_FLAGS, *AGENT_FLAGS)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one task end to end", description=__doc__, epilog=exit_codes.DESCRIPTION)
    p.add_argument("task", nargs="?", help="what the agent should do, e.g. 'Turn on Wi-Fi'")
    add_flags(p, MAIN_FLAGS)
    add_flags(p.add_argument_group("safety"), SAFETY_FLAGS)
    add_flags(p.add_argument_group("environment"), ENV_FLAGS)
    add_flags(p.add_argument_group("model"), MODEL_FLAGS)
    add_flags(p.add_argument_group("agent"), AGENT_FLAGS)
    add_config_options(p)
    p.set_defaults(func=run, parser=p)


class SetupError(Exception):
    """Bad input found before anything started; the message is one line for the user."""


class Plan(NamedTuple):
    """The validated options of one run."""

    task: str
    config: RunConfig

    @property
    def env(self) -> EnvSpec:
        return self.config.env

    @property
    def policy(self) -> PolicyConfig:
        return self.config.agent

    @property
    def loop(self) -> LoopConfig:
        return self.config.loop


def run(args: argparse.Namespace) -> int:
    try:
        if args.print_config:
            print(to_toml(printable(load_config(args))), end="")
            return 0
        if args.task is None:
            args.parser.error("the following arguments are required: task")
        plan = make_plan(args)
    except SetupError as e:
        return _fail(str(e))
    with SignalGate() as gate:
        with gate.hold(deliver=False):  # a signal now is seen by _start, once the claim can be undone
            try:
                run_dir = claim(plan.config.out, plan.task, {"task": plan.task}, force=plan.config.force)
            except RunDirError as e:
                return _fail(str(e))
        return _start(plan, run_dir, gate)


def load_config(args: argparse.Namespace) -> RunConfig:
    """The effective ``RunConfig``: defaults < ``--config FILE`` < the flags given; ``SetupError`` if unusable."""
    from qwen2vl_agent.model import ModelUnavailable

    from ..factory import resolve_env

    try:
        config = build_config(RunConfig, args, FLAGS, normalise={"model": spec_fields})
        if ("env", "devices") in given_data(args, ENV_FLAGS) and config.env.kind != "android":
            raise ValueError(f"--devices is a pool of real devices: it needs --env android, not {config.env.kind}")
        return config.model_copy(update={"env": resolve_env(config.env)})
    except (ConfigError, ModelUnavailable, ValueError) as e:
        raise SetupError(str(e)) from None


def printable(config: BaseModel) -> dict[str, Any]:
    """``config`` as plain data for TOML, with the model's URL redacted as everywhere it is shown."""
    from qwen2vl_agent.model.openai_config import redact_url

    data = config.model_dump(mode="json")
    model = data.get("model") or {}
    if model.get("base_url"):
        model["base_url"] = redact_url(model["base_url"])
    return data


def make_plan(args: argparse.Namespace) -> Plan:
    """Check every option and input that needs no device and no model; ``SetupError`` says what is wrong."""
    if not _is_utf8(args.task):
        raise SetupError("the task is not valid UTF-8")
    if not args.task.strip():
        raise SetupError("the task is empty: say what the agent should do")
    if args.out is not None and not _is_utf8(str(args.out)):
        raise SetupError("--out is not valid UTF-8")
    return Plan(args.task, load_config(args))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")  # arguments that are not UTF-8 arrive with lone surrogates
        return True
    except UnicodeEncodeError:
        return False


def _start(plan: Plan, run_dir: RunDir, gate: SignalGate) -> int:
    """Reach the device, then load the model; then run the episode to its end."""
    stack = contextlib.ExitStack()
    try:
        if gate.received:
            raise KeyboardInterrupt(gate.received)
        env, used, model = _open(plan, stack)
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
        result = _episode(plan, env, used, model, run_dir.path, gate)
    except Exception as e:  # the verdict itself could not be recorded
        log.info("could not record the end of the episode", exc_info=True)
        return _fail(f"could not record the result in {run_dir.path}: {type(e).__name__}: {e}", exit_codes.FAULT)
    finally:
        with gate.teardown():
            _close(stack)
    if plan.config.quiet:
        print(f"{result.status}: {result.reason} ({run_dir.path})")
    return exit_code(result.status)


class _SetupFailed(Exception):
    def __init__(self, message: str, code: int = exit_codes.SETUP) -> None:
        super().__init__(message)
        self.code = code


def _open(plan: Plan, stack: contextlib.ExitStack) -> tuple[Env, dict[str, Any], Model]:
    from qwen2vl_agent.envs import EnvError
    from qwen2vl_agent.model import ModelFailed, ModelUnavailable

    from ..factory import load_model, open_env_described

    try:
        env, used = stack.enter_context(open_env_described(plan.env))
        return env, used, load_model(plan.config.model)
    except (EnvError, ModelUnavailable, ModelFailed) as e:
        raise _SetupFailed(str(e)) from None
    except Exception as e:  # a bug of ours, not bad input: say so, without a traceback (it is in the -v log)
        log.info("setup failed", exc_info=True)
        raise _SetupFailed(f"{type(e).__name__} in qwen2vl-agent while starting: {e}", exit_codes.FAULT) from None


def _episode(
    plan: Plan, env: Env, used: dict[str, Any], model: Model, out_dir: Path,
    gate: SignalGate,
) -> EpisodeResult:  # fmt: skip
    from qwen2vl_agent.model.streaming import watching

    from ..live import live_view
    from ..policy import QwenPolicy
    from ..prompt_log import PromptLog
    from ..recorder import TrajectoryRecorder

    meta = {"env": used, "model": spec_label(plan.config.model), "policy": plan.policy.model_dump()}
    dry = plan.config.dry_run
    recorder = TrajectoryRecorder(out_dir, {**meta, "dry_run": True} if dry else meta, video=plan.config.video)
    hooks: list[Any] = [recorder]
    if dry:
        env = _dry(env, hooks)
    env = _guarded(plan.config.safety, env)
    agent = QwenPolicy(model, env.action_space, plan.policy)
    hooks.append(PromptLog(agent, out_dir))
    with live_view(None if plan.config.quiet else sys.stderr, plan.loop.max_steps) as view:
        if view is not None:
            hooks.append(view)
        with watching(model, view):  # the rich view counts tokens as a streaming backend makes them
            return run_to_end(env, agent, plan.task, plan.loop, hooks, gate)


def _guarded(safety: SafetyConfig, env: Env) -> Env:
    from ..handoff import guard

    return guard(env, policy=safety.policy, confirm=safety.confirm, call_user=safety.call_user)


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
