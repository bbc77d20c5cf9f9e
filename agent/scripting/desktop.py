"""``Desktop``: the scripting facade over a desktop (a ``DesktopEnv``, or any env with desktop actions).

::

    from qwen2vl_agent.agent.scripting import Desktop

    with Desktop.connect(model="tiny") as desktop:
        desktop.ai_tap("the Firefox icon")
        desktop.hotkey("ctrl", "l")
        desktop.type("example.org\\n")

A desktop has no UI tree here, so there are no selectors: points are screenshot pixels, and the vision steps
(``locate``, ``ai_tap``, ``ai_assert``, ``ai_query``, ``agent``) find what a selector would.
"""

from __future__ import annotations

from typing import Any, Literal

from qwen2vl_agent.tools import Click, DoubleClick, Drag, Hotkey, RightClick, Scroll, Type

from .base import Scripted

ScrollDirection = Literal["up", "down", "left", "right"]


class Desktop(Scripted):
    """Mouse and keyboard in human units; see the module docstring."""

    @classmethod
    def connect(cls, **options: Any) -> Desktop:
        """The local desktop (``DesktopEnv``); ``options``: the facade's keyword arguments, the rest the env's."""
        from qwen2vl_agent.envs.desktop import DesktopEnv

        facade = {k: options.pop(k) for k in ("model", "cache", "record", "name", "timeout") if k in options}
        return cls(DesktopEnv(**options), **facade)

    def click(self, x: int, y: int) -> None:
        self._act("click", {"x": x, "y": y}, Click(point=(x, y)))

    tap = click

    def double_click(self, x: int, y: int) -> None:
        self._act("double_click", {"x": x, "y": y}, DoubleClick(point=(x, y)))

    def right_click(self, x: int, y: int) -> None:
        self._act("right_click", {"x": x, "y": y}, RightClick(point=(x, y)))

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        self._act("drag", {"start": list(start), "end": list(end)}, Drag(start=start, end=end))

    def scroll(self, direction: ScrollDirection = "down", amount: int = 5, at: tuple[int, int] | None = None) -> None:
        """Turn the wheel: ``scroll("down", 3)`` shows what is further down."""
        self._act("scroll", {"direction": direction, "amount": amount, "at": at},
                  Scroll(direction=direction, amount=amount, point=at))  # fmt: skip

    def type(self, text: str) -> str:
        """Type ``text`` where the keyboard focus is (``\\n`` presses Enter)."""
        return self._act("type", {"text": text}, Type(text=text))

    def hotkey(self, *keys: str) -> None:
        """Press keys together: ``hotkey("ctrl", "s")``."""
        self._act("hotkey", {"keys": list(keys)}, Hotkey(keys=list(keys)))

    def _tap_action(self, point: tuple[int, int]) -> Click:
        return Click(point=point)
