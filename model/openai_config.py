"""Typed configuration of the OpenAI-compatible backend, and the ``openai:URL[#MODEL]`` spec.

Importing this module is cheap (pydantic only). Secrets never live in the config: the API key is read
from the environment when the client is built (``QWEN2VL_AGENT_API_KEY``, else ``OPENAI_API_KEY``).
The key (or a ``user:password@`` in the URL) is sent only over https or to a loopback host (127.0.0.0/8,
::1, localhost); plain http to another host is refused unless ``allow_insecure_key`` is set or
``QWEN2VL_AGENT_ALLOW_INSECURE_KEY=1`` is in the environment.

Secrets may also sit in the URL (``?api-key=...``, ``user:password@``): ``redact_url`` and
``redact_spec`` give the forms that may be shown, logged or recorded.

The pixel budget (``min_pixels``/``max_pixels``) is enforced client-side: every image is resized to its
smart-resize size before it is sent, so the server's processor has nothing left to resize *provided its
own budget is at least as large* (vLLM: ``--mm-processor-kwargs '{"max_pixels": N}'`` with N >= ours).
The coordinate mapping then knows exactly what the model saw. The sizes are multiples of the processor's
patch factor (``patch_factor``: 28 for Qwen2-VL and Qwen2.5-VL, 32 for Qwen3-VL); unset, it is read from the
served model's name (``patch_factor_for``), since a server does not say which processor it runs.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .vision import DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS, FACTOR

API_KEY_ENVS = ("QWEN2VL_AGENT_API_KEY", "OPENAI_API_KEY")
INSECURE_KEY_ENV = "QWEN2VL_AGENT_ALLOW_INSECURE_KEY"
SPEC_PREFIX = "openai:"
# Query parameters shown as they are in redacted URLs; every other value is replaced by `***`.
PUBLIC_QUERY_PARAMS = frozenset({"api-version", "api_version"})


class OpenAIModelConfig(BaseModel):
    """How to reach and use an OpenAI-compatible chat-completions server (vLLM, ``transformers serve``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(description="the API root, e.g. http://127.0.0.1:8000/v1")
    # None: ask the server (GET /models) and use the only model it serves.
    model: str | None = Field(None, min_length=1)
    # "auto": send `stop`; if the server answers such a request with a 5xx, retry it once without `stop`
    # and stop sending it (transformers serve fails every Qwen2-VL request that has `stop`). Stop
    # strings are cut client-side in every case.
    send_stop: bool | Literal["auto"] = "auto"
    connect_timeout_s: float = Field(5.0, gt=0)
    # Longest wait for one whole reply (headers and body), per attempt. A reply that is not complete by
    # then fails at once (never resent: the server may still be generating it, and a resend would double
    # its load).
    timeout_s: float = Field(120.0, gt=0)
    # Replies are untrusted: a body larger than this (after decompression) fails the request, and so
    # does a reply text longer than max_reply_chars (before stop strings are cut).
    max_response_bytes: int = Field(8 * 2**20, ge=1024)
    max_reply_chars: int = Field(100_000, ge=1)
    # Send the API key over plain http to a host that is not loopback (see the module docstring).
    allow_insecure_key: bool = False
    # Extra attempts after a connection error or a 5xx, waiting backoff_s, 2*backoff_s, ... (capped).
    retries: int = Field(2, ge=0, le=10)
    backoff_s: float = Field(0.5, ge=0)
    max_backoff_s: float = Field(8.0, ge=0)
    # The processor's resize factor (patch size x spatial merge); None: from the model's name (patch_factor_for).
    patch_factor: int | None = Field(None, ge=2)
    min_pixels: int = Field(DEFAULT_MIN_PIXELS, ge=FACTOR * FACTOR)
    max_pixels: int = Field(DEFAULT_MAX_PIXELS, ge=FACTOR * FACTOR)
    # Upper bound on new tokens; a call's own max_new_tokens is capped by it.
    max_new_tokens: int = Field(512, ge=1)
    # 0 is greedy (the same replies as the in-process backend); the server's sampling otherwise.
    temperature: float = Field(0.0, ge=0)
    seed: int | None = None
    # Requests on the wire at once from this client, whichever threads send them (the phones of a local
    # benchmark share one client); more wait their turn, their timeout_s not yet running. Also the size of
    # the connection pool and of generate_batch's threads. Per process: see the README on Ray.
    max_concurrency: int = Field(
        16, ge=1, le=1024, description="openai backend: requests in flight to the server at once from this process"
    )
    # Engine-specific request fields merged into every request (CLI: --model-extra-body JSON), e.g. vLLM's
    # {"repetition_penalty": 1.05}. They override the backend's defaults ({"skip_special_tokens": false},
    # dropped by itself for a server that refuses it); a server that refuses one of these fails the request.
    extra_body: dict[str, Any] = Field(default_factory=dict)
    # Compare the server's usage.prompt_tokens with our count of the request; a mismatch (the server resized
    # the images again) fails the request with PromptMismatch. Exact with the checkpoint's tokenizer (see
    # model.prompt_count), bounded without it.
    check_prompt_tokens: bool = True
    # Where that tokenizer is: a checkpoint directory, its tokenizer.json or a hub id in the local cache.
    # None: the served model's name, when it is one of those.
    tokenizer: str | None = None
    # Check at load time that the server answers (and discover the model name).
    probe: bool = True

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        return normalise_base_url(url)

    @model_validator(mode="after")
    def _check_budget(self) -> OpenAIModelConfig:
        if self.min_pixels > self.max_pixels:
            raise ValueError(f"min_pixels ({self.min_pixels}) is larger than max_pixels ({self.max_pixels})")
        return self

    def factor_for(self, model: str | None) -> int:
        """The patch factor images are resized with for the served ``model``: ``patch_factor`` if set."""
        return self.patch_factor or patch_factor_for(model)


# Qwen3-VL cuts 16 px patches (factor 32); every other family we know (Qwen2-VL, Qwen2.5-VL and the fine-tunes
# of both: UI-TARS, GUI-Owl, OS-Atlas) 14 px ones (factor 28). The same name pattern picks the qwen3vl dialect.
_QWEN3_VL = re.compile(r"qwen3[-_.]?vl", re.IGNORECASE)
QWEN3_VL_FACTOR = 32


def patch_factor_for(model: str | None) -> int:
    """The patch factor of a served model, from its name: 32 when it names Qwen3-VL, else 28."""
    return QWEN3_VL_FACTOR if model and _QWEN3_VL.search(model) else FACTOR


def normalise_base_url(url: str) -> str:
    """``url`` without a trailing slash; a bare ``http://host:port`` gets the usual ``/v1`` path.

    Raises ``ValueError`` for anything that is not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL such as http://127.0.0.1:8000/v1, got {redact_url(url)!r}")
    if parts.fragment:
        raise ValueError(
            f"the URL {redact_url(url)!r} has a #fragment; put the model name after '#' in the spec instead"
        )
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def parse_spec(spec: str) -> dict[str, str]:
    """``URL[#MODEL]`` (the part after ``openai:``) as config fields: ``base_url`` and maybe ``model``."""
    url, _, model = spec.removeprefix(SPEC_PREFIX).partition("#")
    return {"base_url": url, "model": model} if model else {"base_url": url}


def api_key_from_env() -> str | None:
    """The API key from the first of ``API_KEY_ENVS`` that is set and non-empty, else None."""
    return next((os.environ[name] for name in API_KEY_ENVS if os.environ.get(name)), None)


def api_key_allowed(url: str, config_allows: bool) -> bool:
    """Whether credentials may go to ``url``: https, a loopback host, or an explicit opt-in."""
    parts = urlsplit(url)
    if parts.scheme == "https" or config_allows or os.environ.get(INSECURE_KEY_ENV) == "1":
        return True
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it could resolve anywhere
        return False


def has_userinfo(url: str) -> bool:
    """Whether ``url`` carries ``user[:password]@`` (credentials httpx sends as basic auth)."""
    return bool(_USERINFO.match(url))


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")


def redact_url(url: str) -> str:
    """``url`` with its userinfo replaced by ``***`` and every query value but ``PUBLIC_QUERY_PARAMS``'
    too; works on any string (text that is not a URL is redacted the same way)."""
    url = _USERINFO.sub(r"\1***@", url)
    head, mark, rest = url.partition("?")
    if not mark:
        return url
    query, hash_mark, fragment = rest.partition("#")
    items = []
    for item in query.split("&"):
        name, eq, value = item.partition("=")
        if not eq:
            items.append("***" if name else "")
        elif value and name.lower() not in PUBLIC_QUERY_PARAMS:
            items.append(f"{name}=***")
        else:
            items.append(item)
    return f"{head}?{'&'.join(items)}{hash_mark}{fragment}"


def redact_spec(spec: str) -> str:
    """A ``--model`` spec that may be shown or recorded: an ``openai:URL[#MODEL]`` spec with its URL
    redacted (``redact_url``); other specs (paths, hub ids, ``tiny``) are returned as they are."""
    if not spec.startswith(SPEC_PREFIX):
        return spec
    url, mark, model = spec.removeprefix(SPEC_PREFIX).partition("#")
    return f"{SPEC_PREFIX}{redact_url(url)}{mark}{model}"
