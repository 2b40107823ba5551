#!/usr/bin/env bash
# Set everything up, then open the workbook in JupyterLab at the first notebook.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)   # containers and workshop VMs often run as root
exec .venv/bin/jupyter lab --ip 127.0.0.1 "${extra[@]}" notebooks/00-start.ipynb "$@"
