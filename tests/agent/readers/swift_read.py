"""Read an ``export --format sft`` file with ms-swift's own loader and template, as ``swift sft`` would.

Run by an interpreter that has ``ms-swift`` (its own venv, see ``.ci/run``): ``python swift_read.py SFT.jsonl
PROCESSOR OUT.json``. ``load_dataset`` reads the file as a custom dataset (its ``MessagesPreprocessor`` checks the
roles), and the ``qwen2_vl`` template encodes each row for training: it loads every image and places one per
``<image>``. OUT gets one record per sample, in the shape ``llamafactory_read.py`` writes, for the test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(sft: str, processor_dir: str, out: str) -> None:
    from swift.dataset import load_dataset
    from swift.model import get_processor
    from swift.template import get_template
    from swift.template.vision_utils import load_image

    dataset, _ = load_dataset([sft], num_proc=1, load_from_cache_file=False)
    processor = get_processor(processor_dir, model_type="qwen2_vl")
    template = get_template(processor, template_type="qwen2_vl")
    template.set_mode("train")
    records = []
    for row in dataset:
        encoded = template.encode(dict(row))
        labels = [t for t in encoded["labels"] if t != -100]
        paths = [image["path"] for image in row["images"]]
        records.append({
            "roles": [m["role"] for m in row["messages"]],
            "images": paths,
            "sizes": [list(load_image(path).size) for path in paths],
            "text": processor.tokenizer.decode(encoded["input_ids"]),
            "trained": processor.tokenizer.decode(labels),
        })  # fmt: skip
    Path(out).write_text(json.dumps(records), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
