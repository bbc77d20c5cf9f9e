"""``Element``: a selector bound to a phone, as uiautomator2's ``d(text="Settings")`` is.

Nothing is looked up when it is made; every property and action reads the live UI tree, and actions wait
(up to the phone's ``timeout``) for the element to appear first::

    wifi = phone(text="Wi-Fi")
    if not wifi.exists:
        phone.swipe("up")
    wifi.wait(5).tap()
    phone(id="name_field").type("Ada")
    phone(id="toolbar").child(desc="Navigate up").tap()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from qwen2vl_agent.envs.tasks.ui import UiNode

from .selector import Selector

if TYPE_CHECKING:
    from .base import Screen

Direction = Literal["up", "down", "left", "right"]


class Phone(Protocol):
    """What an element needs of ``phone.Phone`` (named here so the two modules do not import each other)."""

    def screen(self) -> Screen: ...
    def find(self, selector: Selector, *, timeout: float | None = None) -> UiNode: ...
    def wait_gone(self, selector: Selector, *, timeout: float | None = None) -> None: ...
    def tap(self, *, selector: Selector) -> None: ...
    def long_press(self, *, selector: Selector, duration_ms: int) -> None: ...
    def type(self, text: str, *, into: Selector) -> str: ...
    def swipe(self, direction: Direction, *, on: Selector, distance: float) -> None: ...


class Element:
    """One element of a phone's screen, by selector; see the module docstring."""

    def __init__(self, phone: Phone, selector: Selector) -> None:
        self.phone, self.selector = phone, selector

    def __repr__(self) -> str:
        return f"Element({self.selector.describe()})"

    def child(self, **fields: Any) -> Element:
        """A descendant of this element: ``phone(id="list").child(text="Ada")``."""
        return Element(self.phone, self.selector.child(**fields))

    def __getitem__(self, index: int) -> Element:
        """The ``index``-th match: ``phone(id="contact_item")[2]``."""
        return Element(self.phone, self.selector.model_copy(update={"index": index}))

    # ---------------------------------------------------------------- reading

    @property
    def exists(self) -> bool:
        """Whether it is on screen now (no waiting)."""
        return self.selector.find(self.phone.screen().nodes) is not None

    @property
    def count(self) -> int:
        """How many elements match now."""
        return len(self.selector.find_all(self.phone.screen().nodes))

    def wait(self, timeout: float | None = None) -> Element:
        """Wait until it is on screen and return it (to chain: ``.wait(5).tap()``); ``ElementNotFound``,
        naming what the screen shows, after ``timeout`` (default: the phone's)."""
        self.phone.find(self.selector, timeout=timeout)
        return self

    def wait_gone(self, timeout: float | None = None) -> None:
        """Wait until it is no longer on screen; ``TimeoutError`` after ``timeout``."""
        self.phone.wait_gone(self.selector, timeout=timeout)

    @property
    def info(self) -> UiNode:
        """The node as the UI tree shows it (text, desc, resource id, class, bounds, checked, ...)."""
        return self.phone.find(self.selector)

    def get_text(self) -> str:
        """Its text: ``phone(id="large_title").get_text()``."""
        return self.info.text

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in screenshot pixels."""
        return self.info.bounds

    @property
    def center(self) -> tuple[int, int]:
        return self.info.centre

    @property
    def checked(self) -> bool:
        """Whether a switch or check box (or a row that carries one) is checked."""
        return self.info.checked

    # ---------------------------------------------------------------- acting

    def tap(self) -> None:
        """Tap its centre (after waiting for it)."""
        self.phone.tap(selector=self.selector)

    click = tap  # uiautomator2's name

    def long_press(self, duration_ms: int = 1000) -> None:
        self.phone.long_press(selector=self.selector, duration_ms=duration_ms)

    def type(self, text: str) -> str:
        """Tap it and type ``text`` into it; what the field shows afterwards, in words."""
        return self.phone.type(text, into=self.selector)

    set_text = type  # uiautomator2's name

    def swipe(self, direction: Direction = "up", distance: float = 0.6) -> None:
        """Swipe inside it (a list): ``"up"`` moves the finger up, showing what is further down."""
        self.phone.swipe(direction, on=self.selector, distance=distance)
