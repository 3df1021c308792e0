#!/usr/bin/env python3
"""torch.profiler view of one SFD iteration (tools/bench_torch_sfd.py's SfdStep), to set beside `sfd profile sfd-iteration`.

Runs one untimed iteration, then --runs timed iterations without the profiler (CPU time of the calling thread,
time.thread_time(): load on the machine does not inflate it; the best is kept), then --runs iterations under
torch.profiler (CPU activities) and prints the per-op table sorted by self time. torch.profiler's times are elapsed
time and the profiler adds its own cost, so only their shares are used: "self cpu-ms" is an op's share of the summed
self times x the best unprofiled thread CPU time of one iteration, comparable with
`sfd profile sfd-iteration --threads 1 --clock cpu` on our side (per iteration there: divide by its --runs).
Meant for one thread.

  OMP_NUM_THREADS=1 /usr/bin/python3 tools/profile_torch_sfd.py --config fmnist-s --size 8,8 --runs 2
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch_sfd import SfdStep  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="fmnist-s")
    ap.add_argument("--size", default="8,8", help="remain[,forget] batch (forget defaults to remain)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=2, help="profiled iterations after one untimed one")
    ap.add_argument("--rows", type=int, default=30, help="rows of the table")
    a = ap.parse_args()
    sizes = [int(s) for s in a.size.split(",")]
    remain, forget = sizes[0], sizes[1] if len(sizes) > 1 else sizes[0]
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    step = SfdStep(a.config, remain, forget)
    step.iterate()
    cpus = []
    for _ in range(a.runs):
        c0 = time.thread_time()
        step.iterate()
        cpus.append(time.thread_time() - c0)
    cpu = min(cpus)
    print(f"unprofiled, thread cpu per iteration: best {cpu * 1e3:.1f} ms of " + ", ".join(f"{c * 1e3:.1f}" for c in cpus), flush=True)
    c0, w0 = time.thread_time(), time.perf_counter()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(a.runs):
            step.iterate()
    prof_cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total_self = sum(e.self_cpu_time_total for e in rows)  # microseconds, elapsed
    print(f"torch.profiler sfd-iteration {a.config} {remain}+{forget}, {a.threads} thread(s), {a.runs} run(s) after 1 warm-up, torch {torch.__version__}")
    print(f"{'name':<44} {'calls/it':>8} {'self ms':>10} {'share':>7} {'cpu-ms/it':>10}")
    for e in rows[:a.rows]:
        share = e.self_cpu_time_total / total_self
        print(f"{e.key:<44} {e.count / a.runs:>8.0f} {e.self_cpu_time_total / 1e3:>10.1f} {100 * share:>6.1f}% {share * cpu * 1e3:>10.1f}")
    print(f"profiled {a.runs} iteration(s): sum of self times {total_self / 1e3:.1f} ms, wall {wall * 1e3:.1f} ms, thread cpu {prof_cpu * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
