"""Carrying out one reply: map each call's points, execute it, and say what the model should hear.

Model mistakes (``ModelError``: a point off the screen, an unknown app, ...) become the call's result
text and stop the remaining calls of that reply; environment faults (``EnvError``) propagate and end
the run. ``Terminate`` and ``Answer`` are handled here and never reach the env.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from qwen2vl_agent.envs import Env
from qwen2vl_agent.envs.safety import ActionDenied
from qwen2vl_agent.tools import Answer, Frame, ModelError, Terminate, map_action

from .parser import Call, ParseError
from .records import CallRecord, Status

SKIPPED = "Not executed, because an earlier call of this reply failed."


@dataclass
class Acted:
    """The outcome of one reply. ``records`` are the step's calls: the trajectory writes them and the next
    prompt is rendered from them (``prompt.exchange_of``), so the model and the log cannot disagree."""

    thought: str
    records: list[CallRecord] = field(default_factory=list)
    failed: bool = False
    end: tuple[Status, str] | None = None
    answer: str | None = None
    executed_keys: list[str] = field(default_factory=list)


def act(env: Env, calls: tuple[Call, ...], frame: Frame, acted: Acted) -> Acted:
    """Execute ``calls`` in order on ``env``, appending a record per call to ``acted.records`` as it goes (so
    a fault mid-reply leaves the calls made so far on record); stop at the first failure or ``Terminate``."""
    for call in calls:
        record = CallRecord(name=call.name, raw_arguments=call.raw.arguments, arguments=call.arguments)
        acted.records.append(record)
        if acted.failed or acted.end:
            record.result = SKIPPED
            continue
        _act_one(env, call, frame, acted, record)
    return acted


def _act_one(env: Env, call: Call, frame: Frame, acted: Acted, record: CallRecord) -> None:
    action = call.action
    match action:
        case Terminate(status=status):
            acted.end = (status, f"the agent terminated with {status}")
        case Answer(text=text):
            acted.answer = text
            record.result = "Answer recorded."
        case _:
            started = time.perf_counter()
            try:
                executed = map_action(action, frame)
                record.executed = executed.model_dump(mode="json")
                outcome = env.execute(executed)
            except ModelError as e:
                record.safety = e.verdict.record() if isinstance(e, ActionDenied) else None
                record.error = str(e)
                record.result = f"Error: {e}"
                acted.failed = True
            except BaseException as e:  # a fault: the run ends, the record says where
                record.result = f"Not completed: {type(e).__name__}: {e}"
                raise
            else:
                record.settle_s = outcome.settle_s
                record.safety = outcome.extra.get("safety")
                record.settle = outcome.extra.get("settle")
                record.result = outcome.message
                acted.executed_keys.append(executed.model_dump_json())
            finally:
                record.execute_s = time.perf_counter() - started


def rejected(error: ParseError) -> Acted:
    """A reply that could not be parsed: its calls as written, the error as the result of the last one."""
    message = f"Error: {error}"
    if error.raw_calls:
        records = [CallRecord(name=c.name, raw_arguments=c.arguments, result=SKIPPED) for c in error.raw_calls]
        records[-1].result = message
    else:  # e.g. ARGS without FUNCTION: no call to attach the result to, so show it as a bare result
        records = [CallRecord(name="", raw_arguments="", result=message)]
    return Acted(error.thought, records=records, failed=True)
