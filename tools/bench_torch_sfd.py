#!/usr/bin/env python3
"""PyTorch (CPU) reference for `sfd bench sfd-step`: one SFD iteration with the same networks, batches and passes.

Mirrors dev.sfd.unlearn.ScoreForgettingDistillation#iterate with SfdConfig.defaults() (SPEC-SFD section 8, CPU
recipe of section 16): a frozen teacher and two trainable copies (fake score net, generator) of the SongUNet config
(tools/edm_reference.py, the parity reference of our port), forgetting class 0 with override 1.
One iteration is
  1. fake update: detached generator samples of R remain + F forget labels in ONE batch, EDM loss
     (ln sigma ~ N(-1.2, 1.2^2)), weights 1/R per remain and 0.1/F per forget sample, NaN sanitiser, Adam;
  2. generator update: generator samples with gradient, x_t = x_g + sigma n with sigma = rho-7 interpolation of
     u ~ U(0, 0.8); teacher (labels c, override for the forget rows) and fake net (labels c) with frozen parameters
     but gradient to their input; SiD loss with alpha 1.2 and omega = max(mean |y_real - x_g|, 1e-5) held constant;
     weights 1/R and 0.1/F, NaN sanitiser, Adam;
  3. EMA of the generator (EDM half-life 500k images, ramp-up 0.5).
Adam (0.0, 0.999), eps 1e-8, lr 5e-5 for both nets; dropout 0 (the config's). Weights are random: speed does not
depend on them.

Prints one JSON object per line with the same names as `./sfd bench sfd-step --json` (FIELDS) plus "impl":
"pytorch", "threads" and "torch", so tools/bench-vs-torch.sh can put both side by side. Needs /usr/bin/python3 with
python3-torch (Debian).

  OMP_NUM_THREADS=2 /usr/bin/python3 tools/bench_torch_sfd.py --config fmnist-s --size 8,8 --threads 2 --runs 3
"""
import argparse
import copy
import json
import os
import sys
import time

# the JSON names `sfd bench sfd-step --json` prints (SfdStepNamesTest compares them with the Java side)
FIELDS = ("bench", "unit", "value", "median", "reference", "ratio", "stat", "runs")
BENCH_NAME = "sfd-step-{config}-{remain}+{forget}"

import torch  # noqa: E402  (after FIELDS, so the names are readable without torch)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edm_reference as edm  # noqa: E402

# SfdConfig.defaults()
SIGMA_INIT, ALPHA = 2.5, 1.2
LAMBDA_REMAIN, LAMBDA_FORGET, LAMBDA_FAKE_REMAIN, LAMBDA_FAKE_FORGET = 1.0, 0.1, 1.0, 0.1
T_MAX, SIGMA_MIN, SIGMA_MAX, RHO = 0.8, 0.002, 80.0, 7.0
P_MEAN, P_STD, SIGMA_DATA = -1.2, 1.2, 0.5
LR, BETAS, EPS = 5e-5, (0.0, 0.999), 1e-8
EMA_HALF_LIFE, EMA_RAMPUP = 500_000, 0.5
FORGET, OVERRIDE = 0, 1


