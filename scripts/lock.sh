#!/usr/bin/env bash
# Regenerate requirements/lock.txt: every package Courier installs (runtime, test and
# dev tools, and what builds Courier itself), exact versions with hashes, for
# Python 3.11+ on every platform.  `make run` and `make test` install from it, so an
# upstream release never changes what runs until this is re-run and the result tested.
#
#   scripts/lock.sh            re-resolve from pyproject.toml's ranges (newest allowed)
#   scripts/lock.sh --upgrade-package NAME   move one package only
#
# Needs network access to PyPI; uv is fetched into a throw-away venv (pinned below).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
UV_VERSION=0.13.9
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
"$tools/venv/bin/uv" pip compile pyproject.toml requirements/build.in \
  --extra dev --generate-hashes --universal --python-version 3.11 \
  --output-file requirements/lock.txt "$@"
echo "requirements/lock.txt updated: run make test, then commit it with pyproject.toml" >&2
