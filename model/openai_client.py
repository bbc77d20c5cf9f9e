"""The HTTP client of the OpenAI-compatible backend: where requests go, with which credentials and limits."""

from __future__ import annotations

import httpx

from .openai_config import (
    INSECURE_KEY_ENV,
    OpenAIModelConfig,
    api_key_allowed,
    api_key_from_env,
    has_userinfo,
    redact_url,
)
from .openai_errors import InsecureKey


def make_client(config: OpenAIModelConfig, transport: httpx.BaseTransport | None) -> httpx.Client:
    """The shared client: its base URL without the query, which goes on every request instead.

    ``InsecureKey`` if credentials (the API key, a ``user:password@``) would go over plain http to a host
    that is not loopback without the user's leave.
    """
    base = httpx.URL(config.base_url)
    key = api_key_from_env()
    if (key or has_userinfo(config.base_url)) and not api_key_allowed(config.base_url, config.allow_insecure_key):
        raise InsecureKey(
            f"refusing to send the API key (or URL credentials) over plain http to {redact_url(config.base_url)}, "
            f"which is not loopback: use an https URL, or set {INSECURE_KEY_ENV}=1 (or allow_insecure_key) "
            "if that network is trusted"
        )
    return httpx.Client(
        base_url=base.copy_with(query=None),
        params=base.params,
        headers={"Authorization": f"Bearer {key}"} if key else {},
        # pool=None: waiting for a free connection is bounded by the attempt's deadline.
        timeout=httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s, pool=None),
        limits=httpx.Limits(max_connections=config.max_concurrency, max_keepalive_connections=None),
        follow_redirects=False,  # a redirect is an error (see _send): the key must not follow it elsewhere
        transport=transport,
    )
