#!/usr/bin/env bash
# Side-by-side benchmark against PyTorch CPU: alternates ours (`./sfd bench`) and the PyTorch reference ROUNDS times
# with the same config, sizes and thread count, so both see the same machine state. Each process runs under
# /usr/bin/time -v; its peak RSS ("Maximum resident set size") and CPU time (user + system, whole process, start-up and
# warm-up included) are added to its JSON lines as "peak_rss_mb" and "cpu_s".
#   tools/bench-vs-torch.sh [unet] [CONFIG] [BATCH] [THREADS] [ROUNDS]           e.g. tools/bench-vs-torch.sh fmnist-s 64 2 3
#   tools/bench-vs-torch.sh sfd-step [CONFIG] [REMAIN,FORGET] [THREADS] [ROUNDS]  e.g. tools/bench-vs-torch.sh sfd-step fmnist-s 8,8 2 3
# unet: SongUNet forward and forward+backward (tools/bench_torch_unet.py); sfd-step: one SFD iteration
# (tools/bench_torch_sfd.py). PyTorch runs with OMP_NUM_THREADS=THREADS and torch.set_num_threads(THREADS), ours
# with --threads THREADS. Prints one JSON object per process and figure ("impl": "sfd" or "pytorch"), then one
# "summary" line per impl and figure: the best "value" over all rounds, the median of the rounds' medians, and
# the smallest and largest peak RSS. RUNS (environment, default 3) timed repetitions per process after one warm-up;
# SFD (environment) replaces the launcher, e.g. a copy of a build that must not rebuild during the runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKLOAD=unet
case "${1:-}" in unet|sfd-step) WORKLOAD="$1"; shift ;; esac
CONFIG="${1:-fmnist-s}" THREADS="${3:-2}" ROUNDS="${4:-3}" RUNS="${RUNS:-3}"
if [ "$WORKLOAD" = unet ]; then SIZE="${2:-64}"; else SIZE="${2:-32,32}"; fi
SFD="${SFD:-$ROOT/sfd}"
PY=/usr/bin/python3
if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "bench-vs-torch: $PY has no torch; install the Debian package python3-torch (apt-get install -y python3-torch)" >&2
  exit 2
fi
[ -x /usr/bin/time ] || { echo "bench-vs-torch: /usr/bin/time is missing (Debian package time)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run IMPL CMD...: runs CMD under /usr/bin/time -v and prints its JSON lines with "impl", "peak_rss_mb", "cpu_s" added
run() {
  local impl="$1"; shift
  /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo "bench-vs-torch: $impl failed" >&2; exit 1; }
  local kb cpu
  kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")"
  cpu="$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tmp/time")"
  grep '^{' "$tmp/out" | "$PY" -c '
import json, sys
for line in sys.stdin:
    row = json.loads(line)
    row["impl"] = sys.argv[1]
    row["peak_rss_mb"] = round(int(sys.argv[2]) / 1024)
    row["cpu_s"] = float(sys.argv[3])
    print(json.dumps(row), flush=True)' "$impl" "$kb" "$cpu" | tee -a "$tmp/all"
}

for ((r = 1; r <= ROUNDS; r++)); do
  if [ "$WORKLOAD" = unet ]; then
    run sfd "$SFD" bench unet --config "$CONFIG" --size "$SIZE" --threads "$THREADS" --model-runs "$RUNS" --json
    OMP_NUM_THREADS="$THREADS" run pytorch "$PY" "$ROOT/tools/bench_torch_unet.py" --config "$CONFIG" --size "$SIZE" --threads "$THREADS" --runs "$RUNS"
  else
    run sfd "$SFD" bench sfd-step --config "$CONFIG" --size "$SIZE" --threads "$THREADS" --model-runs "$RUNS" --json
    OMP_NUM_THREADS="$THREADS" run pytorch "$PY" "$ROOT/tools/bench_torch_sfd.py" --config "$CONFIG" --size "$SIZE" --threads "$THREADS" --runs "$RUNS"
  fi
done

"$PY" - "$tmp/all" "$ROUNDS" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for key in sorted({(r["bench"], r["impl"]) for r in rows}, key=lambda k: (k[0], k[1] != "sfd")):
    sel = [r for r in rows if (r["bench"], r["impl"]) == key]
    rss = [r["peak_rss_mb"] for r in sel]
    print(json.dumps({"summary": key[0], "impl": key[1], "unit": sel[0]["unit"], "best": max(r["value"] for r in sel),
                      "median": statistics.median(r["median"] for r in sel), "rounds": len(sel), "runs_per_round": sel[0].get("runs"),
                      "peak_rss_mb_min": min(rss), "peak_rss_mb_max": max(rss),
                      "cpu_s_median": statistics.median(r["cpu_s"] for r in sel)}))
EOF
