"""``android_world.env.interface.State`` as in d9c569f (the ``AsyncEnv`` the tests fake is duck-typed)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class State:
    pixels: np.ndarray
    forest: Any
    ui_elements: list[Any]
    auxiliaries: dict[str, Any] | None = None
