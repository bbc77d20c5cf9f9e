"""What can go wrong talking to an OpenAI-compatible server, as typed errors with advice.

The tree (every class is one of ``model.base``'s two infrastructure faults, so the agent loop stops the
run with the message whichever it is)::

    ModelUnavailable                 the server or the model cannot be used at all
    ├── ServerUnreachable            connection refused / DNS / connect timeout, after the retries
    ├── AuthenticationFailed         HTTP 401/403
    ├── InsecureKey                  the API key would go over plain http to a host that is not loopback
    ├── ServerRedirected             HTTP 3xx: the base URL is not where the server is (never followed)
    └── UnknownModel                 the server does not serve the model named (lists what it serves)
    ModelFailed                      one request failed
    ├── ServerTimeout                no complete reply within ``timeout_s`` (never resent)
    ├── ServerError                  HTTP 5xx, after the retries
    ├── BadReply                     the reply is too large, not JSON, or not a chat completion with text
    ├── PromptMismatch               the server counted other prompt tokens than were sent (it resized again)
    └── RequestRejected              another HTTP 4xx (the server's message is kept)
        ├── ContextTooLong           prompt + max_tokens exceed the server's context (``--max-model-len``)
        └── TooManyImages            more images than the server allows (``--limit-mm-per-prompt``)

``error_for_status`` turns a status and the server's message into the right class. vLLM, the OpenAI API
and FastAPI (``transformers serve``) wrap messages differently; ``server_message`` reads all three.
"""

from __future__ import annotations

import json
import re

from .base import ModelFailed, ModelUnavailable


class ServerUnreachable(ModelUnavailable):
    pass


class AuthenticationFailed(ModelUnavailable):
    pass


class UnknownModel(ModelUnavailable):
    pass


class InsecureKey(ModelUnavailable):
    pass


class ServerRedirected(ModelUnavailable):
    pass


class BadReply(ModelFailed):
    pass


class PromptMismatch(ModelFailed):
    """The server's ``usage.prompt_tokens`` is not what the request holds: the model did not see the images
    at the sizes the records (and the coordinate mapping) say."""

    def __init__(self, message: str, reported: int, expected: str) -> None:
        super().__init__(message)
        self.reported = reported
        self.expected = expected


def prompt_mismatch(reported: int, expected: str, *, url: str, sizes: list[tuple[int, int]], tokens: list[int],
                    max_pixels: int) -> PromptMismatch:  # fmt: skip
    """The error for a reply whose prompt-token count is not ours; names both numbers and the likely cause."""
    images = ", ".join(f"{n} at {w}x{h}" for n, (w, h) in zip(tokens, sizes, strict=True)) or "none"
    return PromptMismatch(
        f"the server at {url} counted {reported} prompt tokens; the request holds {expected} (image tokens: "
        f"{images}). The server most likely resized the images again (vLLM: --mm-processor-kwargs "
        f"'{{\"max_pixels\": ...}}' below the client's {max_pixels}), so the model saw other sizes than the "
        f"records say and coordinates would be mapped wrongly. Start the server with --mm-processor-kwargs "
        f"'{{\"max_pixels\": {max_pixels}}}', or pass the server's budget as --max-pixels.",
        reported, expected,
    )  # fmt: skip


class ServerTimeout(ModelFailed):
    pass


class ServerError(ModelFailed):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RequestRejected(ModelFailed):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ContextTooLong(RequestRejected):
    pass


class TooManyImages(RequestRejected):
    pass


_CONTEXT = re.compile(r"context length|max_model_len|maximum model length|too long|exceeds? (the )?limit", re.I)
_IMAGES = re.compile(r"at most \d+ image|limit_mm_per_prompt|too many images|image\(s\) may be provided", re.I)
_MODEL = re.compile(r"model\b.*\b(does not exist|not found|unknown)|pinned to|no such model|unknown model", re.I)


def server_message(body: bytes | str, limit: int = 500) -> str:
    """The human-readable message in an error body (OpenAI, vLLM or FastAPI shape), else the raw text."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:limit] or "(empty body)"
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:limit]
        for key in ("message", "detail", "error"):
            if data.get(key):
                value = data[key]
                return (value if isinstance(value, str) else json.dumps(value))[:limit]
    return text.strip()[:limit]


def error_for_status(status: int, message: str, *, url: str, model: str, images: int) -> ModelFailed | ModelUnavailable:
    """The typed error for an HTTP error reply; ``images`` is how many the failed request carried."""
    said = f"the server at {url} answered HTTP {status}: {message.rstrip(' .')}"
    if status in (401, 403):
        return AuthenticationFailed(f"{said}. Set QWEN2VL_AGENT_API_KEY (or OPENAI_API_KEY) to the server's key.")
    if _IMAGES.search(message):
        return TooManyImages(
            f"{said}. The request had {images} images: start vLLM with --limit-mm-per-prompt "
            f"'{{\"image\": {max(images, 1)}}}' (or more), or keep fewer screenshots as images (--history-images).",
            status,
        )
    if _CONTEXT.search(message):
        return ContextTooLong(
            f"{said}. Keep fewer screenshots as images (--history-images), lower --max-pixels or max_new_tokens, "
            "or start vLLM with a larger --max-model-len.",
            status,
        )
    if _MODEL.search(message) or (status == 404 and "model" in message.lower()):
        return UnknownModel(f"{said}. The server does not serve {model!r}: name a served model after '#'.")
    if status == 404:
        return ModelUnavailable(f"{said}. Is the base URL right? It usually ends in /v1.")
    if status >= 500:
        return ServerError(said, status)
    return RequestRejected(said, status)


class Expired(Exception):
    """An attempt ran past its deadline (``ServerTimeout`` to the caller)."""


def too_large(url: str, cap: int) -> BadReply:
    return BadReply(
        f"the reply from {url} is larger than {cap} bytes (max_response_bytes): not a chat completion this "
        "client expects; check the server, or raise max_response_bytes"
    )
