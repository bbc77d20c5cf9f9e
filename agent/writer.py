"""``StepWriter``: the recorder's disk work (PNG encoding, the step line, the page) off the loop thread.

One background thread takes jobs from a bounded queue, in order: a job writes its screenshot (to a temporary
name, then renamed) before the step line that names it, so a record on disk never names an image that is not
on disk, whatever moment a kill comes at. The queue holds at most ``depth`` steps: a disk slower than the
loop makes ``submit`` wait instead of memory growing. ``drain()`` waits until every job submitted is on
disk; the recorder calls it at the end of an episode, and an exit of the interpreter drains too (``atexit``),
so every finished step is on disk when the run ends, however it ends, short of a kill.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], None]


class StepWriter:
    def __init__(self, depth: int = 4, name: str = "recorder") -> None:
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()
        ref = weakref.ref(self)
        atexit.register(lambda: (w := ref()) is not None and w.close())

    def submit(self, job: Job) -> None:
        """Queue ``job`` (waits while ``depth`` jobs are pending); raises the error of an earlier job."""
        self._raise()
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every submitted job has run; raises the first error a job raised."""
        self._jobs.join()
        self._raise()

    def close(self) -> None:
        """Drain, then stop the thread (idempotent)."""
        if self._thread.is_alive():
            self._jobs.join()
            self._jobs.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:  # after a failure, later steps are not written past a missing one
                    job()
            except BaseException as e:
                log.exception("the trajectory writer failed")
                self._error = e
            finally:
                self._jobs.task_done()
