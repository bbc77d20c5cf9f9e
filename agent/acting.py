"""Carrying out one reply: map each call's points, execute it, and say what the model should hear.

Model mistakes (``ModelError``: a point off the screen, an unknown app, ...) become the call's result
text and stop the remaining calls of that reply; environment faults (``EnvError``) propagate and end
the run. ``Terminate`` and ``Answer`` are handled here and never reach the env.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from qwen2vl_agent.envs import Env
from qwen2vl_agent.tools import Answer, Frame, ModelError, Terminate, map_action

from . import jsonish
from .parser import Call, ParseError
from .prompt import CallTurn, Exchange
from .records import CallRecord, Status

SKIPPED = "Not executed, because an earlier call of this reply failed."


@dataclass
class Acted:
    """The outcome of one reply: records for the trajectory, the exchange for the conversation."""

    exchange: Exchange
    records: list[CallRecord] = field(default_factory=list)
    failed: bool = False
    end: tuple[Status, str] | None = None
    answer: str | None = None
    executed_keys: list[str] = field(default_factory=list)


def act(env: Env, calls: tuple[Call, ...], thought: str, frame: Frame) -> Acted:
    """Execute ``calls`` in order on ``env``; stop at the first failure or at ``Terminate``."""
    acted = Acted(Exchange(thought=thought))
    for call in calls:
        raw_args = call.raw.arguments
        shown = CallTurn(name=call.name, arguments=_shown_arguments(call))
        record = CallRecord(name=call.name, raw_arguments=raw_args, arguments=call.arguments)
        acted.exchange.calls.append(shown)
        acted.records.append(record)
        if acted.failed or acted.end:
            shown.result_text = record.result = SKIPPED
            continue
        _act_one(env, call, frame, acted, shown, record)
    return acted


def _shown_arguments(call: Call) -> str:
    return jsonish.dumps(call.arguments)


def _act_one(env: Env, call: Call, frame: Frame, acted: Acted, shown: CallTurn, record: CallRecord) -> None:
    action = call.action
    match action:
        case Terminate(status=status):
            acted.end = (status, f"the agent terminated with {status}")
        case Answer(text=text):
            acted.answer = text
            shown.result_text = record.result = "Answer recorded."
        case _:
            started = time.perf_counter()
            try:
                executed = map_action(action, frame)
                record.executed = executed.model_dump(mode="json")
                outcome = env.execute(executed)
            except ModelError as e:
                record.error = str(e)
                shown.result_text = record.result = f"Error: {e}"
                acted.failed = True
            else:
                record.settle_s = outcome.settle_s
                shown.result_text = record.result = outcome.message
                acted.executed_keys.append(executed.model_dump_json())
            record.execute_s = time.perf_counter() - started


def rejected(error: ParseError) -> Acted:
    """A reply that could not be parsed: show the model its calls as written, with the error as the result."""
    exchange = Exchange(thought=error.thought)
    message = f"Error: {error}"
    if error.raw_calls:
        exchange.calls = [CallTurn(name=c.name, arguments=c.arguments) for c in error.raw_calls]
        exchange.calls[-1].result_text = message
        for c in exchange.calls[:-1]:
            c.result_text = SKIPPED
    else:  # e.g. ARGS without FUNCTION: no call to attach the result to, so show it as a bare result
        exchange.calls = [CallTurn(name="", arguments="", result_text=message)]
    records = [CallRecord(name=c.name, raw_arguments=c.arguments, result=c.result_text) for c in exchange.calls]
    return Acted(exchange, records=records, failed=True)


def attach_screenshot(acted: Acted, screenshot: object) -> None:
    """The new screenshot is the result image of the reply's last call."""
    if acted.exchange.calls:
        acted.exchange.calls[-1].result_image = screenshot  # type: ignore[assignment]
