#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, lint, types, tests (offscreen Qt).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/core -k storage
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh --test
py=.venv/bin/python

echo "== ruff"
"$py" -m ruff check app tests
"$py" -m ruff format --check app tests
echo "== mypy"
"$py" -m mypy
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
# Tests must never touch the real home directory or keychain.
COURIER_HOME=$(mktemp -d)
export COURIER_HOME
trap 'rm -rf "$COURIER_HOME"' EXIT
status=0
# the keychain tests must run against the real Secret Service, never skip
export COURIER_REQUIRE_KEYCHAIN=1
timeout --kill-after=30 2400 scripts/with-keyring.sh "$py" -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
