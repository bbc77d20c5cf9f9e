"""Fixtures for the OpenAI-compatible backend: tiny checkpoints, real ``transformers serve`` processes on
loopback, and a fake server (``http.server`` in a thread) that answers what a test scripts.

Checkpoints (built once per session in a temporary directory, never a user cache):

- ``tiny``: the project's tiny checkpoint, as built (``tiny_dir``, shared with the model tests: tests/conftest.py).
- ``typing``: the tiny checkpoint whose ``generation_config.json`` carries a ``sequence_bias`` (a
  standard transformers setting, applied by any server with no code of ours involved) that starts every
  agent reply with an unfinished Type call, ``✿FUNCTION✿: Type ✿ARGS✿: {"text": "``; the rest is the
  model's own text, which depends on the prompt and the pixels. So an episode never ends early on a
  gibberish "final answer": it runs its full step budget, and every reply shows what the model saw.
- ``scripted``: the tiny checkpoint with a ``sequence_bias`` that makes it greedily answer a first step
  with a Tap and a later step with Terminate.

Servers (started once per session, together, killed by process group at the end): ``pinned_server``
runs ``transformers serve SCRIPTED`` (one model: the client discovers it), ``open_server`` runs
``transformers serve`` without a model and loads the local checkpoint each request names.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

TAP_REPLY = 'I tap the icon.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}\n✿RESULT✿'
DONE_REPLY = ': Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}<|im_end|>'
TYPE_PREFIX = '✿FUNCTION✿: Type\n✿ARGS✿: {"text": "'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------- checkpoints


@pytest.fixture(scope="session")
def typing_dir(tiny_dir: Path, helpers: SimpleNamespace) -> Path:
    return _forced_copy(tiny_dir, "typing", helpers.sequence_bias, first=TYPE_PREFIX, later=": " + TYPE_PREFIX)


@pytest.fixture(scope="session")
def scripted_dir(tiny_dir: Path, helpers: SimpleNamespace) -> Path:
    return _forced_copy(tiny_dir, "scripted", helpers.sequence_bias, first=TAP_REPLY, later=DONE_REPLY)


def _forced_copy(tiny: Path, name: str, sequence_bias: Callable[..., list], *, first: str, later: str) -> Path:
    """A copy of ``tiny`` beside it that greedily begins its reply with ``first`` after a prompt that ends
    with a screenshot (the first step) and with ``later`` after one that ends with ``✿RETURN✿`` (later
    steps). The context reaches back to the token before ``<|im_end|>``, which tells the two endings apart.
    """
    from transformers import AutoTokenizer

    target = tiny.with_name(name)
    shutil.copytree(tiny, target)
    tok = AutoTokenizer.from_pretrained(target)
    context = len(tok.encode("<|im_end|>\n<|im_start|>assistant\n")) + 1
    endings = (
        "<|vision_end|><|im_end|>\n<|im_start|>assistant\n",
        "<|vision_end|>\n✿RETURN✿<|im_end|>\n<|im_start|>assistant\n",
    )
    path = target / "generation_config.json"
    generation = json.loads(path.read_text())
    generation["sequence_bias"] = sequence_bias(tok, list(zip(endings, (first, later), strict=True)), context)
    path.write_text(json.dumps(generation))
    return target


# ---------------------------------------------------------------------------------------------- real servers


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _launch(args: list[str], log: Path) -> Served:
    port = free_port()
    cli = Path(sys.executable).with_name("transformers")
    command = [str(cli), "serve", *args, "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return Served(f"http://127.0.0.1:{port}/v1", process, log)


def _wait_ready(served: Served, deadline: float) -> None:
    health = served.url.removesuffix("/v1") + "/health"
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"transformers serve exited with {served.process.returncode}:\n{served.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(health, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"transformers serve was not ready in time:\n{served.tail()}")


def _stop(served: Served) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(served.process.pid, signal.SIGTERM)
    try:
        served.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=10)


@pytest.fixture(scope="session")
def servers(
    tmp_path_factory: pytest.TempPathFactory, scripted_dir: Path, typing_dir: Path
) -> Iterator[SimpleNamespace]:
    """Both servers, started in parallel (the start is most of this suite's time)."""
    logs = tmp_path_factory.mktemp("serve-logs")
    started: list[Served] = []
    try:
        started.append(_launch([str(scripted_dir)], logs / "pinned.log"))
        started.append(_launch([], logs / "open.log"))
        deadline = time.monotonic() + 90
        for served in started:
            _wait_ready(served, deadline)
        yield SimpleNamespace(pinned=started[0], open=started[1])
    finally:
        for served in started:
            _stop(served)


@pytest.fixture(scope="session")
def pinned_server(servers: SimpleNamespace) -> Served:
    return servers.pinned


@pytest.fixture(scope="session")
def open_server(servers: SimpleNamespace) -> Served:
    return servers.open


# ---------------------------------------------------------------------------------------------- fake server


@dataclass
class Reply:
    """One scripted answer: a status, headers and body, after a delay, or a dropped connection.

    ``trickle``: seconds between bytes (headers and body go out one byte at a time, each in time for any
    per-read timeout). ``chunked``: the body is sent with chunked encoding (no Content-Length).
    """

    status: int = 200
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0
    chunked: bool = False


def completion(text: str, *, finish: str = "stop", prompt: int = 11, completion: int = 7, **choice: Any) -> Reply:
    """A chat-completions reply carrying ``text``."""
    body = {
        "id": "x",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish, **choice}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }
    return Reply(body=body)


