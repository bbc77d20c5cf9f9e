#!/bin/sh
# The project's test command (the README's, and the one CI runs): lint, architecture, tests.
# `sh tests/check.sh --fast [PYTEST ARGS]`: the same checks with the fast tier only (-m "not slow"), for the edit loop,
# on two pytest-xdist workers where it is installed (the test extra has it; each worker has its own session
# fixtures: simulated phones behind their own adb servers, Xvfb, temporary directories).
set -e
cd "$(dirname "$0")/.."
fast=""
if [ "${1:-}" = "--fast" ]; then
    fast=1
    shift
fi
ruff check .
ruff format --check .
lint-imports
if [ -n "$fast" ]; then
    workers=""
    if python -c "import xdist" 2>/dev/null; then
        workers="-n 2"
    fi
    # shellcheck disable=SC2086 # $workers is empty or two words
    python -m pytest -m "not slow" $workers "$@"
else
    python -m pytest "$@"
fi
