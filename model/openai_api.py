"""The OpenAI-compatible backend: the same policy served by vLLM (or ``transformers serve``) over HTTP.

``load_openai("http://host:8000/v1#Qwen/Qwen2-VL-7B-Instruct")`` (what ``--model openai:URL[#MODEL]``
does) builds an ``OpenAIModel``: an ``httpx`` client with explicit timeouts, shared by every thread.
Each ``generate`` sends one chat-completions request holding the conversation the in-process backend
renders (``openai_request``): a checkpoint sees the same tokens and, with torchvision installed, the
same pixels whichever backend serves it.

Contract, beyond ``model.base.Model``:

- Stop strings are cut client-side whatever the server did. ``send_stop`` says whether the request
  carries them (``"auto"``: yes, until the server fails such a request with a 5xx).
- Greedy by default (``temperature`` 0); the server applies the checkpoint's repetition penalty.
- Bounded in time: a connect attempt takes at most ``connect_timeout_s``; connection errors, 5xx and
  429 replies are retried ``retries`` times with doubling backoff; an attempt whose reply is not complete
  ``timeout_s`` after it started fails at once, however the server paces its bytes. Failures raise the
  typed errors of ``openai_errors`` (all ``ModelUnavailable`` or ``ModelFailed``).
- Bounded in size: a reply body over ``max_response_bytes`` or a reply text over ``max_reply_chars``
  fails the request. Redirects are never followed (they are a setup error naming the ``Location``).
- Credentials: the API key goes only over https or to loopback unless allowed (``openai_config``);
  the URL is shown, logged and named only redacted (``redact_url``).
- Concurrency: ``generate`` may be called from many threads at once: at most ``max_concurrency`` requests
  (``--model-concurrency``) are on the wire at once, the others wait their turn, and a request's
  ``timeout_s`` starts when its turn does; ``generate_batch`` sends its conversations concurrently.
- Timings per call: ``preprocess`` (resize + encode images, build the request), ``request`` (the HTTP
  round trip, retries included), ``total``. The server's prefill/decode split is not visible here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from .base import Generation, Message, ModelFailed, ModelUnavailable
from .config import HFModelConfig
from .openai_client import make_client
from .openai_config import (
    OpenAIModelConfig,
    parse_spec,
    redact_url,
)
from .openai_errors import (
    BadReply,
    Expired,
    ServerError,
    ServerRedirected,
    ServerTimeout,
    ServerUnreachable,
    UnknownModel,
    error_for_status,
    server_message,
    too_large,
)
from .openai_request import ImageEncoder, continuation_fields, load_resizer, read_reply, request_messages
from .prompt_count import PromptCounter, check_prompt_tokens, find_counter
from .vision import BudgetedImages, PixelBudget

log = logging.getLogger(__name__)

_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

# Engine fields every request carries unless ``extra_body`` sets them. A server that refuses one (an HTTP 400
# or 422 naming it) gets the request again without it, and never again from this backend.
# skip_special_tokens: vLLM strips special tokens from replies unless told not to; the in-process backend
# keeps them (``<|box_start|>`` grounding), and greedy replies then differ.
DEFAULT_FIELDS: dict[str, Any] = {"skip_special_tokens": False}

# In-process options that mean nothing to a server; ignored (with a warning) when passed through.
_HF_ONLY = frozenset(HFModelConfig.model_fields) - frozenset(OpenAIModelConfig.model_fields)


def load_openai(spec: str, **overrides: Any) -> OpenAIModel:
    """An ``OpenAIModel`` for ``URL[#MODEL]`` (``openai:`` prefix optional); ``overrides`` are config fields.

    ``None`` overrides are ignored, transformers-only ones (device, dtype, ...) too, with a warning.
    Raises ``ModelUnavailable`` for bad options or an unreachable server.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    ignored = sorted(k for k in given if k in _HF_ONLY)
    if ignored:
        log.warning("ignoring %s: they do not apply to a model served over HTTP", ", ".join(ignored))
    try:
        config = OpenAIModelConfig(**{**{k: v for k, v in given.items() if k not in _HF_ONLY}, **parse_spec(spec)})
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"])) or "spec"
        raise ModelUnavailable(f"bad model options: {where}: {first['msg']}") from None
    return OpenAIModel(config)


class OpenAIModel(BudgetedImages):
    """A model behind an OpenAI-compatible chat-completions server; implements the ``Model`` protocol."""

    def __init__(
        self,
        config: OpenAIModelConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``transport`` replaces the network (``httpx.MockTransport`` in tests); ``sleep`` the backoff wait.

        With ``config.probe`` the server is asked for its models now: ``ServerUnreachable`` if it does not
        answer, ``UnknownModel`` if no model was named and it serves none or several.
        """
        self.config = config
        self._sleep = sleep
        self._send_stop: bool | Literal["auto"] = config.send_stop
        self._defaults = {k: v for k, v in DEFAULT_FIELDS.items() if k not in config.extra_body}
        self._lock = threading.Lock()
        # At most max_concurrency exchanges on the wire at once, from every thread of this client (the phones
        # of a local benchmark share it); the others wait their turn before their deadline starts.
        self._turns = threading.BoundedSemaphore(config.max_concurrency)
        if config.model is None and not config.probe:
            raise ModelUnavailable("name the model (openai:URL#MODEL) when the server is not probed")
        self._client = make_client(config, transport)
        self._label = redact_url(str(self._client.base_url).rstrip("/"))  # as messages and logs show it
        self.model: str | None = config.model
        if config.probe:
            try:
                self.model = self._resolve_model()
            except BaseException:
                self._client.close()
                raise
        # sizes in multiples of the served model's patch factor (known once the model is)
        self.budget = PixelBudget(config.min_pixels, config.max_pixels, config.factor_for(self.model))
        self._encoder = ImageEncoder(self.budget)
        self.name = f"openai:{redact_url(config.base_url)}#{self.model}"
        wanted = config.check_prompt_tokens
        self._counter: PromptCounter | None = find_counter(config.tokenizer or self.model) if wanted else None
        # generate_batch's threads; made here, not on first use, so concurrent batches cannot each make one.
        # Its threads start only when work is submitted.
        self._executor = ThreadPoolExecutor(config.max_concurrency, thread_name_prefix="openai-model")
        load_resizer()

    # ------------------------------------------------------------------ generation

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        """One reply, cut before the first stop string. ``ValueError`` for a malformed conversation."""
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
        t0 = time.perf_counter()
        wire_messages, images = request_messages(messages, self._encoder.encode)
        body: dict[str, Any] = {
            **self._defaults,
            **continuation_fields(messages),
            **self.config.extra_body,
            "model": self.model,
            "messages": wire_messages,
            "max_tokens": min(max_new_tokens, self.config.max_new_tokens),
            "temperature": self.config.temperature,
        }
        if self.config.seed is not None:
            body["seed"] = self.config.seed
        t1 = time.perf_counter()
        data = self._complete(body, [s for s in stop if s], len(images))
        t2 = time.perf_counter()
        generation = read_reply(data, stop, images, self.budget, max_chars=self.config.max_reply_chars)
        generation.timings = {"preprocess": t1 - t0, "request": t2 - t1, "total": t2 - t0}
        if self.config.check_prompt_tokens:
            check_prompt_tokens(self._counter, messages, generation, self.budget, url=self._label)
        return generation

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        """One reply per conversation, requested concurrently; in order. The first failure is raised."""
        futures = [
            self._executor.submit(self.generate, c, stop=stop, max_new_tokens=max_new_tokens) for c in conversations
        ]
        return [f.result() for f in futures]

    def list_models(self) -> list[str]:
        """The model ids the server serves (``GET /models``)."""
        response = self._send("GET", "/models", None, retries=self.config.retries)
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, server_message(response.content), url=self._label,
                model=str(self.model), images=0,
            )  # fmt: skip
        try:
            return [str(m["id"]) for m in response.json()["data"]]
        except (ValueError, KeyError, TypeError) as e:
            said = f"HTTP {response.status_code}: {server_message(response.content, 200)}"
            raise BadReply(f"{self._label}/models did not list models ({said}): {e}") from None

    # ------------------------------------------------------------------ HTTP

    def _complete(self, body: dict[str, Any], stop: list[str], images: int) -> Any:
        """POST the request (with ``stop`` as ``send_stop`` says) and return the reply's JSON; once more
        without a default field the server refused."""
        response = self._post(body, stop)
        refused = self._refused_default(response, body)
        if refused is not None:
            response = self._post({k: v for k, v in body.items() if k != refused}, stop)
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, server_message(response.content), url=self._label,
                model=str(self.model), images=images,
            )  # fmt: skip
        try:
            return response.json()
        except ValueError:
            raise BadReply(f"the server's reply is not JSON: {response.text[:300]}") from None

    def _post(self, body: dict[str, Any], stop: list[str]) -> httpx.Response:
        response = self._try_with_stop(body, stop) if stop and self._send_stop == "auto" else None
        if response is None:
            with_stop = {**body, "stop": stop} if stop and self._send_stop is True else body
            response = self._send("POST", "/chat/completions", with_stop, retries=self.config.retries)
        return response

    def _refused_default(self, response: httpx.Response, body: dict[str, Any]) -> str | None:
        """The default field of ``body`` a 400/422 reply names (dropped for good from now on), else None.
        Requests in flight when it was first refused are each refused too, and each sent again."""
        if response.status_code not in (400, 422):
            return None
        said = server_message(response.content, 2000)
        ours = (k for k in DEFAULT_FIELDS if k in body and k not in self.config.extra_body)
        refused = next((k for k in ours if k in said), None)
        with self._lock:
            if refused in self._defaults:
                status = response.status_code
                log.warning("%s refused `%s` (HTTP %d): not sending it from now on", self.name, refused, status)
                self._defaults = {k: v for k, v in self._defaults.items() if k != refused}
        return refused

    def _try_with_stop(self, body: dict[str, Any], stop: list[str]) -> httpx.Response | None:
        """``send_stop="auto"``: one attempt with ``stop``. None means "send it again without": the server
        failed it (a 5xx, or a 4xx that names ``stop``; then ``stop`` is never sent again) or was not reached.
        """
        try:
            response = self._send("POST", "/chat/completions", {**body, "stop": stop}, retries=0)
        except ServerUnreachable:
            return None
        except ServerError as e:
            if e.status == 429:  # busy, not a verdict on `stop`
                return None
            log.warning("%s failed a request with `stop` (%s): sending no `stop` from now on", self.name, e)
            self._send_stop = False
            return None
        if response.status_code >= 400 and "stop" in server_message(response.content).lower():
            log.warning("%s rejected `stop` (HTTP %d): sending no `stop` from now on", self.name, response.status_code)
            self._send_stop = False
            return None
        if response.status_code < 400:
            self._send_stop = True
        return response

    def _send(self, method: str, path: str, body: dict[str, Any] | None, *, retries: int) -> httpx.Response:
        """One request, retried after connection errors, 5xx and 429 replies; returns a reply below 500.

        ``ServerUnreachable`` or ``ServerError`` once the retries are spent; ``ServerTimeout`` at once
        when the server accepted the request but did not answer in time; ``ServerRedirected`` for a 3xx.
        """
        url = f"{self._label}{path}"
        error: ModelFailed | ModelUnavailable = ServerUnreachable(f"no attempt made to reach {url}")
        for attempt in range(retries + 1):
            if attempt:
                delay = min(self.config.max_backoff_s, self.config.backoff_s * 2 ** (attempt - 1))
                log.info("retrying %s %s in %.1f s (%s)", method, url, delay, error)
                self._sleep(delay)
            try:
                response = self._attempt(method, path, body)
            except (httpx.ReadTimeout, httpx.WriteTimeout, Expired):
                raise ServerTimeout(
                    f"{url} gave no complete reply within {self.config.timeout_s:g} s; the server is overloaded "
                    "or the request is too large (raise timeout_s, or lower max_new_tokens / --max-pixels)"
                ) from None
            except httpx.TransportError as e:  # refused, reset, DNS, connect timeout, broken connection
                error = ServerUnreachable(f"cannot reach the model server at {url}: {type(e).__name__}: {e}")
                continue
            if 300 <= response.status_code < 400:
                where = redact_url(response.headers.get("location", "(no Location)"))
                raise ServerRedirected(
                    f"the server at {url} answered HTTP {response.status_code}, a redirect to {where}. Redirects "
                    "are not followed (the request and its API key would go along): set the base URL to the "
                    "server's real address."
                )
            if response.status_code < 500 and response.status_code != 429:  # 429: busy, like a 503
                return response
            status, said = response.status_code, server_message(response.content)
            error = ServerError(f"the server at {url} answered HTTP {status}: {said}", status)
        raise error

    def _attempt(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        """One HTTP exchange, complete within ``timeout_s`` (else ``Expired``), its body read (bounded).

        httpx bounds each read, not the exchange: a server sending a byte now and then would hold the
        call for ever. So the exchange runs on a helper thread and this one waits for it until the
        deadline. A helper given up on stops at its next chunk (or read timeout) and closes its connection.
        """
        self._turns.acquire()  # the wait for a turn is not the server's time: the deadline starts after it
        deadline = time.monotonic() + self.config.timeout_s
        outcome: list[httpx.Response | BaseException] = []
        finished = threading.Event()

        def exchange() -> None:
            try:
                outcome.append(self._exchange(method, path, body, deadline))
            except BaseException as e:  # handed to the waiting thread
                outcome.append(e)
            finally:
                self._turns.release()  # when the exchange is over, not when its waiter gave up on it
                finished.set()

        try:
            threading.Thread(target=exchange, name="openai-request", daemon=True).start()
        except BaseException:
            self._turns.release()
            raise
        if not finished.wait(max(0.0, deadline - time.monotonic())):
            raise Expired
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _exchange(self, method: str, path: str, body: dict[str, Any] | None, deadline: float) -> httpx.Response:
        """Send, then read the body in chunks up to ``max_response_bytes`` and ``deadline``."""
        cap = self.config.max_response_bytes
        with self._client.stream(method, path, json=body) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise too_large(self._label + path, cap)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise too_large(self._label + path, cap)
                if time.monotonic() > deadline:
                    raise Expired
                chunks.append(chunk)
            # The body is decoded already: drop the headers that describe its encoding on the wire.
            headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
            return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks))

    def _resolve_model(self) -> str:
        """The configured model (checked against what the server lists), or the only one it serves."""
        try:
            served = self.list_models()
        except (ModelFailed, ModelUnavailable) as e:
            if isinstance(e, ServerUnreachable | ServerRedirected) or self.config.model is None:
                raise
            log.warning("could not list the server's models (%s); using %s as given", e, self.config.model)
            return self.config.model
        if self.config.model is not None:
            if self.config.model not in served:
                log.warning(
                    "%s does not list %r (it lists %s)", redact_url(self.config.base_url), self.config.model, served
                )
            return self.config.model
        if len(served) != 1:
            listed = ", ".join(served) if served else "none"
            raise UnknownModel(
                f"{redact_url(self.config.base_url)} serves {len(served)} models ({listed}); name one: openai:URL#MODEL"
            )
        return served[0]

    # ------------------------------------------------------------------ lifetime

    def describe(self) -> dict[str, Any]:
        """Where requests go and how, for ``qwen2vl-agent model info`` and logs (never the API key)."""
        return {
            "name": self.name,
            "base_url": redact_url(self.config.base_url),
            "model": self.model,
            "min_pixels": self.budget.min_pixels,
            "max_pixels": self.budget.max_pixels,
            "patch_factor": self.budget.factor,
            "send_stop": self._send_stop,
            "default_fields": dict(self._defaults),
            "prompt_check": "off" if not self.config.check_prompt_tokens else "exact" if self._counter else "bounded",
            "temperature": self.config.temperature,
            "max_concurrency": self.config.max_concurrency,
        }

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._client.close()

    def __enter__(self) -> OpenAIModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