@dataclass
class FakeServer:
    """Answers POST /chat/completions from ``script`` (the last entry repeats) and GET /models from
    ``models``; records every request and the most requests it ever had in flight at once."""

    url: str = ""
    models: list[str] = field(default_factory=lambda: ["fake-model"])
    models_reply: Reply | None = None  # answers GET /models instead of ``models`` when set
    script: list[Reply] = field(default_factory=list)
    # Answers POST /chat/completions from the request body instead of ``script`` when set (a server whose
    # reply depends on what was asked, as vLLM's does).
    respond: Callable[[dict[str, Any]], Reply] | None = None
    requests: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = field(default_factory=list)
    peak_in_flight: int = 0
    released: threading.Event = field(default_factory=threading.Event)
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        return [body for method, _, body, _ in self.requests if method == "POST" and body is not None]

    def next_reply(self, method: str, path: str, body: dict[str, Any] | None = None) -> Reply:
        path = path.partition("?")[0]
        if method == "POST" and path.endswith("/chat/completions") and self.respond is not None:
            return self.respond(body or {})
        if method == "GET" and path.endswith("/models"):
            if self.models_reply is not None:
                return self.models_reply
            return Reply(body={"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})
        if method == "POST" and path.endswith("/chat/completions"):
            with self._lock:
                return self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return Reply(status=404, body={"detail": "Not Found"})


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def handle(self) -> None:
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # a client that gave up
                super().handle()

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw else None
            fake.requests.append((method, self.path, body, dict(self.headers)))
            reply = fake.next_reply(method, self.path, body)
            with fake._lock:
                fake._in_flight += 1
                fake.peak_in_flight = max(fake.peak_in_flight, fake._in_flight)
            try:
                if reply.delay:
                    fake.released.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on a hostile reply
            finally:
                with fake._lock:
                    fake._in_flight -= 1

        def _send(self, reply: Reply) -> None:
            body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            data = body.encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                data = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in _pieces(data, 65536)) + b"0\r\n\r\n"
            else:
                self.send_header("Content-Length", str(len(data)))
            if not reply.trickle:
                self.end_headers()
                self.wfile.write(data)
                return
            self._headers_buffer.append(b"\r\n")  # end_headers() without the flush: trickle them too
            head, self._headers_buffer = b"".join(self._headers_buffer), []
            for byte in _pieces(head + data, 1):
                if fake.released.wait(reply.trickle):
                    return
                self.wfile.write(byte)
                self.wfile.flush()

    return Handler


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@contextlib.contextmanager
def _serving(fake: FakeServer) -> Iterator[FakeServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, name="fake-openai-server", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.released.set()  # let hanging handlers finish
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    with _serving(FakeServer(script=[completion("ok")])) as fake:
        yield fake


@pytest.fixture
def other_server() -> Iterator[FakeServer]:
    """A second fake server (another origin on loopback: another port), e.g. where a redirect points."""
    with _serving(FakeServer(script=[completion("from the other server")])) as fake:
        yield fake


@pytest.fixture(scope="session")
def fakes() -> SimpleNamespace:
    """Helpers for test modules (which cannot import conftest under importlib mode)."""
    return SimpleNamespace(Reply=Reply, completion=completion, free_port=free_port)
