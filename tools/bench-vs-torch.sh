#!/usr/bin/env bash
# Side-by-side SongUNet benchmark: alternates `./sfd bench unet` and the PyTorch reference
# (tools/bench_torch_unet.py) ROUNDS times with the same config, batch and thread count, so both see the
# same machine state. Prints JSON lines ("impl": "sfd" or "pytorch"); summarise with the best of each.
#   tools/bench-vs-torch.sh [CONFIG] [BATCH] [THREADS] [ROUNDS]      e.g. tools/bench-vs-torch.sh fmnist-s 64 1 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${1:-fmnist-s}" BATCH="${2:-64}" THREADS="${3:-1}" ROUNDS="${4:-3}"
PY=/usr/bin/python3
if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "bench-vs-torch: $PY has no torch; install the Debian package python3-torch (apt-get install -y python3-torch)" >&2
  exit 2
fi
for ((r = 1; r <= ROUNDS; r++)); do
  "$ROOT/sfd" bench unet --config "$CONFIG" --size "$BATCH" --threads "$THREADS" --model-runs 2 --json 2>/dev/null \
    | grep '^{' | sed 's/^{/{"impl": "sfd", /'
  "$PY" "$ROOT/tools/bench_torch_unet.py" --config "$CONFIG" --size "$BATCH" --threads "$THREADS" --runs 2
done
