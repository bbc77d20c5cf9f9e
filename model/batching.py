"""Serving several episodes with one model: concurrent ``generate`` calls become one ``generate_batch``.

``BatchingModel`` wraps a backend. Each episode runs in its own thread and calls ``generate`` as usual;
a worker thread gathers the calls that arrive together (up to ``max_batch``, waiting at most
``max_wait_s`` after the first) and serves them with one ``generate_batch`` call of the backend. Calls
are grouped by their generation settings (stop strings, token limit), so a batch is always uniform.
For a greedy backend whose batched output equals its one-at-a-time output, the wrapper changes
throughput, never results.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from .base import Generation, Message, Model, ModelFailed

RECENT_BATCHES = 256
"""How many of the latest backend calls' batch sizes ``BatchingModel.batch_sizes`` keeps."""


@dataclass(eq=False)
class _Request:
    messages: Sequence[Message]
    key: tuple[tuple[str, ...], int]
    done: threading.Event = field(default_factory=threading.Event)
    result: Generation | None = None
    error: BaseException | None = None


class BatchingModel:
    def __init__(self, model: Model, *, max_batch: int = 8, max_wait_s: float = 0.05) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.model = model
        self.name = getattr(model, "name", "model")
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        # For benchmarks and tests, bounded however long the model serves: totals, and the latest batch sizes.
        self.calls = 0  # backend calls that succeeded
        self.served = 0  # requests those calls answered
        self.batch_sizes: deque[int] = deque(maxlen=RECENT_BATCHES)
        self._queue: list[_Request] = []
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._serve, name="batching-model", daemon=True)
        self._worker.start()

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return self.model.image_size(width, height)

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        request = _Request(messages, (tuple(stop), max_new_tokens))
        with self._cond:
            if self._closed:
                raise ModelFailed("the batching model is closed")
            self._queue.append(request)
            self._cond.notify_all()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        return self.model.generate_batch(conversations, stop=stop, max_new_tokens=max_new_tokens)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout=5)

    def __enter__(self) -> BatchingModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take_batch(self) -> list[_Request] | None:
        """Wait for work; return the next uniform batch, or None once closed and drained."""
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if not self._queue:
                return None
            deadline = time.monotonic() + self.max_wait_s
            while len(self._queue) < self.max_batch and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            key = self._queue[0].key
            batch = [r for r in self._queue if r.key == key][: self.max_batch]
            taken = {id(r) for r in batch}
            self._queue = [r for r in self._queue if id(r) not in taken]
            return batch

    def _serve(self) -> None:
        while (batch := self._take_batch()) is not None:
            stop, max_new_tokens = batch[0].key
            try:
                results = self.model.generate_batch(
                    [r.messages for r in batch], stop=stop, max_new_tokens=max_new_tokens
                )
                self.calls, self.served = self.calls + 1, self.served + len(batch)
                self.batch_sizes.append(len(batch))
                for request, result in zip(batch, results, strict=True):
                    request.result = result
            except BaseException as e:  # handed to every waiting caller, never lost in this thread
                for request in batch:
                    request.error = e
            for request in batch:
                request.done.set()
