"""The exit codes of ``qwen2vl-agent run`` and ``bench``, one per way a command can end.

Scripts and CI rely on these; the README and ``--help`` list them. They never overlap: a fault of the
device, the model server or the runtime is never reported as "task not done", and an interrupted run is
never reported as either.
"""

from __future__ import annotations

DONE = 0
"""``run``: the agent declared the task done. ``bench``: every selected instance was scored."""

NOT_DONE = 1
"""``run``: the episode ended without the agent declaring the task done (failure, max steps, stuck, ...)."""

SETUP = 2
"""Bad input or setup (an invalid option, an unwritable or occupied output directory, an unknown task,
a model that cannot be loaded, a device that cannot be reached): nothing ran, one line says why."""

FAULT = 3
"""An infrastructure fault ended the run (device lost, model server failed, an error in the runtime
itself), or a benchmark still has instances that ended in such a fault."""

INTERRUPTED = 130
"""Stopped by SIGINT, SIGTERM or SIGHUP; what finished is on disk and the same command can resume."""

DESCRIPTION = (
    "exit codes: 0 task done (bench: every instance scored), 1 task not done, 2 setup error, "
    "3 infrastructure fault, 130 interrupted"
)
