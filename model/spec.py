"""Model specs as typed data: one pydantic model per backend, joined in ``ModelSpec`` and tagged by ``kind``.

A spec says which backend answers and how it is configured; ``factory.load_model`` builds it. The string forms
``--model`` accepts are parsed here and only here (``parse_model_spec``), so ``--model PATH`` and a config
file's ``[model]`` table with ``kind = "hf"`` and ``model = PATH`` are the same spec:

- ``tiny``: the offline tiny checkpoint (``TinySpec``, the transformers options); ``tiny:ARCH`` one of another
  architecture (``qwen2_5_vl``, ``qwen3_vl``);
- a checkpoint directory or a hub id such as ``Qwen/Qwen2-VL-2B-Instruct`` (``HFSpec``);
- ``openai:URL[#MODEL]`` (``OpenAISpec``: the ``OpenAIModelConfig`` fields);
- ``scripted:FILE`` (``ScriptedSpec``: a JSON array of replies).

Anything else (an unknown ``scheme:``, ``hf:`` included: a bare path or hub id is the hf kind; a URL
without ``openai:``; a name the hub would reject) is a ``ModelUnavailable`` listing these forms.
Importing this module is cheap (pydantic only).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .arches import ARCHES, DEFAULT_ARCH, Arch
from .base import ModelUnavailable
from .config import HFModelConfig, HFOptions
from .loading import is_local_spec
from .openai_config import OpenAIModelConfig, parse_spec, redact_spec

log = logging.getLogger(__name__)

SPEC_FORMS = (
    "tiny, tiny:ARCH, scripted:FILE, openai:URL[#MODEL], a checkpoint directory, "
    "or a Hugging Face hub id such as Qwen/Qwen2-VL-2B-Instruct"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# The shape huggingface_hub.utils.validate_repo_id accepts (checked here without importing the hub client).
_HUB_ID = re.compile(r"(?:[\w.-]+/)?[\w.-]+")


class TinySpec(HFOptions):
    """An offline tiny checkpoint of ``arch`` (built once into the cache), run by the transformers backend."""

    kind: Literal["tiny"] = "tiny"
    arch: Arch = Field(DEFAULT_ARCH, description="the architecture of the tiny checkpoint")


class HFSpec(HFModelConfig):
    """A Qwen2-VL checkpoint (``model``: a local directory or a hub id) run in process by transformers."""

    kind: Literal["hf"] = "hf"


class OpenAISpec(OpenAIModelConfig):
    """A model behind an OpenAI-compatible server; the fields are ``OpenAIModelConfig``'s."""

    kind: Literal["openai"] = "openai"


class ScriptedSpec(BaseModel):
    """Replies read from ``file`` (a JSON array of strings), one per call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["scripted"] = "scripted"
    file: Path


ModelSpec = Annotated[Union[TinySpec, HFSpec, OpenAISpec, ScriptedSpec], Field(discriminator="kind")]
MODEL_SPECS: tuple[type[BaseModel], ...] = (TinySpec, HFSpec, OpenAISpec, ScriptedSpec)
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ModelSpec)
_IGNORED_WHY = {
    "scripted": "the scripted model takes no options",
    "openai": "they do not apply to a model served over HTTP",
}


def parse_model_spec(text: str) -> ModelSpec:
    """The typed spec a ``--model`` string names (see the module docstring); ``ModelUnavailable`` if none."""
    return spec_from_data(spec_fields(text))


def spec_fields(text: str) -> dict[str, Any]:
    """The fields (``kind`` included) a ``--model`` string sets, unvalidated."""
    match text.partition(":"):
        case ("tiny", "", ""):
            return {"kind": "tiny"}
        case ("tiny", ":", arch):
            if arch not in ARCHES:
                raise ModelUnavailable(f"no tiny checkpoint of {arch!r}; tiny:ARCH takes one of {', '.join(ARCHES)}")
            return {"kind": "tiny", "arch": arch}
        case ("scripted", ":", path):
            return {"kind": "scripted", "file": path}
        case ("openai", ":", rest):
            return {"kind": "openai", **parse_spec(rest)}
        case _:
            _check_spec(text)
            return {"kind": "hf", "model": text}


def spec_from_data(data: Any) -> ModelSpec:
    """A spec from a string or a mapping with ``kind`` (a config file's ``[model]``); ``ModelUnavailable``
    names the first bad field."""
    if isinstance(data, str):
        data = spec_fields(data)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as e:
        raise ModelUnavailable(f"bad model options: {first_error(e)}") from None


def with_options(spec: ModelSpec, options: dict[str, Any]) -> ModelSpec:
    """``spec`` with ``options`` applied; ``None`` values are ignored, and so are (with a warning) fields of
    another backend (so one set of CLI options serves every backend); a field of none is a ``ModelUnavailable``."""
    given = {k: v for k, v in options.items() if v is not None and k != "kind"}
    fields = type(spec).model_fields
    ignored = sorted(k for k in given if k not in fields and any(k in s.model_fields for s in MODEL_SPECS))
    if ignored:
        why = _IGNORED_WHY.get(spec.kind, f"the {spec.kind} backend has no such options")
        log.warning("ignoring %s: %s", ", ".join(ignored), why)
    applied = {k: v for k, v in given.items() if k not in ignored}
    if not applied:
        return spec
    return spec_from_data({**spec.model_dump(exclude_unset=True), "kind": spec.kind, **applied})


def spec_label(spec: ModelSpec) -> str:
    """The spec as a ``--model`` string that may be shown or recorded (secrets in an URL redacted)."""
    match spec:
        case TinySpec():
            return "tiny" if spec.arch == DEFAULT_ARCH else f"tiny:{spec.arch}"
        case HFSpec():
            return spec.model
        case ScriptedSpec():
            return f"scripted:{spec.file}"
        case OpenAISpec():
            return redact_spec(f"openai:{spec.base_url}" + (f"#{spec.model}" if spec.model else ""))


def first_error(error: ValidationError) -> str:
    """``where: what`` of the first problem pydantic found (the ``kind`` tag left out of the path)."""
    first = error.errors()[0]
    loc = [str(p) for p in first["loc"] if str(p) not in {s.model_fields["kind"].default for s in MODEL_SPECS}]
    return f"{'.'.join(loc) or 'options'}: {first['msg']}"


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
