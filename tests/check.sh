#!/bin/sh
# The project's test command (the README's, and the one CI runs): lint, architecture, tests.
set -e
cd "$(dirname "$0")/.."
ruff check .
ruff format --check .
lint-imports
python -m pytest "$@"
