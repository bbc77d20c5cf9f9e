"""The transformers backend on the tiny checkpoint: pixel budget, batching, stopping, token counts,
timings, errors. Every test runs the real processor, vision encoder and generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen2vl_agent.model import Message, Model, ModelFailed, TextPart
from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.streaming import watching
from qwen2vl_agent.model.vision import DEFAULT_MAX_PIXELS, PixelBudget

STOP = ("✿RESULT✿", "✿RETURN✿")


def test_implements_the_model_protocol(tiny_model) -> None:
    assert isinstance(tiny_model, Model)
    assert tiny_model.name == str(tiny_model.config.model)


@pytest.mark.parametrize(
    ("size", "max_pixels", "tokens"),
    [((224, 224), DEFAULT_MAX_PIXELS, 64), ((1080, 2400), 1280 * 28 * 28, 1272), ((1080, 2400), 256 * 28 * 28, None)],
)
def test_pixel_budget_sets_image_tokens_as_smart_resize_predicts(tiny_dir: Path, helpers, size, max_pixels, tokens):
    # The checkpoint's own processor config says 12845056; the backend's budget must win.
    model = load_model(str(tiny_dir), max_pixels=max_pixels)
    expected = PixelBudget(max_pixels=max_pixels)
    gen = model.generate(helpers.conversation(helpers.noise(*size)), max_new_tokens=1)
    assert gen.image_tokens == expected.tokens(*size) == model.image_tokens(*size)
    if tokens is not None:
        assert gen.image_tokens == tokens
    assert gen.image_sizes == [expected.resize(*size)] == [model.image_size(*size)]


def test_batched_greedy_equals_sequential(tiny_model, helpers) -> None:
    conversations = [
        helpers.conversation(helpers.noise(1080, 2400, seed=1)),
        helpers.conversation(helpers.noise(960, 540, seed=2), task="Task: find the camera."),
        helpers.conversation(helpers.noise(300, 500, seed=3)),
    ]
    batched = tiny_model.generate_batch(conversations, stop=STOP, max_new_tokens=24)
    alone = [tiny_model.generate(c, stop=STOP, max_new_tokens=24) for c in conversations]
    assert [(g.text, g.output_tokens, g.stop_reason) for g in batched] == [
        (g.text, g.output_tokens, g.stop_reason) for g in alone
    ]
    assert [g.image_sizes for g in batched] == [[(672, 1484)], [(952, 532)], [(308, 504)]]
    assert [g.prompt_tokens for g in batched] == [g.prompt_tokens for g in alone]
    assert len({g.text for g in batched}) == 3  # the rows really differ, so a mix-up would show


def test_batches_larger_than_max_batch_size_run_in_chunks(tiny_dir: Path, tiny_model, helpers) -> None:
    small = load_model(str(tiny_dir), max_batch_size=2)
    conversations = [helpers.conversation(helpers.noise(200, 300, seed=s)) for s in range(3)]
    chunked = small.generate_batch(conversations, max_new_tokens=6)
    whole = tiny_model.generate_batch(conversations, max_new_tokens=6)
    assert [g.text for g in chunked] == [g.text for g in whole]
    assert tiny_model.generate_batch([], max_new_tokens=6) == []


def test_stops_at_result_and_cuts_the_text(tiny_model, helpers) -> None:
    reply = "I go home.\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n✿RESULT✿: the screen shows"
    with helpers.forced_reply(tiny_model, reply) as ids:
        free = tiny_model.generate(helpers.conversation(helpers.noise(200, 300)), max_new_tokens=len(ids))
        gen = tiny_model.generate(helpers.conversation(helpers.noise(200, 300)), stop=STOP, max_new_tokens=64)
    assert free.text == reply  # the model really says it, marker and all
    assert gen.text == "I go home.\n✿FUNCTION✿: Home\n✿ARGS✿: {}\n"
    assert gen.stop_reason == "stop"
    tokens_to_marker = len(tiny_model.tokenizer.encode(reply.split("✿RESULT✿")[0] + "✿RESULT✿"))
    assert gen.output_tokens == tokens_to_marker  # stopped on the token that completed the marker


def test_a_stopped_row_does_not_stop_its_batch(tiny_model, helpers) -> None:
    reply = "Done.\n✿RETURN✿: ok"
    with helpers.forced_reply(tiny_model, reply):
        image_row = helpers.conversation(helpers.noise(200, 300))
        rows = tiny_model.generate_batch([image_row, image_row], stop=["✿RETURN✿"], max_new_tokens=16)
        free = tiny_model.generate(image_row, max_new_tokens=16)
    assert [g.text for g in rows] == ["Done.\n", "Done.\n"]
    assert free.text.startswith(reply)


def test_end_of_turn_stops_and_is_not_in_the_text(tiny_model, helpers) -> None:
    with helpers.forced_reply(tiny_model, "All done.<|im_end|>") as ids:
        gen = tiny_model.generate(helpers.conversation(helpers.noise(200, 300)), stop=STOP, max_new_tokens=32)
    assert (gen.text, gen.stop_reason, gen.output_tokens) == ("All done.", "eos", len(ids))


def test_length_limit_and_forced_token_count(tiny_dir: Path, tiny_model, helpers) -> None:
    gen = tiny_model.generate(helpers.conversation(helpers.noise(200, 300)), max_new_tokens=5)
    assert (gen.output_tokens, gen.stop_reason) == (5, "length")
    forced = load_model(str(tiny_dir), min_new_tokens=7)
    with helpers.forced_reply(forced, "Hi.<|im_end|>"):  # eos is suppressed until 7 tokens exist
        gen = forced.generate(helpers.conversation(), max_new_tokens=7)
    assert (gen.output_tokens, gen.stop_reason) == (7, "length")


def test_token_counts_and_timings(tiny_model, helpers) -> None:
    no_image = tiny_model.generate(helpers.conversation(), max_new_tokens=4)
    gen = tiny_model.generate(helpers.conversation(helpers.noise(224, 224)), max_new_tokens=4)
    assert no_image.image_tokens == 0 and no_image.image_sizes == []
    assert gen.prompt_tokens == no_image.prompt_tokens + 64 + 2  # image tokens + vision start/end
    assert set(gen.timings) == {"preprocess", "prefill", "decode", "total"}
    assert all(v >= 0 for v in gen.timings.values())
    parts = gen.timings["preprocess"] + gen.timings["prefill"] + gen.timings["decode"]
    assert parts == pytest.approx(gen.timings["total"], abs=1e-6)
    assert gen.decode_tokens_per_s > 0


def test_text_only_and_multi_image_conversations(tiny_model, helpers) -> None:
    history = [
        Message.text("system", "S"),
        Message("user", (TextPart("a"), *helpers.conversation(helpers.noise(224, 224))[1].content[1:])),
        Message.text("assistant", "✿FUNCTION✿: Home\n✿ARGS✿: {}"),
        helpers.conversation(helpers.noise(448, 224, seed=5))[1],
    ]
    gen = tiny_model.generate(history, max_new_tokens=2)
    assert gen.image_sizes == [(224, 224), (448, 224)]
    assert gen.image_tokens == 64 + 128


def test_prompt_beyond_the_context_is_a_model_failure(tiny_model, helpers) -> None:
    huge = helpers.conversation(task="word " * 40_000)
    with pytest.raises(ModelFailed, match="context"):
        tiny_model.generate(huge, max_new_tokens=4)


@pytest.mark.parametrize(
    "conversation", [[], [Message.text("tool", "x")], [Message("user", ("not a part",))]], ids=["empty", "role", "part"]
)
def test_malformed_conversations_are_rejected(tiny_model, conversation) -> None:
    with pytest.raises(ValueError):
        tiny_model.generate(conversation, max_new_tokens=2)


def test_describe(tiny_model) -> None:
    facts = tiny_model.describe()
    assert facts["device"] == "cpu" and facts["dtype"] == "float32" and facts["attention"] == "sdpa"
    assert facts["max_pixels"] == DEFAULT_MAX_PIXELS


def test_a_processor_ignoring_the_budget_is_caught(tiny_dir: Path, helpers) -> None:
    from transformers.image_utils import SizeDict

    model = load_model(str(tiny_dir))
    # What a transformers version that ignored our budget would do: resize to the checkpoint's own.
    model.processor.image_processor.size = SizeDict(shortest_edge=56 * 56, longest_edge=12845056)
    with pytest.raises(ModelFailed, match="pixel budget"):
        model.generate(helpers.conversation(helpers.noise(1080, 2400)), max_new_tokens=1)


def test_backends_sharing_one_model_do_not_disturb_each_other(tiny_dir: Path, helpers) -> None:
    """Each call runs in its own patch-embedding form and leaves the shared model as it found it."""
    from qwen2vl_agent.model.hf import HFModel

    linear = load_model(str(tiny_dir), linear_patch_embed=True, vision_cache=0)
    other = load_model(str(tiny_dir), linear_patch_embed=False, vision_cache=0)
    conv = HFModel(linear.model, other.processor, other.config)  # the same weights, the other form
    embed = linear.model.model.visual.patch_embed
    forms: list[bool] = []
    hook = embed.register_forward_pre_hook(lambda module, args: forms.append("forward" in module.__dict__))
    try:
        conversation = helpers.conversation(helpers.noise(200, 300))
        for backend, expected in ((linear, True), (conv, False), (linear, True)):
            forms.clear()
            backend.generate(conversation, max_new_tokens=2)
            assert forms and set(forms) == {expected}
            assert "forward" not in embed.__dict__  # the form the model was loaded in, restored
            assert linear.model.model.rope_deltas is None  # no M-RoPE offsets left behind for the next caller
    finally:
        hook.remove()


def test_a_watched_call_reports_every_token_and_returns_the_same_reply(tiny_dir: Path, helpers) -> None:
    # min_new_tokens keeps the random-weight model talking; greedy, so both calls produce the same tokens.
    model = load_model(str(tiny_dir), min_new_tokens=40)
    conversation = helpers.conversation(helpers.noise(300, 500, seed=3))
    plain = model.generate(conversation, stop=STOP, max_new_tokens=48)
    counts: list[tuple[int, float]] = []

    class Counts:
        def on_tokens(self, tokens: int, decode_s: float) -> None:
            counts.append((tokens, decode_s))

    with watching(model, Counts()):
        watched = model.generate(conversation, stop=STOP, max_new_tokens=48)
    assert model.observer is None  # restored on exit
    assert (watched.text, watched.output_tokens, watched.stop_reason) == (
        plain.text, plain.output_tokens, plain.stop_reason,
    )  # fmt: skip
    assert [n for n, _ in counts] == list(range(1, plain.output_tokens + 1)) and plain.output_tokens >= 40
    clock = [decode_s for _, decode_s in counts]
    assert clock[0] == 0.0 and clock == sorted(clock)
