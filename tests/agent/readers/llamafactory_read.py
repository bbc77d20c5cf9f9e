"""Read an ``export --format sft`` output with LLaMA-Factory's own loader, as a training run would.

Run by an interpreter that has ``llamafactory`` (its own venv, see ``.ci/run``): ``python llamafactory_read.py
DATASET_DIR NAME PROCESSOR OUT.json``. The dataset NAME is looked up in DATASET_DIR's ``dataset_info.json`` (the
entry ``export`` wrote), loaded and aligned by LLaMA-Factory (a sample whose roles are out of order comes back
empty), then tokenized with the ``qwen2_vl`` template and PROCESSOR: its multimodal plugin refuses a sample whose
``<image>`` count differs from its images, and opens every image. OUT gets one record per sample (``read.py``'s
shape) for the test to compare with what the model was prompted with.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def aligned(dataset_dir: Path, name: str, work: Path) -> list[dict]:
    from llamafactory.data.loader import _load_single_dataset
    from llamafactory.data.parser import get_dataset_list
    from llamafactory.hparams import DataArguments, ModelArguments
    from transformers import Seq2SeqTrainingArguments

    data_args = DataArguments(dataset=name, dataset_dir=str(dataset_dir), template="qwen2_vl")
    model_args = ModelArguments(model_name_or_path=str(work))
    training_args = Seq2SeqTrainingArguments(output_dir=str(work / "out"), report_to=[])
    (attr,) = get_dataset_list([name], str(dataset_dir))
    return list(_load_single_dataset(attr, model_args, data_args, training_args))


def tokenized(rows: list[dict], processor_dir: Path) -> list[dict]:
    from llamafactory.data.mm_plugin import get_mm_plugin
    from llamafactory.data.template import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(processor_dir)
    tokenizer = processor.tokenizer
    template = get_template_and_fix_tokenizer(tokenizer, DataArguments(template="qwen2_vl"))
    plugin = get_mm_plugin("qwen2_vl", image_token="<|image_pad|>")
    out = []
    for row in rows:
        messages = plugin.process_messages(row["_prompt"] + row["_response"], row["_images"], [], [], processor)
        images = plugin._regularize_images(row["_images"], image_max_pixels=2**40, image_min_pixels=0)["images"]
        prompt_ids, response_ids = template.encode_oneturn(tokenizer, messages, row["_system"], row["_tools"])
        out.append({
            "roles": ["system"] * bool(row["_system"]) + [m["role"] for m in row["_prompt"] + row["_response"]],
            "images": row["_images"],
            "sizes": [list(image.size) for image in images],
            "text": tokenizer.decode(prompt_ids + response_ids),
            "trained": tokenizer.decode(response_ids),
        })  # fmt: skip
    return out


def main(dataset_dir: str, name: str, processor_dir: str, out: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = aligned(Path(dataset_dir), name, Path(tmp))
        Path(out).write_text(json.dumps(tokenized(rows, Path(processor_dir))), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
