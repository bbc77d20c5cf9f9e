"""An episode per dialect on the simulated phone: ``qwen2vl-agent run --env sim --model tiny:ARCH`` (the real
CLI, the simulated phone behind the real adb), each tiny checkpoint made to answer in its dialect by its own
generation settings (a ``sequence_bias`` in ``generation_config.json``, which nothing in the runtime knows of).

Each reply taps the middle of the 1080x2400 screen in the dialect's coordinates and then ends the task in the
same reply, so the run shows the dialect chosen, its parser, its coordinate mapping onto the real screen, and
the verdict its terminating call gives.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.agent.trajectory import read_result, read_steps
from qwen2vl_agent.model.factory import CACHE_ENV, tiny_cache_name

# The generation prompt after the screenshot that ends the user turn (every dialect puts the newest one last);
# the image pads give the forcing rules a context long enough to tell the reply's repeated parts apart.
ENDING = "<|image_pad|>" * 64 + "<|vision_end|><|im_end|>\n<|im_start|>assistant\n"
CONTEXT = 24


def _call(action: dict) -> str:
    return "<tool_call>\n" + json.dumps({"name": "mobile_use", "arguments": action}) + "\n</tool_call>"


CENTRE = (540, 1200)  # the middle of the simulated phone's 1080x2400 screen
CASES = {
    # dialect: (tiny arch, --model, extra flags, forced reply)
    "qwen2vl": (
        "qwen2_vl", "tiny", (),
        'I open it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}\n'
        '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}\n✿RESULT✿: ',
    ),
    "qwen25vl": (  # pixels of the 672x1484 image the model saw
        "qwen2_5_vl", "tiny:qwen2_5_vl", (),
        "I open it.\n" + _call({"action": "click", "coordinate": [336, 742]}) + "\n"
        + _call({"action": "terminate", "status": "success"}) + "<|im_end|>",
    ),
    "qwen3vl": (  # the 0-999 grid: round(499.5 / 999 * size) is the middle
        "qwen3_vl", "tiny:qwen3_vl", (),
        "<think>\nThe app is in the middle.\n</think>\n\nThought: I open it.\nAction: Click the middle.\n"
        + _call({"action": "click", "coordinate": [500, 500]}) + "\n"
        + _call({"action": "terminate", "status": "success"}) + "<|im_end|>",
    ),
    "uitars": (  # a Qwen2.5-VL checkpoint run with --dialect uitars: pixels of the resized image
        "qwen2_5_vl", "tiny:qwen2_5_vl", ("--dialect", "uitars"),
        "Thought: I open it.\nAction: click(point='<point>336 742</point>')\n\nfinished(content='opened')<|im_end|>",
    ),
}  # fmt: skip
CONVENTIONS = {"qwen2vl": "rel1000", "qwen25vl": "abs_resized", "qwen3vl": "norm999", "uitars": "abs_resized"}
EXPECTED = {
    "qwen2vl": [("Tap", CENTRE), ("Terminate", None)],
    "qwen25vl": [("Tap", CENTRE), ("Terminate", None)],
    "qwen3vl": [("Tap", (541, 1201)), ("Terminate", None)],
    "uitars": [("Tap", CENTRE), ("Answer", None), ("Terminate", None)],
}


def forced_cache(cache: Path, source: Path, arch: str, reply: str, helpers) -> None:
    """The tiny checkpoint of ``arch`` in the ``cache`` directory ``--model tiny:ARCH`` reads, answering ``reply``."""
    target = cache / tiny_cache_name(arch)
    shutil.copytree(source, target)
    tokenizer = AutoTokenizer.from_pretrained(target)
    path = target / "generation_config.json"
    generation = json.loads(path.read_text(encoding="utf-8"))
    generation["sequence_bias"] = helpers.sequence_bias(tokenizer, [(ENDING, reply)], CONTEXT)
    path.write_text(json.dumps(generation), encoding="utf-8")


@pytest.mark.parametrize("dialect", CASES)
def test_an_episode_per_dialect_on_the_simulated_phone(
    dialect: str, tiny_arch_dir, helpers, tmp_path: Path, monkeypatch
) -> None:
    arch, spec, flags, reply = CASES[dialect]
    forced_cache(tmp_path / "cache", tiny_arch_dir(arch), arch, reply, helpers)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    out = tmp_path / "run"
    argv = ["run", "--env", "sim", "--model", spec, *flags, "--max-steps", "3", "--max-new-tokens", "160"]
    code = main([*argv, "--quiet", "--out", str(out), "open the app in the middle"])
    result = read_result(out)
    assert result is not None and (code, result.status, result.steps) == (0, "success", 1), result
    (step,) = read_steps(out)
    assert step.parse_error is None and step.geometry.convention == CONVENTIONS[dialect]
    executed = [
        (c.name, tuple(c.executed["point"]) if c.executed and "point" in c.executed else None) for c in step.calls
    ]
    assert executed == EXPECTED[dialect]
    if dialect == "uitars":
        assert step.calls[1].arguments == {"text": "opened"}


def test_qwen2vl_inline_continues_the_assistant_turn_on_the_simulated_phone(
    tiny_arch_dir, helpers, tmp_path: Path, monkeypatch
) -> None:
    """Step 1 opens an assistant turn; step 2's prompt is that turn, left open after ``✿RETURN✿`` (the chat
    template's ``continue_final_message``), and the model goes on with ``: `` and its next call. Were a fresh
    assistant turn opened instead, the model would tap again and the run would not end in two steps."""
    tap = 'I open it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [500, 500]}\n✿RESULT✿: '
    done = ': Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}\n✿RESULT✿: '
    target = tmp_path / "cache" / tiny_cache_name("qwen2_vl")
    shutil.copytree(tiny_arch_dir("qwen2_vl"), target)
    tokenizer = AutoTokenizer.from_pretrained(target)
    generation = json.loads((target / "generation_config.json").read_text(encoding="utf-8"))
    rules = [(ENDING, tap), ("<|image_pad|>" * 64 + "<|vision_end|>\n✿RETURN✿", done)]
    generation["sequence_bias"] = helpers.sequence_bias(tokenizer, rules, CONTEXT)
    (target / "generation_config.json").write_text(json.dumps(generation), encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    out = tmp_path / "run"
    argv = ["run", "--env", "sim", "--model", "tiny", "--dialect", "qwen2vl-inline", "--max-steps", "2", "--quiet"]
    code = main([*argv, "--max-new-tokens", "120", "--out", str(out), "open the app in the middle"])
    result = read_result(out)
    assert result is not None and (code, result.status, result.steps) == (0, "success", 2), result
    first, second = read_steps(out)
    assert [(c.name, c.executed) for c in first.calls] == [("Tap", {"type": "Tap", "point": list(CENTRE)})]
    assert second.thought == "Done." and [c.name for c in second.calls] == ["Terminate"]
