"""A tiny Qwen2-VL (or Qwen2.5-VL, Qwen3-VL) checkpoint, built offline in seconds, that the real
transformers classes load.

``build_tiny_checkpoint(DIR)`` writes a standard checkpoint directory: a real ``Qwen2VLConfig`` of the
``tiny`` shape (~1M parameters) with deterministic random weights (``torch.manual_seed``), a byte-level
BPE tokenizer trained here on a fixed corpus (Qwen2's pre-tokenizer, all 14 Qwen special tokens in
Qwen's order, the ✿ markers tokenize compactly), the Qwen2-VL chat template, and the standard processor
configs (image and video), with the official checkpoints' pixel budget. ``from_pretrained(DIR)`` loads it
offline; the backend treats it exactly like a downloaded checkpoint.

``arch`` (``arches.ARCHES``, default ``qwen2_vl``) picks the architecture: its real config, model and
processor classes, the special and added tokens of its official tokenizer (``<tool_call>``, and for
Qwen3-VL ``<think>`` and ``<tool_response>``, not special, as there), the chat template its official
checkpoint ships (see ``arches.py`` for the sources) and its official processor config (Qwen3-VL: 16 px
patches). The ``qwen2_vl`` build is unchanged by the others.

The same inputs give byte-identical files. Its replies are gibberish: it exists so the full path (chat
template, processor, vision encoder, M-RoPE, generate, stop handling) runs in tests and offline demos.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from .arches import DEFAULT_ARCH, QWEN2VL_SPECIAL, spec
from .shapes import TINY_VOCAB_SIZE, SpecialIds, tiny_config
from .tiny_corpus import tiny_corpus
from .vision import DEFAULT_MIN_PIXELS, OFFICIAL_MAX_PIXELS

if TYPE_CHECKING:
    from transformers import ProcessorMixin

log = logging.getLogger(__name__)

SPECIAL_TOKENS = QWEN2VL_SPECIAL
VOCAB_SIZE = TINY_VOCAB_SIZE
SEED = 0
MARKER = "qwen2vl-agent-tiny.json"  # written last: its presence means the build completed
BUILD_VERSION = 3  # bump when the builder's output changes, so cached builds are rebuilt
# Weight init std, wider than transformers' 0.02: at 0.02 a 2-layer model mostly echoes its last input
# token whatever the image, so tests comparing outputs across screenshots would prove nothing. At 0.3
# the (gibberish) reply depends on the image and the text.
INIT_STD = 0.3


def train_tokenizer(seed: int = SEED, arch: str = DEFAULT_ARCH):
    """A Qwen2 tokenizer (byte-level BPE, Qwen2 pre-tokenizer) trained on ``tiny_corpus``.

    Ordinary tokens take ids ``[0, VOCAB_SIZE - n)`` and the ``n`` tokens of ``arch`` follow in Qwen's
    order: the 14 special ones, then the added ones (not special) of Qwen2.5/Qwen3.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE - len(spec(arch).tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(tiny_corpus(seed=seed), trainer=trainer)
    state = json.loads(bpe.to_str())["model"]
    vocab = dict(state["vocab"])
    # Special tokens directly after the ordinary ones, in Qwen's order (as in the official vocabulary).
    vocab.update({token: len(vocab) + i for i, token in enumerate(spec(arch).tokens)})
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in state["merges"]]
    tok = Qwen2Tokenizer(
        vocab=vocab,
        merges=merges,
        unk_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        model_max_length=32768,
        errors="replace",
    )
    tok.add_special_tokens({"additional_special_tokens": list(SPECIAL_TOKENS)})
    added = spec(arch).added_tokens
    if added:
        tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in added])
    tok.chat_template = chat_template(arch)
    if len(tok) > VOCAB_SIZE:
        raise AssertionError(f"tokenizer has {len(tok)} tokens, more than the model's {VOCAB_SIZE}")
    return tok


