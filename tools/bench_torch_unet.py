#!/usr/bin/env python3
"""PyTorch (CPU) reference for `sfd bench unet`: the same SongUNet config, batch, inputs and timing rule.

Prints one JSON object per line with the same names as `./sfd bench unet --json` plus "impl": "pytorch", so
tools/bench-vs-torch.sh can alternate both and put the figures side by side. Uses tools/edm_reference.py
(the parity reference of the SongUNet port). Needs /usr/bin/python3 with python3-torch (Debian).

  /usr/bin/python3 tools/bench_torch_unet.py --config fmnist-s --size 64 --threads 2 --runs 3
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edm_reference as edm  # noqa: E402


def best_seconds(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), sorted(times)[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="fmnist-s")
    ap.add_argument("--size", default="64", help="batch sizes, comma separated")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(2)
    for config in a.config.split(","):
        net = edm.build(config)
        net.train(False)
        res, ch, labels_dim = net.img_resolution, net.img_channels, net.label_dim
        for b in (int(s) for s in a.size.split(",")):
            x = torch.randn(b, ch, res, res)
            sigma = torch.rand(b) + 0.5
            labels = torch.nn.functional.one_hot(torch.zeros(b, dtype=torch.long), labels_dim).float()

            def fwd():
                with torch.no_grad():
                    net(x, sigma, labels)

            def fwdbwd():
                net.zero_grad(set_to_none=False)
                net(x, sigma, labels).sum().backward()

            for kind, fn in (("fwd", fwd), ("fwdbwd", fwdbwd)):
                best, median = best_seconds(fn, a.runs, a.warmup)
                print(json.dumps({"bench": f"unet-{config}-b{b}-{kind}", "unit": "images/s", "value": round(b / best, 4),
                                  "median": round(b / median, 4), "reference": None, "ratio": None, "stat": "best",
                                  "runs": a.runs, "impl": "pytorch", "threads": a.threads, "torch": torch.__version__}),
                      flush=True)


if __name__ == "__main__":
    main()
