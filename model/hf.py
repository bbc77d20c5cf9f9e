"""The transformers backend: any Qwen2-VL, Qwen2.5-VL or Qwen3-VL checkpoint, in-process, one conversation
or a batch at a time.

``HFModel.load(HFModelConfig(model=...))`` loads a local directory or a hub id (see ``loading.py``);
``HFModel(model, processor, config)`` wraps objects built elsewhere (the benchmark builds random-weight
models of real shapes in memory). Both go through ``__init__``, which applies the pixel budget: the tiny
test checkpoint and a downloaded one take exactly the same path.

One call: render each conversation with the checkpoint's chat template (an image part becomes
``<|vision_start|><|image_pad|><|vision_end|>`` in place, the generation prompt is added), run the
processor on all texts and images at once with LEFT padding, and pass the processor's full output to
``generate`` (it carries ``mm_token_type_ids``, without which positions silently fall back to 1-D).
Left padding keeps every row's last prompt token at the same column, so batched greedy output equals
one-at-a-time output; ``generate`` is ``generate_batch`` of one.

Stopping: the eos ids (``<|im_end|>``, ``<|endoftext|>``), the caller's stop strings (``✿RESULT✿``,
``✿RETURN✿``) through ``StopOnStrings``, or the token limit; the text is cut before the first stop string
client-side in any case. Greedy by default (see ``HFModelConfig.greedy``).

History and M-RoPE. The agent keeps the last K screenshots as images and older ones as text
(``agent.prompt.build_messages(keep_images=K)``); ``image_tokens(w, h)`` tells it what each image
costs, so it can keep the prompt within a token budget. What that does here:
M-RoPE gives text tokens equal (t, h, w) position ids that advance by one per token, while an image's
tokens share one temporal id and spread over its grid, so a 1080x2400 screenshot at the default budget
is 1272 tokens but advances the position counter by only 53 (its grid's longer side). Replacing an image
by a line of text therefore shifts the position ids of *every later token*, and any cached keys/values
after that point are invalid: with a sliding image window, prefix reuse (a serving engine's prefix
cache) only covers the prompt before the first screenshot that was dropped this step. This backend keeps
the keys/values of the head before the first kept screenshot (``prefix.py``): the system turn, the task,
and the steps whose screenshots are text by now, a head that grows by one step per step once the window
slides and is extended rather than recomputed; the rest of the prompt is prefilled every step. An
append-only history would keep longer prefixes stable, at the price of a prompt that grows by one
screenshot per step.

Vision cache (``vision_cache.py``): a screenshot already seen (the history images of every later step)
skips both the image processor and the vision encoder; its stored features go to ``generate`` with the
new ones as precomputed ``mm_encoder_outputs``. Prefix cache and vision cache each leave the logits
unchanged (to float rounding) and can be turned off in ``HFModelConfig``.

Static cache (``HFModelConfig.static_cache``, off by default): decode writes into a cache preallocated for
the whole call instead of growing one by concatenation (on this project's 2-core CPU, batch-8 decode
about a third faster; output unchanged). On CUDA, transformers compiles the decode step of a call with
a static cache (CUDA graphs), which is what removes the per-token launch overhead of plain ``generate``;
the first call of each (batch size, cache length) pays the compilation.

Timings (seconds) per call: ``preprocess`` (template + image processor + copy to device), ``prefill``
(vision encoder + prompt forward, up to the first new token), ``decode`` (the other tokens), ``total``.
CUDA work is synchronised before each clock reading. In a batch every row reports its batch's timings.
Inside ``watch(observer)`` (``streaming.py``) a counting streamer tells ``observer`` the tokens so far after
each step; the reply is the same either way.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from transformers import BatchFeature, StoppingCriteriaList

from .base import Generation, Message, ModelFailed, ModelUnavailable
from .chat import template_messages
from .config import HFModelConfig
from .generation import FirstTokenClock, StopOnStrings, eos_ids, generation_config, read_row, static_cache, synchronizer
from .loading import load_pretrained
from .patches import image_inputs
from .pixels import Pixels, processor_input
from .prefix import Prepared, prefix_cache_for, supported
from .shared import owned
from .streaming import TokenObserver
from .tokens import PromptTokens
from .vision import BudgetedImages, PixelBudget
from .vision_cache import VisionCache, fingerprint

log = logging.getLogger(__name__)


class HFModel(BudgetedImages):
    """A Qwen2-VL, Qwen2.5-VL or Qwen3-VL checkpoint run with transformers; implements ``Model``.

    Every fast path holds for all three (each is tested against the plain path per architecture): the
    patch embedding as a matmul (Qwen3-VL's has a bias, added), rope_deltas cleared per call, the prefix
    cache (text before the first image has positions 0..n-1 on every M-RoPE axis, interleaved or not),
    the vision cache (Qwen3-VL's deepstack features are cached with the image's output), left-padded
    batching and the static cache. The patch factor (28, or 32 for Qwen3-VL's 16 px patches) is read from
    the checkpoint's processor config.

    Takes ownership of ``processor``: sets its tokenizer to left padding and its image processor to
    ``config``'s pixel budget, so give each instance its own processor. ``model`` may be shared: each call
    holds it alone and leaves it as it found it (``shared.owned``).
    """

    def __init__(self, model: Any, processor: Any, config: HFModelConfig | None = None, *, name: str | None = None):
        self.model = model.eval()
        self.processor = processor
        self.config = config or HFModelConfig()
        self.name = name or self.config.model
        self.device = model.device
        self.tokenizer = processor.tokenizer
        self.tokenizer.padding_side = "left"
        self.chat_template = getattr(processor, "chat_template", None) or self.tokenizer.chat_template
        if not self.chat_template:
            raise ModelUnavailable(f"{self.name} has no chat template (chat_template.jinja or tokenizer_config.json)")
        self.budget = self._apply_pixel_budget()
        self.image_token_id = model.config.image_token_id
        self.context_length = model.config.get_text_config().max_position_embeddings
        self.eos_ids = eos_ids(model.generation_config, self.tokenizer)
        self.end_ids = self.eos_ids | {self.tokenizer.pad_token_id}
        self._sync = synchronizer(self.device)
        self._lock = threading.Lock()
        self.prefix_cache = prefix_cache_for(model, self.tokenizer, self.config.prefix_cache)
        self.vision_cache = VisionCache(self.config.vision_cache) if self.config.vision_cache and supported() else None
        self.observer: TokenObserver | None = None

    @classmethod
    def load(cls, config: HFModelConfig, *, name: str | None = None) -> HFModel:
        """Load ``config.model`` (a local directory or a hub id); ``ModelUnavailable`` with advice on failure."""
        model, processor = load_pretrained(config)
        return cls(model, processor, config, name=name)

    @contextlib.contextmanager
    def watch(self, observer: TokenObserver) -> Iterator[None]:
        """Report each call's tokens to ``observer`` as they are generated (``streaming.Streams``); one
        observer per model at a time, restored on exit."""
        self.observer, before = observer, self.observer
        try:
            yield
        finally:
            self.observer = before

    # ------------------------------------------------------------------ generation

    def generate(
        self, messages: Sequence[Message], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> Generation:
        return self.generate_batch([messages], stop=stop, max_new_tokens=max_new_tokens)[0]

    def generate_batch(
        self, conversations: Sequence[Sequence[Message]], *, stop: Sequence[str] = (), max_new_tokens: int = 256
    ) -> list[Generation]:
        """Advance each conversation by one assistant reply; greedy results equal one-at-a-time calls.

        Runs in chunks of ``config.max_batch_size``. ``ValueError`` for a malformed conversation,
        ``ModelFailed`` when the prompt is too long or the forward pass fails.
        """
        if max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
        size = self.config.max_batch_size
        results: list[Generation] = []
        with self._lock:
            for start in range(0, len(conversations), size):
                results += self._generate_chunk(conversations[start : start + size], stop, max_new_tokens)
        return results

    def _generate_chunk(
        self, conversations: Sequence[Sequence[Message]], stop: Sequence[str], max_new_tokens: int
    ) -> list[Generation]:
        new_tokens = min(max_new_tokens, self.config.max_new_tokens)
        t0 = time.perf_counter()
        still = self.config.linear_patch_embed  # the matmul form takes each frame of a still image once
        inputs, image_counts, sizes, fingerprints = self._preprocess(conversations, new_tokens, still=still)
        t1 = time.perf_counter()
        output, first_token_at, cached = self._run(inputs, fingerprints, stop, new_tokens)
        t2 = time.perf_counter()
        timings = {
            "preprocess": t1 - t0, "prefill": first_token_at - t1, "decode": t2 - first_token_at, "total": t2 - t0,
        }  # fmt: skip
        return self._read(inputs, image_counts, sizes, output, stop, timings, cached)

    def _preprocess(
        self, conversations: Sequence[Sequence[Message]], new_tokens: int, *, still: bool = False
    ) -> tuple[Any, list[int], list[tuple[int, int]], list[bytes]]:
        """(processor output on the device, images per conversation, size each image was resized to, each
        image's fingerprint for the vision cache (empty when it is off)). ``still``: with the vision cache,
        the new images' ``pixel_values`` are still patches (``patches.image_inputs``), for the matmul patch
        embedding (``shared.owned``) or ``VisionCache``, which widens them for the convolution."""
        texts, images, counts = [], [], []
        for conversation in conversations:
            rendered, conversation_images = template_messages(conversation)
            # an assistant turn last is continued (qwen2vl-inline), anything else gets a fresh one
            cont = rendered[-1]["role"] == "assistant"
            texts.append(
                self.processor.apply_chat_template(
                    rendered,
                    chat_template=self.chat_template,
                    tokenize=False,
                    add_generation_prompt=not cont,
                    continue_final_message=cont,
                )
            )
            images += conversation_images
            counts.append(len(conversation_images))
        inputs, fingerprints = self._process(texts, images, still)
        longest = int(inputs["attention_mask"].sum(dim=1).max())
        if longest + new_tokens > self.context_length:
            raise ModelFailed(
                f"the prompt has {longest} tokens; with {new_tokens} new tokens it exceeds the model's context of "
                f"{self.context_length}. Keep fewer screenshots as images or lower max_pixels."
            )
        sizes = self._resized_sizes(inputs, images)
        inputs = inputs.to(self.device)
        self._sync()
        return inputs, counts, sizes, fingerprints

    def _process(self, texts: list[str], images: list, still: bool = False) -> tuple[Any, list[bytes]]:
        """The processor's output for ``texts`` and ``images`` (left-padded tensors), and each image's
        fingerprint when the vision cache is on.

        With the cache, only screenshots it does not hold are made into patches (``patches.image_inputs``:
        the image processor's values, from one pass over the resized pixels); the prompt is
        then laid out by the processor's own steps (each ``<|image_pad|>`` expanded to its image's token
        count from the patch grid, tokenizer, modality ids), so it equals the one-call output, and
        ``pixel_values`` holds only the new images, each once."""
        if self.vision_cache is None or not images:
            ready = [processor_input(image, self.processor.image_processor) for image in images]
            return self.processor(text=texts, images=ready or None, padding=True, return_tensors="pt"), []
        pixels = Pixels()  # each new screenshot's pixels leave PIL once, for its key and its resize
        fingerprints = [fingerprint(image, pixels) for image in images]
        grids = {key: self.vision_cache.grid(key) for key in fingerprints}
        new = {key: image for key, image in zip(fingerprints, images, strict=True) if grids[key] is None}
        data: dict[str, Any] = {}
        if new:
            # One image per call: the same patches as one call for all, and ~20% faster for a batch of
            # phone screenshots on a CPU (no stacking of full-size images into one large tensor).
            fresh = [image_inputs(im, self.processor.image_processor, pixels, still=still) for im in new.values()]
            grids.update((key, grid) for key, (_, grid) in zip(new, fresh, strict=True))
            values = [value for value, _ in fresh]
            data["pixel_values"] = values[0] if len(values) == 1 else torch.cat(values)  # no copy of a lone one
        data["image_grid_thw"] = torch.tensor([grids[key] for key in fingerprints], dtype=torch.long)
        merge = self.processor.image_processor.merge_size**2
        pads = (data["image_grid_thw"].prod(dim=1) // merge).tolist()
        if self._tokens().usable:
            tokens = self._tokens()(texts, pads)
        else:  # a tokenizer that adds a BOS: the processor's own way, the whole text each time
            expanded, _ = self.processor.get_text_with_replacements(
                list(texts), [self.processor.image_token * n for n in pads]
            )
            tokens = self.tokenizer(expanded, padding=True, return_tensors="pt")
        kinds = self.processor.create_mm_token_type_ids(tokens["input_ids"].tolist())
        data.update(tokens, mm_token_type_ids=torch.tensor(kinds, dtype=torch.long))
        return BatchFeature(data), fingerprints

    def _tokens(self) -> PromptTokens:
        """The prompt tokenizer that keeps the system turn's ids (made on first use)."""
        tokens = getattr(self, "_prompt_tokens", None)
        if tokens is None:
            tokens = self._prompt_tokens = PromptTokens(self.tokenizer, self.processor.image_token)
        return tokens

    def _resized_sizes(self, inputs: Any, images: list) -> list[tuple[int, int]]:
        """The (width, height) each image became, read from the processor's patch grid, checked against
        the pixel budget: if they disagree, coordinates would be mapped through the wrong size."""
        patch = self.processor.image_processor.patch_size
        grids = inputs["image_grid_thw"].tolist() if images else []
        sizes = [(w * patch, h * patch) for _, h, w in grids]
        expected = [self.image_size(*image.size) for image in images]
        if sizes != expected:
            raise ModelFailed(
                f"the image processor resized screenshots to {sizes}, but the pixel budget says {expected}; "
                "this transformers version does not honour the budget set in HFModel._apply_pixel_budget"
            )
        return sizes

    def _run(
        self, inputs: Any, fingerprints: list[bytes], stop: Sequence[str], new_tokens: int
    ) -> tuple[torch.Tensor, float, int]:
        clock = FirstTokenClock(self._sync)
        criteria = StoppingCriteriaList([clock])
        if any(stop):
            criteria.append(StopOnStrings(self.tokenizer, stop, inputs["input_ids"].shape[1]))
        streamer = None
        if self.observer is not None:
            from .token_count import CountingStreamer

            streamer = CountingStreamer(self.observer)
        try:
            with owned(self.model, linear_patch_embed=self.config.linear_patch_embed):
                output, cached = self._prefill_and_decode(inputs, fingerprints, criteria, new_tokens, streamer)
        except (RuntimeError, ValueError) as e:
            raise ModelFailed(f"generation failed on {self.name}: {e}") from e
        self._sync()
        assert clock.first_token_at is not None, "generate returned without producing a token"
        return output, clock.first_token_at, cached

    def _prefill_and_decode(
        self, inputs: Any, fingerprints: list[bytes], criteria: StoppingCriteriaList, new_tokens: int, streamer: Any
    ) -> tuple[torch.Tensor, int]:
        """The device work of one call (prefix cache, vision features, ``generate``); the model is ours."""
        cache = self.prefix_cache
        prepared = cache.prepare(inputs) if cache is not None else Prepared(dict(inputs), None, 0)
        extra = {"cache": prepared.cache} if prepared.cache is not None else {}
        if self.config.static_cache:
            extra["cache"] = static_cache(self.model.config, prepared, new_tokens)
        if fingerprints:
            pixel_values = prepared.inputs.pop("pixel_values", None)
            with torch.inference_mode():
                image = self.vision_cache.encoder_outputs(
                    self.model, fingerprints, prepared.inputs["image_grid_thw"], pixel_values
                )
            extra["mm_encoder_outputs"] = {"image": image}
        with torch.inference_mode():
            output = self.model.generate(
                **prepared.inputs,
                **extra,
                generation_config=generation_config(
                    self.model.generation_config, self.config, self.eos_ids, self.tokenizer, new_tokens
                ),
                streamer=streamer,
                stopping_criteria=criteria,
            )
        return output, prepared.cached_tokens

    def _read(
        self,
        inputs: Any,
        image_counts: list[int],
        sizes: list[tuple[int, int]],
        output: torch.Tensor,
        stop: Sequence[str],
        timings: dict,
        cached: int,
    ) -> list[Generation]:
        prompt_width = inputs["input_ids"].shape[1]
        results, first_image = [], 0
        for row, count in enumerate(image_counts):
            text, n_out, reason = read_row(output[row, prompt_width:].tolist(), self.tokenizer, self.end_ids, stop)
            results.append(
                Generation(
                    text=text,
                    prompt_tokens=int(inputs["attention_mask"][row].sum()),
                    output_tokens=n_out,
                    image_tokens=int((inputs["input_ids"][row] == self.image_token_id).sum()),
                    cached_tokens=cached,
                    image_sizes=sizes[first_image : first_image + count],
                    timings=dict(timings),
                    stop_reason=reason,
                )
            )
            first_image += count
        return results

    # ------------------------------------------------------------------ setup

    def _apply_pixel_budget(self) -> PixelBudget:
        """Make the image processor resize exactly as ``config`` says; the one place the budget is set."""
        from transformers.image_utils import SizeDict

        image_processor = self.processor.image_processor
        budget = PixelBudget(
            min_pixels=self.config.min_pixels,
            max_pixels=self.config.max_pixels,
            factor=image_processor.patch_size * image_processor.merge_size,
        )
        image_processor.size = SizeDict(shortest_edge=budget.min_pixels, longest_edge=budget.max_pixels)
        return budget

    def describe(self) -> dict[str, Any]:
        """What was loaded and how it runs, for ``qwen2vl-agent model info`` and logs."""
        return {
            "name": self.name,
            "model_type": self.model.config.model_type,
            "architecture": type(self.model).__name__,
            "patch_factor": self.budget.factor,
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "device": str(self.device),
            "dtype": str(self.model.dtype).removeprefix("torch."),
            "attention": self.model.config._attn_implementation,
            "min_pixels": self.budget.min_pixels,
            "max_pixels": self.budget.max_pixels,
            "context_length": self.context_length,
            "greedy": self.config.greedy,
            "prefix_cache": self.prefix_cache.capacity if self.prefix_cache is not None else 0,
            "linear_patch_embed": self.config.linear_patch_embed,
            "vision_cache": self.config.vision_cache,
            "static_cache": self.config.static_cache,
        }
