"""Benchmark tasks for the simulated phone, AndroidWorld-style: seeded, set up and checked over ADB.

- ``Task``: the contract (``params(seed)``, ``setup``, ``is_successful``, ``teardown``, ``solution``).
- ``TASKS``/``SUITES``/``select``/``instance_seed``: the registry of templates and named suites.
- ``TaskDevice``: the only way a task touches a phone (adb shell, settings, SQLite over sync, content
  providers, files, foreground activity, UI dump).
- ``TaskEnv``: the wrapper whose ``reset(seed=..., options={"task": t})`` sets ``t`` up (the episode start).
- ``steps``/``ui``: typed solution steps and the selectors they resolve on screen (for the oracle).
"""

from .base import DIFFICULTIES, Difficulty, Task, TaskStateError
from .device import TaskDevice, TaskDeviceError
from .env import TaskEnv
from .registry import SUITES, TASKS, TEMPLATES, UnknownTask, get_task, instance_seed, select
from .steps import AnswerWith, Finish, Launch, PressKey, Step, TapOn, TypeText
from .ui import Selector, UiNode, hittable, parse_ui

__all__ = [
    "DIFFICULTIES", "SUITES", "TASKS", "TEMPLATES", "AnswerWith", "Difficulty", "Finish", "Launch", "PressKey",
    "Selector", "Step", "TapOn", "Task", "TaskDevice", "TaskDeviceError", "TaskEnv", "TaskStateError", "TypeText",
    "UiNode", "UnknownTask", "get_task", "hittable", "instance_seed", "parse_ui", "select",
]  # fmt: skip
