"""The CLIPBOARD selection, owned and served by a thread with its own X connection.

Pasting is how any Unicode text reaches an X application exactly (key-by-key typing only reaches the
characters on the keyboard map, and ``xdotool type`` loses non-ASCII characters under load). X has no
clipboard store: the owner of the CLIPBOARD selection serves its text to whoever asks. So this module

- reads the current text (``read_text``), to restore it afterwards;
- offers a text (``offer``): takes ownership, confirms it with the server before returning (pressing
  Ctrl+V earlier pastes the old content), and reports through ``Offer.taken`` when an application
  fetched the text - the moment it is safe to put the user's text back;
- keeps serving the restored text while the env lives, and on ``close(handover=True)`` hands it to
  ``xclip`` so the user's clipboard outlives the agent.

All X calls on this connection happen on the server thread (python-xlib connections are not thread-safe);
the public methods send it commands and wait for the answer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ..poll import wait_for

log = logging.getLogger(__name__)

_TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")


@dataclass
class Offer:
    """A text put on the clipboard; ``taken`` is set once an application fetched it as text."""

    text: str
    taken: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Read:
    future: Future[str | None]
    deadline: float


class ClipboardServer:
    """Owns and serves the CLIPBOARD selection of the X display ``name`` from a thread."""

    def __init__(self, name: str, xauthority: str | None = None) -> None:
        from Xlib import X, Xatom
        from Xlib.display import Display

        from .xsession import x_environment

        self._X = X
        with x_environment(name, xauthority):
            self._display = Display(name)
        self.name, self.xauthority = name, xauthority
        self._window = self._display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        atom = self._display.intern_atom
        self._clipboard, self._targets = atom("CLIPBOARD"), atom("TARGETS")
        self._utf8, self._string = atom("UTF8_STRING"), Xatom.STRING
        self._incr, self._prop = atom("INCR"), atom("QWEN2VL_AGENT_CLIPBOARD")
        self._text_atoms = {atom(t): t for t in _TEXT_TARGETS}
        self._offer: Offer | None = None
        self._reads: list[_Read] = []
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        self._stopped = False  # the thread stopped (closed, or the X server went away)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"clipboard {name}", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- public, any thread

    def read_text(self, timeout: float = 1.0) -> str | None:
        """The clipboard's text, or None (empty, not text, or the owner did not answer within ``timeout``)."""
        future: Future[str | None] = Future()
        self._call(lambda: self._start_read(future, timeout))
        return future.result(timeout + 1.0)

    def offer(self, text: str) -> Offer:
        """Own the clipboard with ``text``; returns once the X server confirms the ownership."""
        return self._call(lambda: self._own(text))

    def release(self) -> None:
        """Give the clipboard up (it is empty afterwards), if we own it."""
        self._call(self._release)

    @property
    def owned_text(self) -> str | None:
        """The text we serve now, or None."""
        offer = self._offer
        return offer.text if offer else None

    def close(self, handover: bool = True) -> None:
        """Stop serving. With ``handover``, a text we still serve goes to ``xclip`` (if installed) first."""
        if self._closed:
            return
        self._closed = True
        text = self.owned_text
        if handover and text is not None and not self._stopped:
            self._handover(text)
        self._stopped = True
        os.write(self._wake_w, b"x")
        self._thread.join(2.0)
        with contextlib.suppress(Exception):
            self._display.close()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)

    # ---------------------------------------------------------------- the server thread

    def _call(self, fn: Callable[[], Any], timeout: float = 5.0) -> Any:
        if self._stopped:
            raise RuntimeError(f"the clipboard server for {self.name} has stopped")
        future: Future[Any] = Future()
        self._commands.put((fn, future))
        os.write(self._wake_w, b"x")
        return future.result(timeout)

    def _run(self) -> None:
        fd = self._display.fileno()
        while not self._stopped:
            try:
                ready, _, _ = select.select([fd, self._wake_r], [], [], 0.05)
                if self._wake_r in ready:
                    os.read(self._wake_r, 64)
                self._run_commands()
                while self._display.pending_events():
                    self._handle(self._display.next_event())
                self._expire_reads()
            except Exception as e:  # the X server went away: fail what is pending, stop serving
                log.debug("clipboard server stops: %s", e)
                self._fail_all(e)
                return

    def _run_commands(self) -> None:
        while True:
            try:
                fn, future = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                future.set_result(fn())
            except Exception as e:
                future.set_exception(e)

    def _fail_all(self, error: Exception) -> None:
        self._stopped = True
        for read in self._reads:
            read.future.set_result(None)
        self._reads.clear()
        while not self._commands.empty():
            _, future = self._commands.get_nowait()
            future.set_exception(error)

    def _own(self, text: str) -> Offer:
        offer = Offer(text)
        self._window.set_selection_owner(self._clipboard, self._X.CurrentTime)
        owner = self._display.get_selection_owner(self._clipboard)  # a round trip: the server has it now
        if owner != self._window:
            raise RuntimeError("another client took the clipboard at once")
        self._offer = offer
        return offer

    def _release(self) -> None:
        if self._offer is not None:
            self._window.set_selection_owner(self._X.NONE, self._X.CurrentTime)
            self._display.sync()
            self._offer = None

    def _start_read(self, future: Future[str | None], timeout: float) -> None:
        if self._offer is not None:
            future.set_result(self._offer.text)
            return
        if self._display.get_selection_owner(self._clipboard) == self._X.NONE:
            future.set_result(None)
            return
        self._window.convert_selection(self._clipboard, self._utf8, self._prop, self._X.CurrentTime)
        self._display.flush()
        self._reads.append(_Read(future, time.monotonic() + timeout))

    def _expire_reads(self) -> None:
        now = time.monotonic()
        for read in [r for r in self._reads if r.deadline < now]:
            log.warning("the clipboard owner did not answer; its content cannot be restored")
            read.future.set_result(None)
            self._reads.remove(read)

    def _handle(self, event: Any) -> None:
        X = self._X
        if event.type == X.SelectionRequest:
            self._serve(event)
        elif event.type == X.SelectionClear and event.selection == self._clipboard:
            self._offer = None  # someone else copied: their text is the clipboard now
        elif event.type == X.SelectionNotify and self._reads:
            self._reads.pop(0).future.set_result(self._fetch(event))

    def _fetch(self, event: Any) -> str | None:
        if event.property == self._X.NONE:
            return None  # the owner has no text
        prop = self._window.get_full_property(self._prop, self._X.AnyPropertyType)
        self._window.delete_property(self._prop)
        if prop is None or prop.property_type == self._incr:
            log.warning("the clipboard holds a large (INCR) transfer; it cannot be restored")
            return None
        value = prop.value
        if isinstance(value, str):
            return value
        return bytes(value).decode("latin-1" if prop.property_type == self._string else "utf-8", "replace")

    def _serve(self, event: Any) -> None:
        from Xlib.protocol import event as xevent

        X, offer = self._X, self._offer
        prop = event.property if event.property != X.NONE else event.target  # obsolete clients
        served = X.NONE
        if offer is not None and event.selection == self._clipboard:
            if event.target == self._targets:
                atoms = [self._targets, *self._text_atoms]
                event.requestor.change_property(prop, self._display.intern_atom("ATOM"), 32, atoms)
                served = prop
            elif event.target in self._text_atoms:
                latin = self._text_atoms[event.target] in ("STRING", "text/plain")
                data = offer.text.encode("latin-1", "replace") if latin else offer.text.encode("utf-8")
                kind = self._string if latin else self._utf8
                event.requestor.change_property(prop, kind, 8, data)
                served = prop
        notify = xevent.SelectionNotify(
            time=event.time, requestor=event.requestor, selection=event.selection, target=event.target,
            property=served,
        )  # fmt: skip
        event.requestor.send_event(notify)
        self._display.flush()
        if served != X.NONE and event.target != self._targets and offer is not None:
            offer.taken.set()

    def _handover(self, text: str) -> None:
        """Let ``xclip`` take the clipboard over, and wait until it has (our ownership is cleared)."""
        xclip = shutil.which("xclip")
        if xclip is None:
            log.warning("the restored clipboard text is lost when the agent exits: apt-get install xclip")
            return
        env = {**os.environ, "DISPLAY": self.name, "XAUTHORITY": self.xauthority or os.devnull}
        try:  # xclip forks into the background and serves the text until someone else copies
            subprocess.run(
                [xclip, "-selection", "clipboard", "-i"], input=text.encode(), env=env, timeout=5, check=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as e:
            log.warning("could not hand the clipboard to xclip: %s", e)
            return
        # The thread clears the offer on SelectionClear: xclip owns the clipboard.
        wait_for(lambda: self._offer is None or self._stopped or None, 2.0, 0.005)
        if self._offer is not None:
            log.warning("xclip did not take the clipboard over within 2 s")
