"""Where benchmark instances run: the executor interface, and the local executor (phones on this machine).

The runner (``runner.BenchRunner``) is the driver: it submits instances, reads the stream of finished
attempts, decides what a fault means (submit the instance again, up to ``retries`` more times, or write the
error), and alone writes ``results.jsonl``, the trajectories' final place and the summary. An executor only
runs attempts: ``LocalExecutor`` on P phones here (simulated phones, or a pool of real devices), and
``ray_executor.RayExecutor`` as Ray tasks on the nodes of a cluster. The driver is the same for both.

An executor yields one ``Attempt`` per submitted attempt, in the order they finish; an attempt it could not
finish because the machine running it was lost comes back as an infrastructure error (so the driver can
submit it again). ``cancel()`` (on Ctrl-C) stops work in flight: attempts cut short are never yielded.
"""

from __future__ import annotations

import io
import logging
import queue
import tarfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .config import BenchConfig, Instance
from .fleet import FleetError
from .instance import run_instance
from .results import EpisodeRecord

if TYPE_CHECKING:
    from .policies import PolicySource

log = logging.getLogger(__name__)

MAX_TRAJECTORY_BYTES = 256 * 2**20  # a trajectory shipped back larger than this is dropped (the record stays)


@dataclass
class Attempt:
    """One finished try of an instance. ``trajectory``: the episode directory as a gzipped tar when it was
    written away from the driver's run directory (on a cluster node), None when it is already in place."""

    inst: Instance
    number: int  # 1 for the first try
    record: EpisodeRecord
    trajectory: bytes | None = None


class Executor(ABC):
    """Runs attempts of instances; a context manager (``__exit__`` cancels what is still running)."""

    @abstractmethod
    def submit(self, inst: Instance, number: int = 1) -> None:
        """Queue attempt ``number`` of ``inst``; it runs when a device is free."""

    @abstractmethod
    def stream(self) -> Iterator[Attempt]:
        """Every submitted attempt as it finishes, including those submitted while iterating; ends when none
        is outstanding (or when no device is left to run them: the rest are then never yielded)."""

    @abstractmethod
    def cancel(self) -> None:
        """Stop everything in flight now; nothing cut short is yielded. Idempotent."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def lost_record(inst: Instance, config: BenchConfig, why: str) -> EpisodeRecord:
    """An infrastructure error for an attempt whose machine was lost before it could report."""
    cls = inst.task
    return EpisodeRecord(
        task=cls.name, instance=inst.index, seed=inst.seed, goal="", difficulty=cls.difficulty,
        complexity=cls.complexity, max_steps=cls.max_steps(config.max_steps_factor), success=None,
        outcome="error", error_kind="infrastructure", exception=why[:500], started_at=time.time(),
        trajectory=f"trajectories/{inst.dirname}", policy=config.policy,
    )  # fmt: skip


def pack(directory: Path) -> bytes | None:
    """``directory`` as a gzipped tar (its files relative to it); None when it is missing or too large."""
    if not directory.is_dir():
        return None
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=".")
    data = buffer.getvalue()
    if len(data) > MAX_TRAJECTORY_BYTES:
        log.warning("%s: trajectory of %d bytes is over the limit; not shipped", directory.name, len(data))
        return None
    return data


def unpack(data: bytes, directory: Path) -> None:
    """Replace ``directory`` with the files of ``pack``'s tar (members leaving it are refused)."""
    import shutil

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(directory, filter="data")


class Phones(Protocol):
    """What the local executor takes its devices from, one slot per device."""

    def phone(self, slot: int) -> Any:
        """The slot's device, ready for an episode (a fresh one after a discard)."""

    def release(self, slot: int) -> None:
        """The slot's episode is over: a pool gives its device back (the next ``phone`` may hand out
        another); never raises."""

    def discard(self, slot: int) -> None:
        """Forget the slot's device after a fault; never raises."""

    def stop(self) -> None:
        """Release every device; idempotent."""


class LocalExecutor(Executor):
    """``slots`` phones on this machine, one attempt per phone at a time. ``fleet`` hands out the phones
    (``phone(slot)``, ``discard(slot)``, ``stop()``): simulated phones (``fleet.Fleet``) or real devices
    (``devices.DevicePool``); the executor owns it and ``source`` and closes both on exit."""

    def __init__(self, config: BenchConfig, fleet: Phones, slots: int, source: PolicySource) -> None:
        self.config, self.fleet, self.slots, self.source = config, fleet, slots, source
        self._work: queue.Queue[tuple[Instance, int]] = queue.Queue()
        self._done: queue.Queue[Attempt | None] = queue.Queue()  # None: a slot went out of service
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outstanding = 0

    def submit(self, inst: Instance, number: int = 1) -> None:
        self._outstanding += 1
        self._work.put((inst, number))

    def stream(self) -> Iterator[Attempt]:
        if not self._threads:
            self._threads = [threading.Thread(target=self._worker, args=(slot,), daemon=True, name=f"bench-{slot}")
                             for slot in range(self.slots)]  # fmt: skip
            for t in self._threads:
                t.start()
        alive = self.slots
        while self._outstanding and alive:
            try:
                item = self._done.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                alive -= 1
                continue
            self._outstanding -= 1
            yield item

    def cancel(self) -> None:
        self._stop.set()  # attempts cut short by the shutdown are dropped, not yielded
        self.fleet.stop()
        for t in self._threads:  # their phones are gone, so they end soon
            t.join(timeout=self.config.device_timeout_s + 5)
        self.source.close()

    def _worker(self, slot: int) -> None:
        while not self._stop.is_set():
            try:
                inst, number = self._work.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                phone = self.fleet.phone(slot)
            except Exception as e:  # the fleet could not give a phone: this slot is out of service
                log.error("phone slot %d is out of service: %s", slot, e, exc_info=not isinstance(e, FleetError))
                self._work.put((inst, number))  # another slot may still run it
                self._done.put(None)
                return
            record = run_instance(phone, inst, self.source, self.config)
            record.attempts = number
            if record.outcome == "error" or record.teardown_error:
                self.fleet.discard(slot)  # never reuse a phone a fault (or a bug) left in an unknown state
            else:
                self.fleet.release(slot)
            if self._stop.is_set():
                return
            self._done.put(Attempt(inst, number, record))
