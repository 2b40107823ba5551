#!/usr/bin/env bash
# Set up everything the workbook needs, in its own virtual environment (.venv). Safe to run again:
# it reinstalls only when pyproject.toml changed. With --browser it also makes sure Chromium is
# there for the browser test (Debian's package, installed with apt-get when running as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

python=${CASL_PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "casl needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1). Set CASL_PYTHON to one." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "casl: creating the virtual environment in .venv"
  "$python" -m venv .venv
fi

stamp=.venv/.casl-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "casl: installing the workbook and its packages (about a minute the first time)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$want" > "$stamp"
fi

if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "casl: installing Chromium for the browser test (Debian package 'chromium')"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "casl: Chromium is missing; install your system's 'chromium' package to run the browser test" >&2
  fi
fi
