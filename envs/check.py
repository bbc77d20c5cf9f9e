"""``check_env``: the conformance test every environment must pass (run against each env in tests).

It exercises the contract of ``envs.base.Env`` (Gymnasium's): context manager, ``reset``/``observe`` return
a proper ``Observation``, ``reset`` takes keyword-only ``seed`` and ``options`` (and refuses an option it
does not know with ``ValueError``), ``action_space`` holds action classes of ``tools``' unions, every action
given can be executed with points inside the screenshot and returns an ``Outcome``, ``reset`` can start a
second episode, ``close`` is idempotent and a closed env raises ``EnvError`` from ``reset``, ``observe`` and
``execute``. With ``seed``, the seeded reset must be deterministic: ``reset(seed=seed)`` after the actions
shows exactly the screen the first ``reset(seed=seed)`` showed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS, Action, Answer, Terminate, Wait

from .base import Env, EnvError, Observation, Outcome


class EnvCheckError(AssertionError):
    """The environment broke its contract."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise EnvCheckError(message)


def check_observation(obs: object, where: str) -> Observation:
    _require(isinstance(obs, Observation), f"{where} returned {type(obs).__name__}, not an Observation")
    assert isinstance(obs, Observation)
    img = obs.screenshot
    _require(getattr(img, "mode", None) == "RGB", f"{where}: the screenshot must be an RGB PIL image")
    w, h = img.size
    _require(w > 0 and h > 0, f"{where}: empty screenshot")
    sw, sh = obs.screen_size
    _require(sw > 0 and sh > 0, f"{where}: screen_size must be positive")
    return obs


def check_env(
    make_env: Callable[[], Env],
    actions: Iterable[Action] | None = None,
    *,
    seed: int | None = None,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Run the contract against a fresh env from ``make_env``.

    ``actions``: what to execute (in screenshot pixels). By default only a short ``Wait``: actions that
    touch the screen are executed only when given, since a tap may do anything on a real device.
    ``seed``: for an env whose reset can be seeded (the simulated phone): check the seeded reset is
    deterministic. ``options``: reset options the env must accept (used on the first reset).
    """
    env = make_env()
    _require(isinstance(env, Env), f"{type(env).__name__} does not implement the Env protocol")
    _check_signature(env)
    _check_action_space(env.action_space)
    with env as entered:
        _require(entered is env, "__enter__ must return the env itself")
        first = check_observation(env.reset(seed=seed, options=options), "reset(seed=..., options=...)")
        again = check_observation(env.observe(), "observe()")
        _require(again.screenshot.size == first.screenshot.size, "observe() changed the screenshot size")
        todo = list(actions) if actions is not None else [Wait(seconds=0.05)]
        for action in todo:
            _require(type(action) in env.action_space, f"{action.type} is not in the action space")
            if isinstance(action, (Answer, Terminate)):
                continue  # handled by the agent, never sent to an env
            outcome = env.execute(action)
            _require(isinstance(outcome, Outcome), f"execute({action.type}) returned {type(outcome).__name__}")
            _require(outcome.settle_s >= 0, "settle_s must not be negative")
            check_observation(env.observe(), f"observe() after {action.type}")
        _require_raises(ValueError, lambda: env.reset(options={"no-such-option": 1}), "an unknown reset option")
        second = check_observation(env.reset(seed=seed), "a second reset()")  # the next episode on the same env
        if seed is not None:
            same = second.screenshot.tobytes() == first.screenshot.tobytes()
            _require(same, f"reset(seed={seed}) twice showed different screens: the seeded reset is not deterministic")
    env.close()  # a second close must be harmless
    _require_env_error(env.observe, "observe() on a closed env must raise EnvError")
    _require_env_error(env.reset, "reset() on a closed env must raise EnvError")
    if Wait in env.action_space:
        _require_env_error(lambda: env.execute(Wait(seconds=0.01)), "execute() on a closed env must raise EnvError")


def _check_signature(env: Env) -> None:
    params = inspect.signature(env.reset).parameters
    for name in ("seed", "options"):
        param = params.get(name)
        _require(param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is None,
                 f"reset() must take keyword-only {name}=None (Gymnasium's contract)")  # fmt: skip


def _check_action_space(space: tuple[type, ...]) -> None:
    _require(isinstance(space, tuple) and len(space) > 0, "the action space must be a non-empty tuple of classes")
    known = set(MOBILE_ACTIONS) | set(DESKTOP_ACTIONS)
    strangers = [getattr(c, "__name__", repr(c)) for c in space if c not in known]
    _require(not strangers, f"the action space holds classes outside tools' action unions: {strangers}")


def _require_raises(kind: type[BaseException], call: Callable[[], object], what: str) -> None:
    try:
        call()
    except kind:
        return
    raise EnvCheckError(f"reset() must raise {kind.__name__} for {what}")


def _require_env_error(call: Callable[[], object], message: str) -> None:
    try:
        call()
    except EnvError:
        return
    raise EnvCheckError(message)
