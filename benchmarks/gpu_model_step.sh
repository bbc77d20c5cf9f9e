#!/bin/sh
# The model backend's GPU numbers in one short run (5 to 10 minutes on one H100-class card, most of it
# compiling the static-cache decode steps): the 2B shape on a 1080x2400 phone screenshot at the default
# budget (1280*28*28), 50 forced tokens, batch 1 and 8, with the growing and the static cache, beside the
# naive baseline; then a step late in an episode (4 screenshots shown, 3 of them seen before), with and
# without the prefix and vision caches.
# Needs this package and its dependencies importable by python3 (transformers 5.24 or newer for the
# prefix and vision caches). Tables go to the terminal; tables and JSON rows to DIR (default gpu-results).
#
#   sh benchmarks/gpu_model_step.sh [DIR] [SHAPE]     # SHAPE: 2b (default) or 7b
set -eu
out=${1:-gpu-results}
shape=${2:-2b}
mkdir -p "$out"
here=$(dirname "$0")
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt" || true
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' \
    | tee -a "$out/gpu.txt"
common="--shape $shape --device cuda --screens phone --max-pixels 1280*28*28 --tokens 50 --batch-sizes 1,8 --static-cache"
# shellcheck disable=SC2086
python3 "$here/model_step.py" $common --repeats 3 --json "$out/first_step.json" | tee "$out/first_step.txt"
# shellcheck disable=SC2086
python3 "$here/model_step.py" $common --repeats 3 --history 4 --no-baseline --without-caches --json "$out/history4.json" \
    | tee "$out/history4.txt"
