"""The oracle: a ``Model`` that plays a task's scripted solution, one step per reply, like a model would.

At each ``generate`` call it takes the next solution step (``envs.tasks.steps``), resolves it against the
live screen (the ``uiautomator dump`` read over adb), turns an element's position into the model's
coordinate convention for the screenshot it was shown, and replies in its dialect (Qwen2-VL's format
by default; ``dialect`` names another, whose own syntax and convention it then speaks)::

    I tap "Wi-Fi".
    ✿FUNCTION✿: Tap
    ✿ARGS✿: {"point": [500, 123]}

The reply then goes through the real parser, coordinate mapping and environment, exactly as a model's
would. A tap whose element is missing scrolls when the plan says the element may be off screen; otherwise
(or after too many swipes) the oracle gives up with ``Terminate("failure")`` and says what it could not
find, so a broken plan or a changed screen shows up as a failed episode with the reason in its trajectory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from typing_extensions import assert_never

from qwen2vl_agent.envs.tasks.steps import AnswerWith, Finish, Launch, PressKey, Step, TapOn, TypeText
from qwen2vl_agent.envs.tasks.ui import UiNode, hittable, parse_ui
from qwen2vl_agent.model import Generation, Message, ModelFailed
from qwen2vl_agent.tools import (
    Action,
    Answer,
    Back,
    Convention,
    Enter,
    Frame,
    Home,
    OpenApp,
    Swipe,
    Tap,
    Terminate,
    Type,
    from_screen,
)

from .replies import ReplyPolicy, last_image

if TYPE_CHECKING:
    from PIL.Image import Image

KEYS: dict[str, type[Action]] = {"back": Back, "home": Home, "enter": Enter}


class OracleModel(ReplyPolicy):
    """Plays ``plan`` on the screen that ``read_ui`` (returns uiautomator XML) shows. One episode only."""

    def __init__(
        self, plan: Sequence[Step], read_ui: Callable[[], str], *, convention: Convention | None = None,
        dialect: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(dialect=dialect, convention=convention)
        self.plan = list(plan)
        self.read_ui = read_ui
        self.name = "oracle"
        self.index = 0
        self.swipes = 0

    def reply(self, messages: Sequence[Message]) -> tuple[str, Action]:
        return self.next_action(last_image(messages))

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        if len(conversations) != 1:
            raise ModelFailed("an oracle plays one episode; give each episode its own OracleModel")
        return [self.generate(conversations[0], stop=stop, max_new_tokens=max_new_tokens)]

    # ---------------------------------------------------------------- steps

    def next_action(self, screenshot: Image) -> tuple[str, Action]:
        """The thought and action for the current step (advancing past it unless it needs another swipe)."""
        if self.index >= len(self.plan):
            return "The plan is finished, so I stop here.", Terminate(status="failure")
        step = self.plan[self.index]
        match step:
            case TapOn():
                return self._tap(step, screenshot)
            case Launch(app=app):
                reply: tuple[str, Action] = (f"I open the {app} app.", OpenApp(name=app))
            case TypeText(text=text):
                reply = (f"I type {text!r}.", Type(text=text))
            case PressKey(key=key):
                reply = (f"I press {key.title()}.", KEYS[key]())
            case AnswerWith(text=text):
                reply = (f"The answer is {text!r}.", Answer(text=text))
            case Finish(status=status):
                reply = (
                    "The task is done." if status == "success" else "This cannot be done.",
                    Terminate(status=status),
                )
            case _:
                assert_never(step)
        self.index += 1
        return reply

    def _tap(self, step: TapOn, screenshot: Image) -> tuple[str, Action]:
        nodes = parse_ui(self.read_ui())
        node = find_target(step, nodes)
        if node is not None:
            self.index, self.swipes = self.index + 1, 0
            point = self._grid(node.point_at(*step.at), nodes, screenshot)
            return f"I tap {node.label!r}.", Tap(point=point)
        container = _scroll_container(step, nodes)
        if step.scroll is None or container is None or self.swipes >= step.max_swipes:
            self.index = len(self.plan)
            where = f" after {self.swipes} swipes" if self.swipes else ""
            return f"I cannot find the {step.target.describe()} on the screen{where}.", Terminate(status="failure")
        self.swipes += 1
        x, _ = container.centre
        low, high = container.point_at(0.5, 0.75), container.point_at(0.5, 0.25)
        start, end = (low, high) if step.scroll == "down" else (high, low)
        swipe = Swipe(
            start=self._grid((x, start[1]), nodes, screenshot), end=self._grid((x, end[1]), nodes, screenshot)
        )
        return f"I scroll {step.scroll} to look for {step.target.label()!r}.", swipe

    def _grid(self, point: tuple[int, int], nodes: list[UiNode], screenshot: Image) -> tuple[int, int]:
        """A point of the UI tree (display pixels) in the model's convention for this screenshot."""
        display = nodes[0].bounds[2:] if nodes else screenshot.size
        w, h = screenshot.size
        pixel = (min(w - 1, point[0] * w // max(1, display[0])), min(h - 1, point[1] * h // max(1, display[1])))
        return from_screen(pixel, Frame(screen=(w, h), model_image=(w, h), convention=self.convention))


def find_target(step: TapOn, nodes: list[UiNode]) -> UiNode | None:
    """The element a tap step means, if it is on screen and a tap at its point would reach it."""
    matches = [n for n in nodes if step.target.matches(n)]
    if step.beside is not None:
        matches = [n for n in matches if any(step.beside.matches(s) for s in nodes if s.parent == n.parent)]
    if len(matches) <= step.target.nth:
        return None
    node = matches[step.target.nth]
    return node if hittable(nodes, node, node.point_at(*step.at)) else None


def _scroll_container(step: TapOn, nodes: list[UiNode]) -> UiNode | None:
    if step.within is not None:
        return step.within.find(nodes)
    return next((n for n in nodes if n.scrollable), None)
