#!/usr/bin/env bash
# Regenerate every PyTorch reference fixture and verify it.
#   tools/make_fixtures.sh                 # generate + self-check
#   EDM_PATH=/path/to/edm tools/make_fixtures.sh   # also cross-check against the official NVlabs/edm code
# Needs python3 with torch (CPU) and numpy; override the interpreter with PYTHON=...
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-/usr/bin/python3}"
"$PY" -c 'import torch, numpy' 2>/dev/null || {
  echo "error: $PY lacks torch/numpy; install with: apt-get install -y python3-torch python3-numpy" >&2; exit 1; }
"$PY" tools/safetensors_io.py
"$PY" tools/make_fixtures.py
if [ -n "${EDM_PATH:-}" ]; then
  "$PY" tools/check_official_parity.py --edm-path "$EDM_PATH"
fi
