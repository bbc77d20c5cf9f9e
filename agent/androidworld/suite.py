"""Running a suite of AndroidWorld tasks with our agent, as AndroidWorld's ``run.py`` does for its own agents.

``run.py`` picks agents from a fixed list, so this builds the same run from AndroidWorld's parts: the env
(``env_launcher.load_and_setup_env``, an emulator already running), the suite (``registry.TaskRegistry`` and
``suite_utils.create_suite``), ``QwenAgent`` with ``run.py``'s transition pause (0.2 s on MiniWoB, otherwise
the wait for a stable screen), and ``suite_utils.run`` with its incremental checkpointer (a run resumes from
its checkpoint directory). Imports AndroidWorld when called, never at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.model import Model

from ..policy import PolicyConfig

MINIWOB_TRANSITION_PAUSE = 0.2  # run.py's: MiniWoB pages change quickly


class SuiteConfig(BaseModel):
    """One suite run (the defaults are ``run.py``'s)."""

    model_config = ConfigDict(extra="forbid")

    suite_family: str = "android_world"
    tasks: list[str] | None = Field(None, description="task names to run (default: the whole family)")
    n_task_combinations: int = Field(1, ge=1, description="instances per task")
    seed: int = 30
    fixed_task_seed: bool = False
    checkpoint_dir: Path | None = Field(None, description="resume (or start) this run directory")
    output_path: Path = Path("~/android_world/runs")
    console_port: int = 5554
    grpc_port: int = 8554
    adb_path: str | None = Field(None, description="default: AndroidWorld's DEFAULT_ADB_PATH")
    emulator_setup: bool = Field(False, description="install and set up the apps first (once per emulator)")


def load_env(config: SuiteConfig) -> Any:
    """The AndroidWorld env on the running emulator (``env_launcher.load_and_setup_env``)."""
    from android_world.env import android_world_controller, env_launcher

    return env_launcher.load_and_setup_env(
        console_port=config.console_port,
        emulator_setup=config.emulator_setup,
        adb_path=config.adb_path or android_world_controller.DEFAULT_ADB_PATH,
        grpc_port=config.grpc_port,
    )


def create_suite(config: SuiteConfig) -> Any:
    """The ``suite_utils.Suite`` of ``config``'s family and tasks (no env, as ``run.py`` builds it)."""
    from android_world import registry, suite_utils

    suite = suite_utils.create_suite(
        registry.TaskRegistry().get_registry(family=config.suite_family),
        n_task_combinations=config.n_task_combinations,
        seed=config.seed,
        tasks=config.tasks,
        use_identical_params=config.fixed_task_seed,
    )
    suite.suite_family = config.suite_family
    return suite


def run_suite(
    model: Model, config: SuiteConfig, policy: PolicyConfig | None = None, *, env: Any = None, suite: Any = None
) -> list[dict[str, Any]]:
    """Run ``suite`` (default: ``create_suite(config)``) with ``QwenAgent`` on ``env`` (default: ``load_env``,
    closed afterwards); AndroidWorld's episode metadata, one dict per instance (also checkpointed)."""
    from android_world import checkpointer, suite_utils

    from .agent import QwenAgent

    own_env = env is None
    env = load_env(config) if own_env else env
    try:
        suite = suite if suite is not None else create_suite(config)
        pause = MINIWOB_TRANSITION_PAUSE if config.suite_family.startswith("miniwob") else None
        agent = QwenAgent(env, model, config=policy, transition_pause=pause)
        directory = config.checkpoint_dir or checkpointer.create_run_directory(str(config.output_path.expanduser()))
        return suite_utils.run(suite, agent, checkpointer=checkpointer.IncrementalCheckpointer(str(directory)))
    finally:
        if own_env:
            env.close()


def suite_imports() -> None:
    """Import what a suite run needs of AndroidWorld (``ModuleNotFoundError`` when it is not installed)."""
    from android_world import checkpointer, registry, suite_utils  # noqa: F401
    from android_world.env import env_launcher  # noqa: F401
