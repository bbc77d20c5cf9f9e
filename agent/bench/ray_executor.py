"""The Ray executor: every attempt of an instance is a Ray task on a node that holds a device.

Each node advertises its devices as a custom resource and a task holds one unit of it while its episode
runs, so a node runs as many episodes at once as it has devices (the name is ``BenchConfig.resource``):

- ``ray start --resources '{"sim_phone": 4}'``: simulated phones. The task runs on a phone of its worker
  process (started on its first task and reused, replaced after a fault).
- ``ray start --resources '{"android": 4}'`` on a host with 4 phones or emulators on its adb server
  (``--env android``; the node's ``$ANDROID_ADB_SERVER_PORT`` where set): the task leases one free online
  device of that server for its episode (``devices.DevicePool``: an exclusive lock across the node's
  processes), resets it through the env (``TaskEnv.reset``) and gives it back after. A device that
  disconnects mid-episode is an infrastructure fault: the driver runs the instance again, and the lease goes
  to an online device.

On the node the task runs the episode exactly as the local executor does (``run_instance``), writes the
trajectory under a temporary directory and returns it as a gzipped tar with the record
(``executor.pack``): the driver puts it in its run directory.

Faults: a task whose worker or node died (``ray.exceptions.RayError`` other than the task's own
exception) comes back as an infrastructure error, which the driver submits again while retries are left; the
task is never retried by Ray itself (``max_retries=0``), so every try is the driver's and is recorded.
``cancel()`` (Ctrl-C on the driver) cancels every task in flight (``force``: their workers are killed).

This is the only module that imports Ray; ``runner.make_executor`` imports it when ``executor == "ray"``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ray
from ray.exceptions import RayError, RayTaskError

from .config import BenchConfig, Instance
from .executor import Attempt, Executor, lost_record, pack
from .results import EpisodeRecord

if TYPE_CHECKING:
    from .fleet import Fleet

log = logging.getLogger(__name__)

# This worker process's phones, by screen (size, density): a Ray worker process runs many tasks one after
# another, and starting a phone and its adb server for each would cost more than a short episode.
_phones: dict[tuple[tuple[int, int], int], Fleet] = {}


def _fleet(config: BenchConfig) -> Fleet:
    from .fleet import Fleet

    key = (tuple(config.screen_size), config.density)
    fleet = _phones.get(key)  # type: ignore[call-overload]
    if fleet is None:
        fleet = _phones[key] = Fleet(1, config.screen_size, config.density).start()  # type: ignore[index]
    return fleet


def _device(config: BenchConfig) -> tuple[Any, Callable[[bool], None]]:
    """The device of one attempt on this node, and how to give it back after (``True``: after a fault).

    A real device is leased from the node's adb server for the attempt (``devices.DevicePool``, one slot:
    exclusive against the node's other workers and any ``run`` there, waited for while all are busy), and
    given back after; a simulated phone is this worker's own, replaced after a fault."""
    if config.env == "android":
        from .devices import DevicePool, node_adb

        host, port = node_adb(config.adb_host, config.adb_port)
        serials = None if config.devices.strip() == "all" else tuple(s.strip() for s in config.devices.split(","))
        pool = DevicePool(serials, host, port)
        return pool.phone(0), lambda fault: pool.stop()
    fleet = _fleet(config)
    return fleet.phone(0), lambda fault: fleet.discard(0) if fault else None


def run_attempt(inst: Instance, number: int, config: BenchConfig) -> Attempt:
    """One attempt on this node (the body of the Ray task); never raises."""
    from .fleet import FleetError
    from .instance import classify, describe

    with tempfile.TemporaryDirectory(prefix="qwen2vl-bench-") as tmp:
        here = config.model_copy(update={"out": Path(tmp)})
        try:
            device, give_back = _device(config)
        except Exception as e:  # no device could be had here: another try may find one elsewhere
            kind = "infrastructure" if isinstance(e, FleetError) else classify(e)
            record = lost_record(inst, config, describe(e, kind))
            record.error_kind = kind
        else:
            record = _episode(device, inst, here, give_back)
        record.attempts = number
        shipped = pack(Path(tmp) / record.trajectory) if record.trajectory else None
        return Attempt(inst, number, record, shipped)


def _episode(device: Any, inst: Instance, config: BenchConfig, give_back: Callable[[bool], None]) -> EpisodeRecord:
    """``run_instance`` on ``device``, then the device given back (as faulty when the episode faulted or its
    teardown failed: never reuse a phone left in an unknown state)."""
    from .instance import classify, describe, run_instance
    from .policies import PolicySource

    fault = True
    try:
        source = PolicySource(
            config.policy, config.model, convention=config.agent.convention, dialect=config.agent.dialect
        )
        try:
            record = run_instance(device, inst, source, config)
        finally:
            source.close()
        fault = record.outcome == "error" or bool(record.teardown_error)
        return record
    except Exception as e:  # the model could not load
        record = lost_record(inst, config, describe(e, classify(e)))
        record.error_kind = classify(e)
        return record
    finally:
        give_back(fault)


class RayExecutor(Executor):
    """Attempts as Ray tasks. Connects to ``config.ray_address`` (or ``RAY_ADDRESS``); with neither, starts
    a Ray instance on this machine whose device resource is ``config.parallel`` simulated phones, or the
    devices online on the adb server (``--env android``)."""

    def __init__(self, config: BenchConfig) -> None:
        self.config = config
        self._owned = False
        if not ray.is_initialized():
            self._owned = True
            if config.ray_address is None and "RAY_ADDRESS" not in os.environ:
                ray.init(resources={config.resource: _local_devices(config)}, log_to_driver=False)
            else:
                ray.init(address=config.ray_address, log_to_driver=False)
        self._task = ray.remote(run_attempt).options(
            num_cpus=0, resources={config.resource: 1}, max_retries=0, name="bench-episode"
        )
        self._refs: dict[Any, tuple[Instance, int]] = {}

    def submit(self, inst: Instance, number: int = 1) -> None:
        self._refs[self._task.remote(inst, number, self.config)] = (inst, number)

    def stream(self) -> Iterator[Attempt]:
        while self._refs:
            ready, _ = ray.wait(list(self._refs), num_returns=1, timeout=0.5)
            for ref in ready:
                inst, number = self._refs.pop(ref)
                yield self._result(ref, inst, number)

    def _result(self, ref: Any, inst: Instance, number: int) -> Attempt:
        try:
            return ray.get(ref)
        except RayTaskError as e:  # run_attempt never raises: the task's code itself failed (a bug of ours)
            record = lost_record(inst, self.config, f"the episode's task raised: {e}")
            record.error_kind = "internal"
        except RayError as e:  # the worker or its node died mid-episode: the driver submits it again
            log.warning("%s: its worker was lost (%s)", inst.dirname, type(e).__name__)
            record = lost_record(inst, self.config, f"the worker running it was lost: {type(e).__name__}")
        record.attempts = number
        return Attempt(inst, number, record)

    def cancel(self) -> None:
        refs, self._refs = list(self._refs), {}
        for ref in refs:
            try:
                ray.cancel(ref, force=True)
            except Exception as e:  # a task that just finished, or a node already gone
                log.debug("cancelling a task: %s", e)
        if self._owned and ray.is_initialized():
            ray.shutdown()


def _local_devices(config: BenchConfig) -> int:
    """How many episodes this machine runs at once when the executor starts Ray here itself."""
    if config.env != "android":
        return config.parallel
    from .devices import resolve

    return len(resolve(config.devices, config.adb_host, config.adb_port))
