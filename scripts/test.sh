#!/usr/bin/env bash
# Set everything up, then run every test: unit and grading tests, the browser test, the course
# build check (releases in notebooks/ are what the sources build) and nbval over every notebook.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --browser

# Lab state of test runs goes to a scratch folder, never beside a learner's notebooks.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CASL_STATE_DIR="$scratch/state"

echo "== unit, grading and browser tests"
.venv/bin/python -m pytest -n 2 --dist loadgroup tests "$@"

echo "== course build: sources -> solved notebooks (executed) and releases, which must match notebooks/"
.venv/bin/casl build --out "$scratch/release" --solved "$scratch/solved"
if ! diff -ru notebooks "$scratch/release" --exclude='.*'; then
  echo "The notebooks in notebooks/ are not what the course sources build: run '.venv/bin/casl build' and commit." >&2
  exit 1
fi

echo "== nbval: every notebook, every output compared"
.venv/bin/python -m pytest --nbval --nbval-current-env -p no:xdist "$scratch/solved"
