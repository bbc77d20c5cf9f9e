"""``SignalGate.teardown``: one signal may cut a teardown short, wherever in the block it lands."""

from __future__ import annotations

import signal

from qwen2vl_agent.agent.commands.outcome import SIGNALS, SignalGate


def test_a_signal_at_the_first_bytecode_of_a_teardown_ends_the_teardown_not_the_command() -> None:
    saved = {s: signal.getsignal(s) for s in SIGNALS}
    after: list[str] = []
    gate = SignalGate()
    try:
        with gate:
            gate.settle()  # the verdict is on disk
            with gate.teardown():
                signal.raise_signal(signal.SIGTERM)  # the handler raises here: before any try of the teardown's own
                after.append("not reached")
            after.append("past the teardown")
    except KeyboardInterrupt:  # what the old teardown let through: the command ended with a traceback
        after.append("interrupted")
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    assert after == ["past the teardown"] and gate.received == "SIGTERM"
