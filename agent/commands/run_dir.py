"""The episode directory of ``qwen2vl-agent run``: claimed before anything slow starts, never shared, never
silently reused.

A directory is claimed by creating its ``meta.json`` exclusively, so two runs can never write into the same
one: the default ``runs/<time>-<task>`` gets a ``-2``, ``-3``... suffix when another run took the name (in the
same second), and an explicit ``--out`` must be new or empty, or hold a run that ``--force`` replaces.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

RUN_FILE = re.compile(
    r"meta\.json|steps\.jsonl|result\.json|score\.json|report\.html|final\.png|step_\d{3,}\.png|prompt_\d{3,}\.txt"
    r"|episode\.gif|episode(\.tmp)?\.mp4|[\w.-]+\.tmp"
)
"""What a run writes into its directory (``recorder.py``); ``--force`` deletes nothing else."""

_SUFFIXES = 1000


class RunDirError(Exception):
    """The directory cannot be used; the message is one line for the user."""


class RunDir:
    """A claimed episode directory. ``release()`` undoes the claim while nothing has been recorded yet."""

    def __init__(self, path: Path, created: bool) -> None:
        self.path = path
        self._created = created

    def release(self) -> None:
        """Remove the claim (and the directory, if this run created it) so the same command can be repeated."""
        try:
            (self.path / "meta.json").unlink(missing_ok=True)
            if self._created:
                self.path.rmdir()
        except OSError:  # something was written meanwhile: leave it
            pass


def claim(out: Path | None, task: str, meta: dict[str, Any], *, force: bool = False) -> RunDir:
    """Claim ``out`` (or a fresh default directory for ``task``) and write ``meta`` as its first file."""
    if out is None:
        path, created = _unique_default(task), True
    else:
        path, created = out, _prepare(out, force)
    try:
        fd = os.open(path / "meta.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise RunDirError(f"--out {path}: another run is using this directory") from None
    except OSError as e:
        raise RunDirError(f"--out {path}: cannot write there: {e.strerror or e}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=2, default=str)
    return RunDir(path, created)


def default_dir(task: str) -> Path:
    """``runs/<time>-<task slug>`` (not yet unique: ``claim`` adds a suffix when the name is taken)."""
    slug = re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-")[:40] or "task"
    return Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"


def _unique_default(task: str) -> Path:
    base = default_dir(task)
    _mkdirs(base.parent)
    for n in range(1, _SUFFIXES + 1):
        path = base if n == 1 else base.with_name(f"{base.name}-{n}")
        try:
            os.mkdir(path)  # exclusive: of two runs in the same second, one gets the next suffix
            return path
        except FileExistsError:
            continue
        except OSError as e:
            raise RunDirError(f"cannot create {path}: {e.strerror or e}") from None
    raise RunDirError(f"{base}: {_SUFFIXES} runs of this task started in the same second; pass --out")


def _prepare(out: Path, force: bool) -> bool:
    """Make ``out`` ready to claim; True when this run created it."""
    if not out.exists():
        _mkdirs(out.parent)
        try:
            os.mkdir(out)
            return True
        except FileExistsError:
            pass  # created meanwhile: checked below like any existing directory
        except OSError as e:
            raise RunDirError(f"--out {out}: cannot create it: {e.strerror or e}") from None
    if not out.is_dir():
        raise RunDirError(f"--out {out}: exists and is not a directory")
    entries = sorted(out.iterdir())
    if entries and not force:
        raise RunDirError(
            f"--out {out}: already holds files; choose another directory, or pass --force to replace a run"
        )
    foreign = [e.name for e in entries if not (RUN_FILE.fullmatch(e.name) and e.is_file() and not e.is_symlink())]
    if foreign:
        raise RunDirError(f"--out {out}: --force replaces only what a run writes, and {foreign[0]!r} is not that")
    for entry in entries:
        try:
            entry.unlink()
        except OSError as e:
            raise RunDirError(f"--out {out}: cannot replace {entry.name}: {e.strerror or e}") from None
    return False


def _mkdirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunDirError(f"--out: cannot create {path}: {e.strerror or e}") from None