def chat_template(arch: str = DEFAULT_ARCH) -> str:
    """The chat template of ``arch``'s official checkpoints (images render as vision_start, image_pad,
    vision_end); Qwen2-VL's by default."""
    return spec(arch).chat_template()


def special_ids(tokenizer) -> SpecialIds:
    """The ids of the special tokens the model config needs, read from ``tokenizer``."""
    get = tokenizer.convert_tokens_to_ids
    return SpecialIds(
        image=get("<|image_pad|>"),
        video=get("<|video_pad|>"),
        vision_start=get("<|vision_start|>"),
        vision_end=get("<|vision_end|>"),
        im_end=get("<|im_end|>"),
        endoftext=get("<|endoftext|>"),
    )


def make_processor(tokenizer, arch: str = DEFAULT_ARCH) -> ProcessorMixin:
    """The standard processor of ``arch`` (image + video) around ``tokenizer``, with the official budget."""
    import transformers
    from transformers import Qwen2VLImageProcessor

    if arch == DEFAULT_ARCH:  # as built before the other architectures existed, file for file
        from transformers import Qwen2VLProcessor, Qwen2VLVideoProcessor

        size = {"shortest_edge": DEFAULT_MIN_PIXELS, "longest_edge": OFFICIAL_MAX_PIXELS}
        return Qwen2VLProcessor(
            image_processor=Qwen2VLImageProcessor(size=size),
            tokenizer=tokenizer,
            video_processor=Qwen2VLVideoProcessor(),
            chat_template=chat_template(),
        )
    s = spec(arch)
    extra = {"image_mean": list(s.image_mean), "image_std": list(s.image_std)} if s.image_mean else {}
    image_processor = Qwen2VLImageProcessor(
        size={"shortest_edge": s.min_pixels, "longest_edge": s.max_pixels},
        patch_size=s.patch_size,
        merge_size=s.merge_size,
        temporal_patch_size=2,
        **extra,
    )
    return getattr(transformers, s.processor_class)(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=getattr(transformers, s.video_processor_class)(),
        chat_template=s.chat_template(),
    )


def build_tiny_checkpoint(out_dir: str | Path, *, seed: int = SEED, arch: str = DEFAULT_ARCH) -> Path:
    """Write the tiny checkpoint of ``arch`` into ``out_dir`` (created if needed) and return its path.

    Offline, deterministic, a few seconds. Files: config.json, generation_config.json,
    model.safetensors, tokenizer files, chat template, processor configs, and ``MARKER`` last.
    """
    import torch
    import transformers
    from transformers import GenerationConfig

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(seed, arch)
    ids = special_ids(tokenizer)
    config = tiny_config(arch, ids)
    for sub in (config, config.text_config, config.vision_config):
        sub.initializer_range = INIT_STD
    torch.manual_seed(seed)
    model = getattr(transformers, spec(arch).model_class)(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=ids.endoftext,
        eos_token_id=[ids.im_end, ids.endoftext],
        pad_token_id=ids.endoftext,
        do_sample=False,
    )
    model.save_pretrained(out)
    make_processor(tokenizer, arch).save_pretrained(out)
    marker = {"shape": "tiny", "seed": seed, "version": BUILD_VERSION}
    if arch != DEFAULT_ARCH:  # the qwen2_vl marker stays as it was, so its build is unchanged
        marker["arch"] = arch
    (out / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    log.info("built the tiny %s checkpoint in %s", arch, out)
    return out


def build_info(path: str | Path) -> dict | None:
    """The marker of a completed tiny build in ``path`` (any builder version), or None."""
    try:
        info = json.loads((Path(path) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def is_tiny_checkpoint(path: str | Path, arch: str = DEFAULT_ARCH) -> bool:
    """Whether ``path`` holds a completed tiny build of ``arch`` from this builder version."""
    info = build_info(path)
    return info is not None and info.get("version") == BUILD_VERSION and info.get("arch", DEFAULT_ARCH) == arch
