#!/usr/bin/env python3
"""PyTorch side of tools/perf/ConvCpu.java: GFLOP per CPU-second of one thread for the 3x3 convolution (forward,
backward-data, backward-weight with bias, both backward) at batch 16 and the fmnist-s shapes, best of 6 rounds.

  OMP_NUM_THREADS=1 /usr/bin/python3 tools/perf/torch_conv_cpu.py
"""
import time

import torch

torch.set_num_threads(1)
for n, c, hw, reps in [(16,32,32,3),(16,64,16,6),(16,64,8,20)]:
    x = torch.randn(n,c,hw,hw, requires_grad=True); w = torch.randn(c,c,3,3, requires_grad=True); b = torch.randn(c, requires_grad=True)
    g = torch.randn(n,c,hw,hw)
    flops = 2.0*n*c*c*9*hw*hw
    best = {}
    for rnd in range(8):
        t0 = time.thread_time()
        for _ in range(reps):
            with torch.no_grad(): y = torch.nn.functional.conv2d(x, w, b, padding=1)
        tf = (time.thread_time()-t0)/reps
        y = torch.nn.functional.conv2d(x, w, b, padding=1)
        t0 = time.thread_time()
        for _ in range(reps):
            gx, gw = torch.autograd.grad(y, (x, w), g, retain_graph=True)
        tb = (time.thread_time()-t0)/reps
        t0 = time.thread_time()
        for _ in range(reps):
            gw, = torch.autograd.grad(y, (w,), g, retain_graph=True)
        tw = (time.thread_time()-t0)/reps
        t0 = time.thread_time()
        for _ in range(reps):
            gx, = torch.autograd.grad(y, (x,), g, retain_graph=True)
        td = (time.thread_time()-t0)/reps
        if rnd >= 2:
            for k, v in (('f',tf),('b',tb),('w',tw),('d',td)): best[k] = min(best.get(k, 1e9), v)
    print(f"torch n={n} c={c} hw={hw} 1 thread GFLOP per CPU-s: forward {flops/best['f']/1e9:.1f} backward-data {flops/best['d']/1e9:.1f} backward-weight(+bias) {flops/best['w']/1e9:.1f} data+weight {2*flops/best['b']/1e9:.1f}", flush=True)