class SfdStep:
    def __init__(self, config, remain, forget):
        self.teacher = edm.build(config)
        self.teacher.train(False)
        self.teacher.requires_grad_(False)
        self.gen = copy.deepcopy(self.teacher).requires_grad_(True)
        self.fake = copy.deepcopy(self.teacher).requires_grad_(True)
        self.ema = copy.deepcopy(self.gen).requires_grad_(False)
        self.opt_gen = torch.optim.Adam(self.gen.parameters(), lr=LR, betas=BETAS, eps=EPS)
        self.opt_fake = torch.optim.Adam(self.fake.parameters(), lr=LR, betas=BETAS, eps=EPS)
        self.classes = self.teacher.label_dim
        self.shape = (self.teacher.img_channels, self.teacher.img_resolution, self.teacher.img_resolution)
        self.remain_pool = torch.tensor([c for c in range(self.classes) if c != FORGET])
        self.nr, self.nf = remain, forget
        self.step = 0

    def one_hot(self, labels):
        return torch.nn.functional.one_hot(labels, self.classes).float()

    def generate(self, labels):
        z = torch.randn(len(labels), *self.shape)
        return self.gen(SIGMA_INIT * z, torch.full((len(labels),), SIGMA_INIT), self.one_hot(labels))

    def branch_weights(self):
        return torch.cat([torch.full((self.nr,), 1.0 / self.nr), torch.full((self.nf,), 1.0 / self.nf)])

    @staticmethod
    def sanitize(params):
        for p in params:
            if p.grad is not None:
                torch.nan_to_num_(p.grad, nan=0.0, posinf=1e5, neginf=-1e5)

    def iterate(self):
        remain = self.remain_pool[torch.randint(len(self.remain_pool), (self.nr,))]
        labels = torch.cat([remain, torch.full((self.nf,), FORGET)])
        w_fake = self.branch_weights() * torch.cat([torch.full((self.nr,), LAMBDA_FAKE_REMAIN), torch.full((self.nf,), LAMBDA_FAKE_FORGET)])
        w_gen = self.branch_weights() * torch.cat([torch.full((self.nr,), LAMBDA_REMAIN), torch.full((self.nf,), LAMBDA_FORGET)])
        n = len(labels)

        # 1. fake score update on detached generator samples (EDM loss)
        self.opt_fake.zero_grad(set_to_none=False)
        with torch.no_grad():
            xg = self.generate(labels)
        sigma = (torch.randn(n) * P_STD + P_MEAN).exp()
        weight = (sigma ** 2 + SIGMA_DATA ** 2) / (sigma * SIGMA_DATA) ** 2
        noisy = xg + torch.randn_like(xg) * sigma.reshape(-1, 1, 1, 1)
        per_sample = ((self.fake(noisy, sigma, self.one_hot(labels)) - xg) ** 2).sum(dim=(1, 2, 3)) * weight
        (per_sample * w_fake).sum().backward()
        self.sanitize(self.fake.parameters())
        self.opt_fake.step()

        # 2. generator update through the frozen teacher and fake net (SiD loss, teacher sees the override)
        self.fake.requires_grad_(False)
        self.opt_gen.zero_grad(set_to_none=False)
        xg = self.generate(labels)
        u = torch.rand(n, dtype=torch.float64) * T_MAX
        sigma = edm.sigma_of_u(u, SIGMA_MIN, SIGMA_MAX, RHO).float()
        xt = xg + torch.randn_like(xg) * sigma.reshape(-1, 1, 1, 1)
        teacher_labels = torch.cat([remain, torch.full((self.nf,), OVERRIDE)])
        y_real = self.teacher(xt, sigma, self.one_hot(teacher_labels))
        y_fake = self.fake(xt, sigma, self.one_hot(labels))
        omega = (y_real - xg).abs().mean(dim=(1, 2, 3)).clamp_min(1e-5).detach()
        diff = y_real - y_fake
        per_sample = (diff * ((y_real - xg) - ALPHA * diff)).sum(dim=(1, 2, 3)) / omega
        (per_sample * w_gen).sum().backward()
        self.sanitize(self.gen.parameters())
        self.opt_gen.step()
        self.fake.requires_grad_(True)

        # 3. EMA (EDM half-life rule with ramp-up, dev.sfd.optim.Ema#halfLifeBeta)
        per_step = self.nr + self.nf
        h = min(EMA_HALF_LIFE, self.step * per_step * EMA_RAMPUP)
        beta = 0.5 ** (per_step / max(h, 1e-8))
        with torch.no_grad():
            for pe, p in zip(self.ema.parameters(), self.gen.parameters()):
                pe.mul_(beta).add_(p, alpha=1 - beta)
        self.step += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="fmnist-s")
    ap.add_argument("--size", default="32", help="remain[,forget] batch (forget defaults to remain)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="timed iterations (after --warmup untimed ones)")
    ap.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    sizes = [int(s) for s in a.size.split(",")]
    remain, forget = sizes[0], sizes[1] if len(sizes) > 1 else sizes[0]
    if remain < 1 or forget < 1 or a.runs < 1:
        ap.error("--size needs remain and forget >= 1, --runs >= 1")
    torch.set_num_threads(a.threads)
    torch.manual_seed(7)
    step = SfdStep(a.config, remain, forget)
    for _ in range(a.warmup):
        step.iterate()
    times = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        step.iterate()
        times.append(time.perf_counter() - t0)
    best, median = min(times), sorted(times)[len(times) // 2]
    row = dict(zip(FIELDS, (BENCH_NAME.format(config=a.config, remain=remain, forget=forget), "iterations/s",
                            round(1 / best, 4), round(1 / median, 4), None, None, "best", a.runs)))
    row.update(impl="pytorch", threads=a.threads, torch=torch.__version__)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
