#!/usr/bin/env bash
# Quick start 2: the whole check, as CI runs it (.ci/run). Extra arguments go to pytest, e.g.
#   bash scripts/test.sh -k strategy -x
#
# Installs requirements-dev.txt into .venv, makes sure PostgreSQL, Redis, chromium and Thai fonts
# are there (scripts/services.sh), runs ruff (lint + format check) and then pytest against
# PostgreSQL and Redis. Exits with pytest's exit code (5, "no tests collected", is a failure too).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh requirements-dev.txt

# Not `eval "$(...)"` directly: eval of an empty string succeeds and would hide a failure.
exports=$(bash scripts/services.sh)
eval "$exports"
export DJANGO_SETTINGS_MODULE=emenscr.settings

echo "ruff check" >&2
.venv/bin/ruff check .
echo "ruff format --check" >&2
.venv/bin/ruff format --check .

exec .venv/bin/python -m pytest "$@"
