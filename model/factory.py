"""``load_model(spec)``: a typed ``ModelSpec`` (or a ``--model`` string, parsed by ``spec.parse_model_spec``)
built into its backend.

- ``TinySpec``: the offline tiny checkpoint of its ``arch`` (Qwen2-VL by default), built once into the cache
  directory (``$QWEN2VL_AGENT_CACHE/tiny-qwen2vl``, default ``~/.cache/qwen2vl-agent/tiny-qwen2vl``; other
  architectures in ``tiny-ARCH``) and then loaded by the transformers backend exactly like a downloaded
  checkpoint.
- ``ScriptedSpec``: ``ScriptedModel.from_file(FILE)`` (a JSON array of replies).
- ``OpenAISpec``: a model behind an OpenAI-compatible server such as vLLM (``openai_api.OpenAIModel``).
- ``HFSpec``: a local checkpoint directory (loaded without touching the network) or a Hugging Face hub id
  (from the local cache, or downloaded when online).

``overrides`` are fields of any backend (``device``, ``dtype``, ``max_pixels``, ...), applied with
``spec.with_options``: ``None`` values are ignored so a CLI can pass its unset options straight through, and
so are (with a warning) fields the chosen backend lacks. Failures raise ``ModelUnavailable`` with a message
meant for the user. Importing this module is cheap; torch and transformers load only when a
transformers-backed spec is loaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from typing_extensions import assert_never

from .arches import DEFAULT_ARCH
from .base import Model, ModelUnavailable
from .config import HFModelConfig
from .scripted import ScriptedModel
from .spec import (
    SPEC_FORMS,
    HFSpec,
    ModelSpec,
    OpenAISpec,
    ScriptedSpec,
    TinySpec,
    parse_model_spec,
    spec_label,
    with_options,
)

log = logging.getLogger(__name__)

TINY = "tiny"
CACHE_ENV = "QWEN2VL_AGENT_CACHE"
__all__ = ["CACHE_ENV", "SPEC_FORMS", "TINY", "cache_dir", "ensure_tiny_checkpoint", "load_model"]


def load_model(spec: str | ModelSpec, **overrides: Any) -> Model:
    """The backend ``spec`` names, configured by ``overrides`` (see the module docstring)."""
    typed = with_options(parse_model_spec(spec) if isinstance(spec, str) else spec, overrides)
    match typed:
        case TinySpec():
            options = typed.model_dump(exclude={"kind", "arch"})
            config = HFModelConfig(**options, model=str(ensure_tiny_checkpoint(arch=typed.arch)))
            return _load_hf(config, name=spec_label(typed))
        case ScriptedSpec():
            return ScriptedModel.from_file(typed.file)
        case OpenAISpec():
            from .openai_api import OpenAIModel

            return OpenAIModel(typed)
        case HFSpec():
            return _load_hf(typed, name=typed.model)
        case _:
            assert_never(typed)


def _load_hf(config: HFModelConfig, *, name: str) -> Model:
    from .hf import HFModel

    return HFModel.load(config, name=name)


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
