"""``load_model(spec)``: one string picks a backend, as ``--model`` does on the command line.

Specs:

- ``tiny``: the offline tiny Qwen2-VL checkpoint, built once into the cache directory
  (``$QWEN2VL_AGENT_CACHE/tiny-qwen2vl``, default ``~/.cache/qwen2vl-agent/tiny-qwen2vl``) and then
  loaded by the transformers backend exactly like a downloaded checkpoint.
- ``scripted:FILE``: ``ScriptedModel.from_file(FILE)`` (a JSON array of replies).
- ``openai:URL[#MODEL]``: a model behind an OpenAI-compatible server such as vLLM
  (``openai_api.load_openai``; its overrides are ``OpenAIModelConfig`` fields).
- a local directory: a Qwen2-VL checkpoint, loaded without touching the network.
- anything else: a Hugging Face hub id (``Qwen/Qwen2-VL-2B-Instruct``), from the local cache or
  downloaded when online.

``overrides`` are ``HFModelConfig`` fields (``device``, ``dtype``, ``max_pixels``, ...); ``None`` values
are ignored so a CLI can pass its unset options straight through. Failures raise ``ModelUnavailable``
with a message meant for the user. Importing this module is cheap; torch and transformers load only
when a transformers-backed spec is loaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .base import Model, ModelUnavailable
from .config import HFModelConfig
from .scripted import ScriptedModel

log = logging.getLogger(__name__)

TINY = "tiny"
CACHE_ENV = "QWEN2VL_AGENT_CACHE"


def load_model(spec: str, **overrides: Any) -> Model:
    """The backend ``spec`` names (see the module docstring), configured by ``overrides``."""
    given = {k: v for k, v in overrides.items() if v is not None}
    match spec.partition(":"):
        case ("tiny", "", ""):
            return _load_hf(str(ensure_tiny_checkpoint()), name=TINY, overrides=given)
        case ("scripted", ":", path):
            if given:
                log.warning("ignoring %s: the scripted model takes no options", ", ".join(sorted(given)))
            return ScriptedModel.from_file(path)
        case ("openai", ":", rest):
            from .openai_api import load_openai

            return load_openai(rest, **given)
        case _:
            return _load_hf(spec, name=spec, overrides=given)


def _load_hf(source: str, *, name: str, overrides: dict[str, Any]) -> Model:
    try:
        config = HFModelConfig(**{**overrides, "model": source})
    except ValidationError as e:
        raise ModelUnavailable(f"bad model options: {_first_error(e)}") from None
    from .hf import HFModel

    return HFModel.load(config, name=name)


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "options"
    return f"{where}: {first['msg']}"


def cache_dir() -> Path:
    """Where built artefacts live: ``$QWEN2VL_AGENT_CACHE``, else ``$XDG_CACHE_HOME/qwen2vl-agent``, else
    ``~/.cache/qwen2vl-agent``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qwen2vl-agent"


def ensure_tiny_checkpoint(directory: Path | None = None) -> Path:
    """The tiny checkpoint's directory, built there first if it is missing or from an older builder.

    Only an empty directory or an earlier tiny build is ever replaced; anything else is refused.

    The build happens in a temporary sibling directory that is renamed into place, so a concurrent or
    interrupted build never leaves a half-written checkpoint where a loader would find it.
    """
    from .tiny import build_info, build_tiny_checkpoint, is_tiny_checkpoint

    target = Path(directory) if directory is not None else cache_dir() / "tiny-qwen2vl"
    if is_tiny_checkpoint(target):
        return target
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and build_info(target) is None:
        raise ModelUnavailable(f"{target} exists and is not a tiny checkpoint; choose another directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("building the tiny Qwen2-VL checkpoint in %s", target)
    staging = Path(tempfile.mkdtemp(prefix=".tiny-", dir=target.parent))
    try:
        build_tiny_checkpoint(staging)
        _swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _swap_into_place(staging: Path, target: Path) -> None:
    from .tiny import is_tiny_checkpoint

    if target.exists():
        if is_tiny_checkpoint(target):  # another process finished first
            return
        stale = target.with_name(f"{target.name}.stale-{os.getpid()}")
        target.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:
        if not is_tiny_checkpoint(target):
            raise
