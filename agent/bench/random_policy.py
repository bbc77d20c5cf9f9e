"""The random policy: a seeded ``Model`` replying with random taps, swipes, typing, keys and terminations.

It is the floor of the benchmark: its replies go through the parser and the environment like any model's,
and a checker it satisfies by chance (or one that passes without the agent acting) is broken. It never
answers questions, and it declares success only at random, so its success rate must stay near zero.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

from qwen2vl_agent.model import Message
from qwen2vl_agent.tools import Action, Back, Home, Swipe, Tap, Terminate, Type

from .replies import ReplyPolicy

# Relative weights of each kind of reply; termination is rare so episodes wander for a while.
WEIGHTS: dict[str, float] = {"tap": 0.55, "swipe": 0.15, "type": 0.1, "back": 0.08, "home": 0.04, "terminate": 0.08}


class RandomModel(ReplyPolicy):
    """Random replies on the 0-1000 grid; ``seed`` makes a run repeatable."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.name = "random"

    def reply(self, messages: Sequence[Message]) -> tuple[str, Action]:
        return "I try something at random.", self.action()

    def action(self) -> Action:
        rng = self.rng
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        point = lambda: (rng.randint(0, 1000), rng.randint(0, 1000))
        match kind:
            case "tap":
                return Tap(point=point())
            case "swipe":
                return Swipe(start=point(), end=point())
            case "type":
                return Type(text="".join(rng.choice(string.ascii_letters + " ") for _ in range(rng.randint(1, 12))))
            case "back":
                return Back()
            case "home":
                return Home()
            case _:
                return Terminate(status=rng.choice(("success", "failure")))
