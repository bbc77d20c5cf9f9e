"""Safety and hand-off around an env: a rule-based policy (``allow`` / ``confirm`` / ``deny``) asked before each
action, and ``CallUser``, which hands the device to a person until they say it is done.

Both are wrappers (``Guarded``, ``HandOff``) because the decision needs what only the env has at the moment of
acting: the foreground app and the element under the point. Sitting between the mapped action and the device,
they guard every path that acts (the loop, AndroidWorld's harness, scripts) the same way. A denied action raises
``ActionDenied`` (a ``ModelError``): the loop shows its message to the model as the call's result, as with
any other refused action; every decision is in the call's record (``Outcome.extra["safety"]`` or the error).
"""

from __future__ import annotations

import fnmatch
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qwen2vl_agent.tools import Action, CallUser, OpenApp, Type

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .base import ActionRejected, Env, Outcome
from .wrappers import Wrapper

Decision = Literal["allow", "confirm", "deny"]
_POINT_ACTIONS = ("Tap", "LongPress", "Click", "DoubleClick", "RightClick")
_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


class Rule(BaseModel):
    """One rule; it matches when every field it sets matches (see ``safety_default.toml``)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    decision: Decision
    reason: str = ""
    app: str | None = None
    actions: list[str] = Field(default_factory=list)
    text: str | None = None

    def matches(self, action: Action, app: str | None, text: str) -> bool:
        if self.actions and action.type not in self.actions:
            return False
        if self.app is not None and not fnmatch.fnmatch((app or "").split("/")[0], self.app):
            return False
        return self.text is None or re.search(self.text, text, re.IGNORECASE) is not None


class SafetyPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: Decision = "allow"
    rules: list[Rule] = Field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path | None = None) -> SafetyPolicy:
        """The policy in TOML file ``path``; None: the default one shipped with the package."""
        if path is None:
            text = resources.files(__package__).joinpath("safety_default.toml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls.model_validate(tomllib.loads(text))

    def decide(self, action: Action, app: str | None, text: str) -> Verdict:
        for rule in self.rules:
            if rule.matches(action, app, text):
                return Verdict(rule.decision, rule.name, rule.reason, action.type, app, text)
        return Verdict(self.default, None, "", action.type, app, text)


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    rule: str | None
    reason: str
    action: str
    app: str | None
    text: str
    answer: str | None = None  # the person's answer to a confirm: "yes" or "no"

    def record(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


class ActionDenied(ActionRejected):
    """The safety policy (or the person asked) refused the action; the message says why, for the model."""

    def __init__(self, verdict: Verdict) -> None:
        who = "the user declined it" if verdict.answer == "no" else "the safety policy denies it"
        super().__init__(
            f"{verdict.action} was not executed: {verdict.reason or 'not allowed'} ({who}, rule {verdict.rule!r})."
        )
        self.verdict = verdict


Confirm = Callable[[Verdict], bool]
"""Asked for each ``confirm``: True lets the action run."""


class Guarded(Wrapper):
    """Asks ``policy`` before every action; ``confirm`` decides the ``confirm`` ones (None: each is denied)."""

    def __init__(self, env: Env, policy: SafetyPolicy | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(env)
        self.policy = policy or SafetyPolicy.load()
        self.confirm = confirm
        self.decisions: list[Verdict] = []

    def execute(self, action: Action) -> Outcome:
        verdict = self.policy.decide(action, self._foreground(), self._text(action))
        if verdict.decision == "confirm":
            ok = self.confirm is not None and self.confirm(verdict)
            verdict = Verdict(**{**verdict.__dict__, "answer": "yes" if ok else "no"})
        self.decisions.append(verdict)
        if verdict.decision == "deny" or verdict.answer == "no":
            raise ActionDenied(verdict)
        outcome = self.env.execute(action)
        outcome.extra["safety"] = verdict.record()
        return outcome

    def _foreground(self) -> str | None:
        device = getattr(self.unwrapped, "device", None)
        if device is not None and hasattr(device, "foreground"):
            return device.foreground()
        return self.env.observe().foreground

    def _text(self, action: Action) -> str:
        match action:
            case Type(text=text):
                return text
            case OpenApp(name=name):
                return name
        if action.type in _POINT_ACTIONS:
            return self._label_at(action.point)  # type: ignore[attr-defined]
        return ""

    def _label_at(self, point: tuple[int, int]) -> str:
        """The text or description of the smallest element under ``point`` (screen pixels), from the UI tree."""
        device = getattr(self.unwrapped, "device", None)
        if device is None or not hasattr(device, "ui_dump"):
            return ""
        return label_at(device.ui_dump(), point)


def label_at(xml: str, point: tuple[int, int]) -> str:
    """The label of the smallest node of a uiautomator dump whose bounds hold ``point``."""
    best: tuple[int, str] | None = None
    for node in ET.fromstring(xml).iter("node"):
        found = _BOUNDS.fullmatch(node.get("bounds", ""))
        label = node.get("text") or node.get("content-desc") or ""
        if not found or not label:
            continue
        x0, y0, x1, y1 = map(int, found.groups())
        if x0 <= point[0] < x1 and y0 <= point[1] < y1 and (best is None or (x1 - x0) * (y1 - y0) < best[0]):
            best = ((x1 - x0) * (y1 - y0), label)
    return best[1] if best else ""


class HandOff(Wrapper):
    """Offers ``CallUser`` to the model: the run pauses in ``ask`` (which shows the reason and returns when the
    person is done, with what they said) and resumes with that as the call's result."""

    def __init__(self, env: Env, ask: Callable[[str], str]) -> None:
        super().__init__(env)
        self.ask = ask

    @property
    def action_space(self) -> tuple[type, ...]:
        return (*self.env.action_space, CallUser)

    def execute(self, action: Action) -> Outcome:
        if not isinstance(action, CallUser):
            return self.env.execute(action)
        said = self.ask(action.reason).strip()
        message = "The user has finished and handed the device back." + (f" They said: {said}" if said else "")
        return Outcome(message=message, extra={"safety": {"decision": "handoff", "reason": action.reason}})
