"""The benchmark's phones: one simulated phone per worker slot, all on one private adb server, each of
them replaceable after a fault.

A fault leaves a phone in an unknown state (frozen, dropped by the adb server, stopped, or behind an adb
server that died), so the runner never reuses it: ``replace(slot)`` stops it and starts a fresh one, after
restarting the adb server if that no longer answers. Restarting the server is done once per death, by
whichever slot notices first (a generation count tells the others); a phone registered with an earlier
server is replaced before its slot runs anything on it. ``discard(slot)`` only stops the phone (it never
fails), leaving the fresh one to the slot's next ``phone(slot)``. ``stop()`` ends every phone and the server.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from qwen2vl_agent.envs.sim import AdbServer, AdbServerError, SimPhone

log = logging.getLogger(__name__)


class FleetError(RuntimeError):
    """No working phone could be brought up for a slot (the adb server or phones keep failing to start)."""


class Fleet:
    """``n`` phone slots sharing one adb server that this fleet owns. Use as a context manager."""

    def __init__(self, n: int, size: tuple[int, int], density: int, start_attempts: int = 3) -> None:
        self.n, self.size, self.density = n, size, density
        self.start_attempts = start_attempts
        self.server: AdbServer | None = None
        self.generation = 0  # bumped on every (re)start of the adb server
        self._slots: list[SimPhone | None] = [None] * n
        self._generations = [0] * n  # the server generation each slot's phone was (last) registered with
        self._lock = threading.Lock()  # guards the slots, the server and the generation
        self._stopped = False

    def start(self) -> Fleet:
        try:
            self.server = AdbServer().start()
            for slot in range(self.n):
                phone = self._new_phone(slot)
                with self._lock:
                    self._slots[slot] = phone
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def phones(self) -> list[SimPhone]:
        """The phones in the slots now."""
        return [phone for phone in self._slots if phone is not None]

    def phone(self, slot: int) -> SimPhone:
        """The slot's phone: a fresh one if it was discarded or registered with a server that has since died."""
        phone = self._slots[slot]
        if phone is None or self._generations[slot] != self.generation:
            return self.replace(slot)
        return phone

    def release(self, slot: int) -> None:
        """Nothing: the slot's phone is its own, kept for its next episode."""

    def discard(self, slot: int) -> None:
        """Stop the slot's phone now (never raises); the next ``phone(slot)`` starts a fresh one."""
        with self._lock:
            phone, self._slots[slot] = self._slots[slot], None
        if phone is not None:
            _stop_quietly(phone)

    def replace(self, slot: int) -> SimPhone:
        """Stop the slot's phone and start a fresh one (restarting a dead adb server first)."""
        self.discard(slot)
        seen, error = self._generations[slot], None
        for _ in range(self.start_attempts):
            try:
                seen = self._ensure_server(seen)
                phone = self._new_phone(slot)
            except FleetError:
                raise
            except Exception as e:  # the server died again, or the phone was killed while it registered
                log.warning("starting a phone for slot %d failed: %s", slot, e)
                error = e
                continue
            with self._lock:
                if not self._stopped:
                    self._slots[slot], self._generations[slot] = phone, seen
                    return phone
            _stop_quietly(phone)  # the fleet stopped meanwhile: leave nothing running
            break
        raise FleetError(f"no phone could be started for slot {slot}: {error or 'the fleet is stopped'}")

    def stop(self) -> None:
        """Stop every phone and the adb server; idempotent."""
        with self._lock:
            self._stopped = True
            phones, self._slots = self._slots, [None] * self.n
            server, self.server = self.server, None
        for phone in phones:
            if phone is not None:
                _stop_quietly(phone)
        if server is not None:
            server.stop()

    def _new_phone(self, slot: int) -> SimPhone:
        server = self.server
        if server is None:
            raise FleetError("the fleet is stopped")
        return SimPhone(slot, self.size, self.density, adb_server_port=server.port).start()

    def _ensure_server(self, seen: int) -> int:
        """A live adb server's generation; restarts the server if it is dead and nobody has since ``seen``."""
        with self._lock:
            if self._stopped:
                raise FleetError("the fleet is stopped")
            if self.server is not None and (self.generation != seen or _answers(self.server)):
                return self.generation
            old, self.server = self.server, None
            if old is not None:
                log.warning("the adb server (pid %s) stopped answering; starting another", old.pid)
                old.stop()  # reaps the dead process
            self.server = AdbServer().start()
            self.generation += 1
            return self.generation


def _answers(server: AdbServer) -> bool:
    try:
        server.request("host:version", timeout=2.0)
    except (OSError, AdbServerError):
        return False
    return True


def _stop_quietly(phone: SimPhone) -> None:
    """Stop a phone that may be broken in any way (frozen, its server gone, already stopped)."""
    with contextlib.suppress(Exception):
        phone.stop()
