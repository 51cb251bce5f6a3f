#!/usr/bin/env bash
# The README's test command: from a fresh checkout, make .venv, install the
# package with its test and dev extras, make sure Debian's Chromium is there
# for the browser tests, and run the whole suite on SQLite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/growth`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests (Playwright cannot download its own here)..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

exec .venv/bin/python -m pytest -n 2 "$@"
