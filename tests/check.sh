#!/bin/sh
# The project's test command (the README's, and the one CI runs): lint, architecture, tests.
# `sh tests/check.sh --fast [PYTEST ARGS]`: the same checks with the fast tier only (-m "not slow"), for the edit loop.
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
    python -m pytest -m "not slow" "$@"
else
    python -m pytest "$@"
fi
