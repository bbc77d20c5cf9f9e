#!/bin/sh
# The training-data readers for tests/agent/test_export_readers.py, each in its own venv under DIR (default
# .venv-readers): LLaMA-Factory and ms-swift pin transformers, datasets and peft below this project's versions.
# Each venv sees the project venv's packages (torch, PIL, ...) through a .pth and installs only what its reader
# needs over them, with the reader's own pins; nothing in the project venv changes.
# Prints the two interpreters as QWEN2VL_TEST_*_PYTHON=... lines on stdout (everything else goes to stderr).
set -eu
exec 3>&1 1>&2
DIR=${1:-.venv-readers}
SITE=${SITE:-$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

venv() {
    python -m venv "$DIR/$1"
    echo "$SITE" > "$("$DIR/$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/zz_project.pth"
}

venv llamafactory
# --no-deps: its full list is a training stack (gradio, deepspeed extras, ...); these are what its data path imports.
"$DIR/llamafactory/bin/pip" install -q --no-deps llamafactory==0.9.5 trl==0.24.0 torchaudio==2.11.1
"$DIR/llamafactory/bin/pip" install -q transformers==5.6.0 peft==0.18.1 datasets==4.0.0 accelerate==1.11.0 omegaconf

venv swift
"$DIR/swift/bin/pip" install -q --no-deps ms-swift==4.6.0 modelscope==1.40.2 modelscope_hub json_repair
"$DIR/swift/bin/pip" install -q 'transformers<5.20' 'datasets<4.8.5' 'peft<0.21' 'qwen_vl_utils>=0.0.14' aiohttp

echo >&3 "QWEN2VL_TEST_LLAMAFACTORY_PYTHON=$DIR/llamafactory/bin/python"
echo >&3 "QWEN2VL_TEST_SWIFT_PYTHON=$DIR/swift/bin/python"
