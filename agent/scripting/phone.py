"""``Phone``: scripted automation of an Android phone, selectors where the UI tree knows, the model where not.

::

    from qwen2vl_agent.agent.scripting import Phone

    with Phone.simulated(seed=0) as phone:          # or Phone.connect(serial="emulator-5554"), Phone(env)
        phone.open_app("Settings")
        phone.tap(text="Network & internet")
        wifi = phone(id="switchWidget", desc="Wi-Fi")
        if not wifi.checked:
            wifi.tap()
        phone.wait_for(text="Connected to SimNet")

Points are screenshot pixels. Selector calls wait up to ``timeout`` seconds for their element (polling the
UI tree, no fixed sleeps) and fail with ``ElementNotFound`` naming what the screen showed; every action then
waits for the screen to settle (the env's settle policy). Vision steps (``locate``, ``ai_tap``, ``ai_assert``,
``ai_query``, ``agent``) come from ``Scripted``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from qwen2vl_agent.envs import Wrapper
from qwen2vl_agent.envs.android import AndroidEnv, open_android
from qwen2vl_agent.envs.android.fields import EDITABLE
from qwen2vl_agent.envs.android.settle import SettlePolicy, wait_until_settled
from qwen2vl_agent.envs.poll import wait_for
from qwen2vl_agent.envs.tasks.ui import UiNode, parse_ui
from qwen2vl_agent.model import Model
from qwen2vl_agent.tools import Back, Enter, Home, LongPress, OpenApp, Swipe, Tap, Type

from .base import POLL_S, Screen, Scripted
from .cache import ReplyCache
from .element import Direction, Element
from .selector import ElementNotFound, Selector

T = TypeVar("T")
FOCUS_WAIT_S = 2.0  # after tapping a field, how long the keyboard may take to give it focus
Target = Selector | Element | None


class Phone(Scripted):
    """An Android phone (an ``AndroidEnv``, bare or in the wrappers ``open_android`` composes) behind the
    scripting facade; see the module docstring.

    ``model``: the vision steps' model (a ``Model`` or a spec such as ``"tiny"``); ``cache``: a
    ``ReplyCache`` or a JSON file path for their replies; ``record``: a directory to write the trajectory to.
    """

    env: AndroidEnv | Wrapper

    def __init__(self, env: AndroidEnv | Wrapper, *, model: Model | str | None = None,
                 cache: ReplyCache | str | Path | None = None, record: str | Path | None = None,
                 name: str = "phone script", timeout: float = 10.0, owned: tuple[Any, ...] = ()) -> None:  # fmt: skip
        super().__init__(env, model=model, cache=cache, record=record, name=name, timeout=timeout, owned=owned)
        self.sim: Any = None  # the SimPhone behind ``Phone.simulated`` (its in-process state, for tests)

    @classmethod
    def connect(cls, serial: str | None = None, *, host: str | None = None, port: int | None = None,
                **options: Any) -> Phone:  # fmt: skip
        """A phone over adb: ``Phone.connect(serial="emulator-5554")``. ``options``: the facade's keyword
        arguments (``model``, ``cache``, ``record``, ``name``, ``timeout``), the rest ``AndroidConfig`` fields."""
        facade, config = _split(options)
        where = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
        return cls(open_android(serial, **where, **config), **facade)

    @classmethod
    def simulated(cls, seed: int = 0, *, size: tuple[int, int] = (1080, 2400), **options: Any) -> Phone:
        """A simulated phone of its own, reached through a real adb server, stopped with the facade:
        ``with Phone.simulated(seed=3) as phone: ...``. ``options`` as for ``connect``."""
        from qwen2vl_agent.envs.sim import SimPhone

        facade, config = _split(options)
        sim = SimPhone(seed=seed, size=size).start()
        try:
            env = open_android(sim.serial, host=sim.adb_host, port=sim.adb_port, **config)
        except BaseException:
            sim.stop()
            raise
        phone = cls(env, **facade, owned=(sim,))
        phone.sim = sim
        return phone

    def __call__(self, selector: Selector | None = None, **fields: Any) -> Element:
        """The element a selector names: ``phone(text="Wi-Fi")``, ``phone(id="save")``, ``phone(Selector(...))``."""
        return Element(self, Selector.of(selector, **fields))

    # ---------------------------------------------------------------- looking

    def screen(self) -> Screen:
        """The UI tree now (one ``uiautomator dump``); its screenshot is taken only if asked for."""
        self.start()
        return Screen(parse_ui(self.env.device.ui_dump()), self.observe)

    def find(self, selector: Target = None, *, timeout: float | None = None, **fields: Any) -> UiNode:
        """The node a selector names, once it is on screen; ``ElementNotFound`` after ``timeout``."""
        wanted = _selector(selector, fields)
        timeout = self.timeout if timeout is None else timeout
        last: list[list[UiNode]] = [[]]

        def probe() -> UiNode | None:
            last[0] = self.screen().nodes
            return wanted.find(last[0])

        node = wait_for(probe, timeout, POLL_S)
        if node is None:
            raise ElementNotFound(wanted, last[0], timeout, self._foreground())
        return node

    def exists(self, selector: Target = None, **fields: Any) -> bool:
        """Whether the element is on screen now: ``phone.exists(text="Wi-Fi")``."""
        return _selector(selector, fields).find(self.screen().nodes) is not None

    def get_text(self, selector: Target = None, **fields: Any) -> str:
        """The element's text (waiting for it): ``phone.get_text(id="large_title")``."""
        return self.find(selector, **fields).text

    def wait_gone(self, selector: Target = None, *, timeout: float | None = None, **fields: Any) -> None:
        """Wait until no element matches; ``TimeoutError`` naming it after ``timeout``."""
        wanted = _selector(selector, fields)
        timeout = self.timeout if timeout is None else timeout
        if wait_for(lambda: True if wanted.find(self.screen().nodes) is None else None, timeout, POLL_S) is None:
            raise TimeoutError(f"the element with {wanted.describe()} was still on screen after {timeout:g} s")

    def wait_for(self, predicate: Callable[[Screen], T] | None = None, *, text: str | None = None,
                 timeout: float | None = None) -> Any:  # fmt: skip
        """Wait until ``text`` is on screen (``phone.wait_for(text="Saved")``) or ``predicate(screen)`` is
        truthy (``phone.wait_for(lambda s: s.find(id="save") is None)``); its value. ``TimeoutError`` after
        ``timeout``, naming what the screen showed when waiting for text."""
        if (predicate is None) == (text is None):
            raise TypeError("pass either a predicate or text=")
        if predicate is not None:
            return super().wait_for(predicate, timeout=timeout)
        try:
            return self.find(text_contains=text, timeout=timeout)
        except ElementNotFound as e:
            raise TimeoutError(str(e).replace("no element with text_contains=", "no text ", 1)) from e

    def wait_until_settled(self, timeout: float | None = None) -> float:
        """Wait until the screen stops changing (the env's settle comparison); the seconds waited."""
        self.start()
        policy = self.env.config.settle or SettlePolicy()
        if timeout is not None:
            policy = SettlePolicy(timeout, policy.interval_s, policy.stable_frames, policy.tolerance)
        return wait_until_settled(lambda: self.env.capturer.grab().fingerprint(), policy).waited_s

    def _foreground(self) -> str | None:
        try:
            return self.env.device.foreground()
        except Exception:  # only for an error message: its absence must not hide the error itself
            return None

    # ---------------------------------------------------------------- acting

    def tap(self, x: int | None = None, y: int | None = None, *, selector: Target = None,
            timeout: float | None = None, **fields: Any) -> None:  # fmt: skip
        """Tap a point or an element's centre: ``tap(540, 1200)``, ``tap(text="Wi-Fi")``,
        ``tap(id="android:id/switch_widget")``, ``tap(desc="Navigate up")``."""
        self._at("tap", x, y, selector, fields, timeout, lambda point: Tap(point=point))

    click = tap

    def long_press(self, x: int | None = None, y: int | None = None, *, selector: Target = None,
                   duration_ms: int = 1000, timeout: float | None = None, **fields: Any) -> None:  # fmt: skip
        """Press and hold a point or an element: ``long_press(text="Ada Lovelace")``."""
        action = lambda point: LongPress(point=point, duration_ms=duration_ms)
        self._at("long_press", x, y, selector, fields, timeout, action)

    def swipe(self, direction: Direction = "up", *, on: Target = None, distance: float = 0.6,
              duration_ms: int = 300) -> None:  # fmt: skip
        """Swipe the finger ``direction`` across the screen or an element (``on=``): ``"up"`` shows what is
        further down a list. ``distance``: the fraction of the area's extent the finger travels."""
        if on is None:
            w, h = (self._last or self.observe()).screenshot.size
            area, args = (0, 0, w, h), {"direction": direction}
        else:
            wanted = _selector(on, {})
            area, args = self.find(wanted).bounds, {"direction": direction, "on": wanted.describe()}
        start, end = _swipe_points(area, direction, distance)
        self._act("swipe", args, Swipe(start=start, end=end, duration_ms=duration_ms))

    def type(self, text: str, *, into: Target = None, timeout: float | None = None) -> str:
        """Type ``text`` into the focused field, or into the field ``into`` names (tapped first, then given
        time to take focus); the env's words on what the field shows afterwards."""
        if into is None:
            return self._act("type", {"text": text}, Type(text=text))
        wanted = _selector(into, {})
        with self._step("type", {"text": text, "into": wanted.describe()}) as doing:
            node = self.find(wanted, timeout=timeout)
            doing.execute(Tap(point=node.centre), {"point": list(node.centre)})
            wait_for(lambda: True if _focused_field(self.screen().nodes) else None, FOCUS_WAIT_S, POLL_S)
            return doing.execute(Type(text=text), {"text": text})

    def back(self) -> None:
        self._act("back", {}, Back())

    def home(self) -> None:
        self._act("home", {}, Home())

    def enter(self) -> None:
        self._act("enter", {}, Enter())

    def open_app(self, name: str) -> None:
        """Launch an app by its label or package: ``open_app("Settings")``."""
        self._act("open_app", {"name": name}, OpenApp(name=name))

    def _tap_action(self, point: tuple[int, int]) -> Tap:
        return Tap(point=point)

    def _at(self, name: str, x: int | None, y: int | None, selector: Target, fields: dict[str, Any],
            timeout: float | None, action: Callable[[tuple[int, int]], Any]) -> None:  # fmt: skip
        """One step acting at a point or at an element's centre; a selector that finds nothing is recorded too."""
        if x is not None or y is not None:
            if x is None or y is None or selector is not None or fields:
                raise TypeError("pass a point (x, y) or a selector, not both")
            with self._step(name, {"x": x, "y": y}) as doing:
                doing.execute(action((x, y)))
            return
        wanted = _selector(selector, fields)
        with self._step(name, {"selector": wanted.describe()}) as doing:
            point = self.find(wanted, timeout=timeout).centre
            doing.execute(action(point), {"selector": wanted.describe(), "point": list(point)})


def _selector(target: Target, fields: dict[str, Any]) -> Selector:
    if isinstance(target, Element):
        target = target.selector
    return Selector.of(target, **fields)


def _focused_field(nodes: list[UiNode]) -> UiNode | None:
    return next((n for n in nodes if n.focused and EDITABLE.search(n.cls)), None)


def _swipe_points(area: tuple[int, int, int, int], direction: Direction, distance: float):
    """Start and end of a swipe through the middle of ``area``, ``distance`` of its extent long."""
    if not 0 < distance <= 0.9:
        raise ValueError(f"distance is a fraction of the area, above 0 and at most 0.9, not {distance}")
    x1, y1, x2, y2 = area
    cx, cy, half_w, half_h = (x1 + x2) // 2, (y1 + y2) // 2, (x2 - x1) * distance / 2, (y2 - y1) * distance / 2
    dx, dy = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}[direction]
    start = (int(cx - dx * half_w), int(cy - dy * half_h))
    end = (int(cx + dx * half_w), int(cy + dy * half_h))
    return start, end


FACADE = ("model", "cache", "record", "name", "timeout")


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the facade's keyword arguments, the env's ``AndroidConfig`` fields)."""
    facade = {k: options.pop(k) for k in FACADE if k in options}
    return facade, options
