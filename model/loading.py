"""Load a Qwen2-VL, Qwen2.5-VL or Qwen3-VL checkpoint with transformers: choose device, dtype and
attention, and turn every way loading can fail (no such directory, no weights, hub unreachable, wrong
architecture, missing flash-attn) into one ``ModelUnavailable`` whose message says what to do.

A local directory is always loaded with ``local_files_only=True``: it never touches the network.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import ModelUnavailable
from .config import HFModelConfig

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

QWEN_VL_TYPES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")
_WEIGHT_FILES = (
    "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
)  # fmt: skip


def resolve_device(device: str | None) -> torch.device:
    """``device`` as given, else ``cuda`` when available, else ``cpu``."""
    import torch

    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except RuntimeError as e:
        raise ModelUnavailable(f"unknown device {device!r}: {e}") from None


def resolve_dtype(dtype: str | None, device: torch.device) -> torch.dtype:
    """``dtype`` as given, else bfloat16 on CUDA and float32 elsewhere (CPU bf16 matmuls are slow)."""
    import torch

    if dtype is None:
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, dtype)


def resolve_attention(attn: str | None, device: torch.device, dtype: torch.dtype) -> str:
    """``attn`` as given, else flash-attention 2 where it can run (installed, CUDA, 16-bit), else SDPA."""
    import torch

    if attn is not None:
        if attn == "flash_attention_2" and importlib.util.find_spec("flash_attn") is None:
            raise ModelUnavailable(
                "flash_attention_2 needs the flash-attn package (pip install flash-attn); or use sdpa"
            )
        return attn
    usable = device.type == "cuda" and dtype in (torch.bfloat16, torch.float16)
    return "flash_attention_2" if usable and importlib.util.find_spec("flash_attn") is not None else "sdpa"


def is_local_spec(spec: str) -> bool:
    """Whether ``spec`` names a local directory rather than a hub id.

    An existing path is local; so is anything that can only be a path (absolute, ``./``, ``../``,
    ``~``, or more than one ``/``), so a mistyped directory gets "no such directory", not a hub error.
    """
    if Path(spec).expanduser().exists():
        return True
    return spec.startswith(("/", "./", "../", "~", ".")) or spec.count("/") > 1 or "\\" in spec


def load_pretrained(config: HFModelConfig) -> tuple[Any, Any]:
    """Return (model in eval mode on its device, processor) for ``config``; ``ModelUnavailable`` on failure."""
    local = is_local_spec(config.model)
    source = str(Path(config.model).expanduser()) if local else config.model
    if local:
        _check_local_dir(Path(source))
    offline = local or config.local_files_only or _hub_offline()
    device = resolve_device(config.device)
    dtype = resolve_dtype(config.dtype, device)
    attn = resolve_attention(config.attn_implementation, device, dtype)
    if not offline and not _hub_resolves():
        if not _in_hub_cache(source):
            raise ModelUnavailable(_explain(config.model, local=False, offline=False, error=None))
        offline = True  # cached: load it without waiting for the hub client's retries
    try:
        return _from_pretrained(source, offline=offline, device=device, dtype=dtype, attn=attn)
    except ModelUnavailable:
        raise
    except ImportError as e:
        raise ModelUnavailable(f"cannot load {config.model}: {e}") from e
    except (OSError, ValueError) as e:
        raise ModelUnavailable(_explain(config.model, local=local, offline=offline, error=e)) from e


def _from_pretrained(source: str, *, offline: bool, device: torch.device, dtype: torch.dtype, attn: str):
    from transformers import AutoConfig, AutoModelForImageTextToText, AutoProcessor

    model_config = AutoConfig.from_pretrained(source, local_files_only=offline)
    if model_config.model_type not in QWEN_VL_TYPES:
        raise ModelUnavailable(
            f"{source} is a {model_config.model_type!r} checkpoint; this backend runs Qwen2-VL, Qwen2.5-VL "
            f"and Qwen3-VL ({', '.join(QWEN_VL_TYPES)})"
        )
    log.info("loading %s on %s as %s with %s attention", source, device, dtype, attn)
    model = AutoModelForImageTextToText.from_pretrained(
        source, local_files_only=offline, dtype=dtype, attn_implementation=attn, device_map=str(device)
    )
    processor = AutoProcessor.from_pretrained(source, local_files_only=offline)
    return model.eval(), processor


def _check_local_dir(path: Path) -> None:
    if not path.is_dir():
        raise ModelUnavailable(
            f"no checkpoint directory at {path}. Pass --model with a directory holding a Qwen2-VL checkpoint, "
            "a hub id such as Qwen/Qwen2-VL-2B-Instruct, or --model tiny for the offline test model."
        )
    if not (path / "config.json").is_file():
        raise ModelUnavailable(f"{path} is not a transformers checkpoint: it has no config.json")
    if not any((path / name).is_file() for name in _WEIGHT_FILES):
        raise ModelUnavailable(
            f"{path} has a config.json but no weights (model.safetensors or pytorch_model.bin); "
            "the download is incomplete or the weights were left out"
        )


def _hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it (1, ON, YES, TRUE)."""
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE")


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


def _hub_resolves() -> bool:
    """Whether the hub's host name resolves: without DNS, fail at once instead of after the hub client's
    retries (about 30 s)."""
    from urllib.parse import urlparse

    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def _explain(spec: str, *, local: bool, offline: bool, error: Exception | None) -> str:
    detail = str(error).strip().splitlines()[0] if error is not None and str(error).strip() else ""
    if local or _in_hub_cache(spec):
        return f"cannot load the checkpoint {spec}: {detail or type(error).__name__}"
    where = "offline mode is on" if offline else "the Hugging Face hub cannot be reached"
    return (
        f"{spec} is not in the local Hugging Face cache and {where}"
        + (f" ({detail})" if detail else "")
        + f". Download it on a machine with network (`hf download {spec}`) and pass --model with its "
        "directory, or run offline with --model tiny."
    )
