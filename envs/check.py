"""``check_env``: the conformance test every environment must pass (run against each env in tests).

It exercises the contract of ``envs.base.Env``: context manager, ``reset``/``observe`` return a proper
``Observation``, every action class in ``action_space`` can be executed with points inside the
screenshot and returns an ``Outcome``, ``reset`` can start a second episode, ``close`` is idempotent and
a closed env raises ``EnvError`` from ``observe`` and ``execute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from qwen2vl_agent.tools import Action, Answer, Terminate, Wait

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
) -> None:
    """Run the contract against a fresh env from ``make_env``.

    ``actions``: what to execute (in screenshot pixels). By default only a short ``Wait``: actions that
    touch the screen are executed only when given, since a tap may do anything on a real device.
    """
    env = make_env()
    _require(isinstance(env, Env), f"{type(env).__name__} does not implement the Env protocol")
    _require(len(env.action_space) > 0, "the action space is empty")
    with env as entered:
        _require(entered is env, "__enter__ must return the env itself")
        first = check_observation(env.reset(), "reset()")
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
        check_observation(env.reset(), "a second reset()")  # the next episode on the same env
    env.close()  # a second close must be harmless
    _require_env_error(env.observe, "observe() on a closed env must raise EnvError")
    if Wait in env.action_space:
        _require_env_error(lambda: env.execute(Wait(seconds=0.01)), "execute() on a closed env must raise EnvError")


def _require_env_error(call: Callable[[], object], message: str) -> None:
    try:
        call()
    except EnvError:
        return
    raise EnvCheckError(message)
