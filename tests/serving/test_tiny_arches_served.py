"""``transformers serve`` runs the tiny Qwen2.5-VL checkpoint offline and parses its ``<tool_call>`` reply into
the response's ``tool_calls`` field (as servers with a tool-call parser do), with a screenshot in the request."""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import httpx
import pytest
from transformers import AutoTokenizer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CALL = {"name": "mobile_use", "arguments": {"action": "click", "coordinate": [348, 291]}}
REPLY = f"Thought: open the app.\n<tool_call>\n{json.dumps(CALL)}\n</tool_call><|im_end|>"


@pytest.fixture(scope="module")
def forced_qwen25vl(tiny_arch_dir, helpers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Qwen2.5-VL checkpoint with a ``sequence_bias`` (a standard generation setting) that makes it
    greedily answer ``REPLY`` after the generation prompt."""
    target = tmp_path_factory.mktemp("served") / "tiny-qwen2_5_vl-tool"
    shutil.copytree(tiny_arch_dir("qwen2_5_vl"), target)
    tok = AutoTokenizer.from_pretrained(target)
    path = target / "generation_config.json"
    generation = json.loads(path.read_text())
    generation["sequence_bias"] = helpers.sequence_bias(tok, [("<|im_start|>assistant\n", REPLY)], 3)
    path.write_text(json.dumps(generation))
    return target


def test_serve_returns_the_tool_call_of_the_tiny_qwen25vl(open_server, forced_qwen25vl, helpers) -> None:
    buffer = io.BytesIO()
    helpers.noise(1080, 2400).save(buffer, format="PNG")
    image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    body = {
        "model": str(forced_qwen25vl),
        "messages": [
            {"role": "system", "content": "You are a phone agent."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "open the settings"},
                    {"type": "image_url", "image_url": {"url": image}},
                ],
            },
        ],
        "max_tokens": 80,
        "temperature": 0,
    }
    reply = httpx.post(f"{open_server.url}/chat/completions", json=body, timeout=120)
    assert reply.status_code == 200, reply.text
    choice = reply.json()["choices"][0]
    calls = choice["message"]["tool_calls"]
    assert choice["finish_reason"] == "tool_calls"
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        (CALL["name"], CALL["arguments"])
    ]
    assert (choice["message"]["content"] or "").strip() == "Thought: open the app."
    assert reply.json()["usage"]["prompt_tokens"] > 1272  # the screenshot reached the model (at the official budget)


# An episode through the OpenAI-compatible backend: the served tiny Qwen2.5-VL taps the middle of the simulated
# phone and ends the task in one reply; transformers serve hands both calls back in `tool_calls`, and the
# qwen25vl dialect (chosen from the served model's name) must read them from there.
EPISODE_ENDING = "<|image_pad|>" * 64 + "<|vision_end|><|im_end|>\n<|im_start|>assistant\n"
EPISODE_CALLS = [
    {"name": "mobile_use", "arguments": {"action": "click", "coordinate": [336, 742]}},  # of the 672x1484 image
    {"name": "mobile_use", "arguments": {"action": "terminate", "status": "success"}},
]
EPISODE_REPLY = (
    "I open it.\n" + "\n".join(f"<tool_call>\n{json.dumps(c)}\n</tool_call>" for c in EPISODE_CALLS) + "<|im_end|>"
)


@pytest.fixture(scope="module")
def episode_qwen25vl(tiny_arch_dir, helpers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("served") / "tiny-qwen2_5_vl-episode"
    shutil.copytree(tiny_arch_dir("qwen2_5_vl"), target)
    tok = AutoTokenizer.from_pretrained(target)
    path = target / "generation_config.json"
    generation = json.loads(path.read_text())
    generation["sequence_bias"] = helpers.sequence_bias(tok, [(EPISODE_ENDING, EPISODE_REPLY)], 24)
    path.write_text(json.dumps(generation))
    return target


def test_an_episode_on_the_simulated_phone_through_transformers_serve(
    open_server, episode_qwen25vl: Path, tmp_path: Path
) -> None:
    from qwen2vl_agent.agent.cli import main
    from qwen2vl_agent.agent.trajectory import read_result, read_steps

    out = tmp_path / "run"
    spec = f"openai:{open_server.url}#{episode_qwen25vl}"
    argv = ["run", "--env", "sim", "--model", spec, "--max-steps", "3", "--max-new-tokens", "160", "--quiet"]
    code = main([*argv, "--out", str(out), "open the app in the middle"])
    result = read_result(out)
    assert result is not None and (code, result.status, result.steps) == (0, "success", 1), result
    (step,) = read_steps(out)
    assert step.parse_error is None and step.geometry.convention == "abs_resized"
    assert step.thought == "I open it."
    assert [(c.name, c.arguments, c.executed) for c in step.calls] == [
        ("Tap", {"point": [336, 742]}, {"type": "Tap", "point": [540, 1200]}),
        ("Terminate", {"status": "success"}, None),
    ]
