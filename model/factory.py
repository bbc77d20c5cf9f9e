"""``load_model(spec)``: one string picks a backend, as ``--model`` does on the command line.

Specs:

- ``tiny``: the offline tiny Qwen2-VL checkpoint, built once into the cache directory
  (``$QWEN2VL_AGENT_CACHE/tiny-qwen2vl``, default ``~/.cache/qwen2vl-agent/tiny-qwen2vl``) and then
  loaded by the transformers backend exactly like a downloaded checkpoint.
- ``tiny:ARCH``: the same for another architecture (``qwen2_5_vl``, ``qwen3_vl``; ``tiny:qwen2_vl`` is
  ``tiny``), cached in ``tiny-ARCH``.
- ``scripted:FILE``: ``ScriptedModel.from_file(FILE)`` (a JSON array of replies).
- ``openai:URL[#MODEL]``: a model behind an OpenAI-compatible server such as vLLM
  (``openai_api.load_openai``; its overrides are ``OpenAIModelConfig`` fields).
- a local directory: a Qwen2-VL checkpoint, loaded without touching the network.
- a Hugging Face hub id (``Qwen/Qwen2-VL-2B-Instruct``), from the local cache or downloaded when online.

Anything else (an unknown ``scheme:`` prefix, a URL without ``openai:``, a name the hub would reject) is a
``ModelUnavailable`` that lists these forms; it is never looked up on the hub.

``overrides`` are ``HFModelConfig`` fields (``device``, ``dtype``, ``max_pixels``, ...); ``None`` values
are ignored so a CLI can pass its unset options straight through. Failures raise ``ModelUnavailable``
with a message meant for the user. Importing this module is cheap; torch and transformers load only
when a transformers-backed spec is loaded.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .arches import DEFAULT_ARCH
from .base import Model, ModelUnavailable
from .config import HFModelConfig
from .loading import is_local_spec
from .scripted import ScriptedModel

log = logging.getLogger(__name__)

TINY = "tiny"
CACHE_ENV = "QWEN2VL_AGENT_CACHE"
SPEC_FORMS = (
    "tiny, tiny:ARCH, scripted:FILE, openai:URL[#MODEL], a checkpoint directory, "
    "or a Hugging Face hub id such as Qwen/Qwen2-VL-2B-Instruct"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# The shape huggingface_hub.utils.validate_repo_id accepts (checked here without importing the hub client).
_HUB_ID = re.compile(r"(?:[\w.-]+/)?[\w.-]+")


def load_model(spec: str, **overrides: Any) -> Model:
    """The backend ``spec`` names (see the module docstring), configured by ``overrides``."""
    given = {k: v for k, v in overrides.items() if v is not None}
    match spec.partition(":"):
        case ("tiny", "", ""):
            return _load_hf(str(ensure_tiny_checkpoint()), name=TINY, overrides=given)
        case ("tiny", ":", arch):
            return _load_hf(str(ensure_tiny_checkpoint(arch=_arch(arch))), name=spec, overrides=given)
        case ("scripted", ":", path):
            if given:
                log.warning("ignoring %s: the scripted model takes no options", ", ".join(sorted(given)))
            return ScriptedModel.from_file(path)
        case ("openai", ":", rest):
            from .openai_api import load_openai

            return load_openai(rest, **given)
        case _:
            _check_spec(spec)
            return _load_hf(spec, name=spec, overrides=given)


def _arch(arch: str) -> str:
    from .arches import ARCHES

    if arch not in ARCHES:
        raise ModelUnavailable(f"no tiny checkpoint of {arch!r}; tiny:ARCH takes one of {', '.join(ARCHES)}")
    return arch


def _check_spec(spec: str) -> None:
    """Refuse a spec that names no backend: an unknown ``scheme:`` or a malformed hub id."""
    if Path(spec).expanduser().exists():
        return
    if _SCHEME.match(spec):
        scheme = spec.partition(":")[0]
        raise ModelUnavailable(f"unknown model spec {spec!r} (no backend is called {scheme!r}); use {SPEC_FORMS}")
    if is_local_spec(spec) or _is_hub_id(spec):
        return
    raise ModelUnavailable(f"model spec {spec!r} is neither a directory nor a valid hub id; use {SPEC_FORMS}")


def _is_hub_id(spec: str) -> bool:
    return len(spec) <= 96 and _HUB_ID.fullmatch(spec) is not None and "--" not in spec and ".." not in spec


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


def tiny_cache_name(arch: str = DEFAULT_ARCH) -> str:
    """The cache directory name of the tiny build of ``arch`` (``tiny-qwen2vl`` for the default, as before)."""
    return "tiny-qwen2vl" if arch == DEFAULT_ARCH else f"tiny-{arch}"


def ensure_tiny_checkpoint(directory: Path | None = None, arch: str = DEFAULT_ARCH) -> Path:
    """The tiny checkpoint of ``arch`` in ``directory`` (default: the cache), built there first if it is
    missing, from an older builder or of another architecture.

    Only an empty directory or an earlier tiny build is ever replaced; anything else is refused.

    The build happens in a temporary sibling directory that is renamed into place, so a concurrent or
    interrupted build never leaves a half-written checkpoint where a loader would find it.
    """
    from .tiny import build_info, build_tiny_checkpoint, is_tiny_checkpoint

    target = Path(directory) if directory is not None else cache_dir() / tiny_cache_name(arch)
    if is_tiny_checkpoint(target, arch):
        return target
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and build_info(target) is None:
        raise ModelUnavailable(f"{target} exists and is not a tiny checkpoint; choose another directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("building the tiny %s checkpoint in %s", arch, target)
    staging = Path(tempfile.mkdtemp(prefix=".tiny-", dir=target.parent))
    try:
        build_tiny_checkpoint(staging, arch=arch)
        _swap_into_place(staging, target, arch)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _swap_into_place(staging: Path, target: Path, arch: str) -> None:
    from .tiny import is_tiny_checkpoint

    if target.exists():
        if is_tiny_checkpoint(target, arch):  # another process finished first
            return
        stale = target.with_name(f"{target.name}.stale-{os.getpid()}")
        target.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:
        if not is_tiny_checkpoint(target, arch):
            raise
