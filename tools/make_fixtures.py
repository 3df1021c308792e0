"""Generate the PyTorch reference fixtures the Java tests compare against.

Usage (from the repository root):  /usr/bin/python3 tools/make_fixtures.py [--check-only]

Writes (see tools/README.md for every key and its convention):
  sfd-core/src/test/resources/fixtures/{conv2d,groupnorm,attention,resample,posemb}.safetensors
  sfd-models/src/test/resources/fixtures/tiny_songunet.safetensors
  sfd-models/src/test/resources/fixtures/{fmnist_s,tiny}_param_names.txt
  tools/fixtures/tiny_state_dict.pt   (input of the converter test)
  sfd-models/src/test/resources/fixtures/tiny_converted.safetensors  (via edm_to_safetensors.py)
then re-reads every file with the hand-written reader and checks shapes, dtypes, parameter
counts and that the tiny net reproduces the stored outputs.

All tensors are float32 unless noted (heun.t_steps is float64). Deterministic: CPU, one thread,
fixed seeds.
"""

import argparse
import math
import os
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as Fn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import edm_reference as R  # noqa: E402
import safetensors_io as st  # noqa: E402

ROOT = os.path.dirname(HERE)
CORE = os.path.join(ROOT, 'sfd-core', 'src', 'test', 'resources', 'fixtures')
MODELS = os.path.join(ROOT, 'sfd-models', 'src', 'test', 'resources', 'fixtures')
TOOLS_FIX = os.path.join(HERE, 'fixtures')

MAX_FILE = 2 * 1024 * 1024
MAX_TOTAL = 8 * 1024 * 1024
GENERATOR = 'tools/make_fixtures.py (torch %s)' % torch.__version__.split('+')[0]


def f32(t):
    return t.detach().to(torch.float32).contiguous()


def save(path, tensors, description, extra_meta=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    meta = OrderedDict(generator=GENERATOR, description=description)
    if extra_meta:
        meta.update(extra_meta)
    st.save_file(OrderedDict((k, v.detach().contiguous()) for k, v in tensors.items()), path, metadata=meta)
    print(f'  wrote {os.path.relpath(path, ROOT)}  ({os.path.getsize(path):,d} bytes, {len(tensors)} tensors)')


# ---------------------------------------------------------------------------------------------
# Building blocks (sfd-core)


def make_conv2d():
    g = torch.Generator().manual_seed(101)
    d = OrderedDict()
    # 3x3 case, padding 1
    x = torch.randn(2, 3, 7, 9, generator=g).requires_grad_()
    w = torch.randn(5, 3, 3, 3, generator=g).requires_grad_()
    b = torch.randn(5, generator=g).requires_grad_()
    y = Fn.conv2d(x, w, b, stride=1, padding=1)
    r = torch.randn(y.shape, generator=g)
    (y * r).sum().backward()
    d.update(x=x, w=w, b=b, y=y, r=r, grad_x=x.grad, grad_w=w.grad, grad_b=b.grad)
    # 1x1 case, padding 0
    x2 = torch.randn(2, 6, 5, 5, generator=g).requires_grad_()
    w2 = torch.randn(4, 6, 1, 1, generator=g).requires_grad_()
    b2 = torch.randn(4, generator=g).requires_grad_()
    y2 = Fn.conv2d(x2, w2, b2, stride=1, padding=0)
    r2 = torch.randn(y2.shape, generator=g)
    (y2 * r2).sum().backward()
    d.update(x2=x2, w2=w2, b2=b2, y2=y2, r2=r2, grad_x2=x2.grad, grad_w2=w2.grad, grad_b2=b2.grad)
    save(os.path.join(CORE, 'conv2d.safetensors'), d,
         'Cross-correlation (PyTorch conv2d), stride 1, zero padding k//2. Case 1: x[2,3,7,9] w[5,3,3,3] b[5] '
         'padding 1 -> y[2,5,7,9]. Case 2 (suffix 2): x2[2,6,5,5] w2[4,6,1,1] b2[4] padding 0 -> y2[2,4,5,5]. '
         'grad_* = d sum(y*r) / d*.', {'padding': '1', 'padding2': '0'})


def make_groupnorm():
    g = torch.Generator().manual_seed(102)
    C, G, eps = 12, 3, 1e-6
    assert min(32, C // 4) == G
    x = (torch.randn(2, C, 5, 5, generator=g) * 2 + 0.5).requires_grad_()
    gamma = torch.randn(C, generator=g).requires_grad_()
    beta = torch.randn(C, generator=g).requires_grad_()
    y = Fn.group_norm(x, G, gamma, beta, eps)
    r = torch.randn(y.shape, generator=g)
    (y * r).sum().backward()
    xg = x.detach().reshape(2, G, -1)
    mean = xg.mean(dim=2)
    rstd = 1 / (xg.var(dim=2, unbiased=False) + eps).sqrt()
    save(os.path.join(CORE, 'groupnorm.safetensors'),
         OrderedDict(x=x, gamma=gamma, beta=beta, y=y, r=r, grad_x=x.grad, grad_gamma=gamma.grad,
                     grad_beta=beta.grad, mean=mean, rstd=rstd),
         'GroupNorm C=12, groups=3 (=min(32,C//4)), eps=1e-6, biased variance over (C/groups,H,W): '
         'y = (x-mean)*rstd*gamma[c] + beta[c], rstd = 1/sqrt(var+eps). mean/rstd are [N,groups]. '
         'grad_* = d sum(y*r) / d*.', {'groups': '3', 'eps': '1e-6'})


def make_attention():
    g = torch.Generator().manual_seed(103)
    N, C, H, W = 2, 8, 4, 4
    norm2 = R.GroupNorm(C)
    assert norm2.num_groups == 2 and norm2.eps == 1e-6
    qkv = R.Conv2d(C, 3 * C, 1)
    proj = R.Conv2d(C, C, 1)
    with torch.no_grad():
        norm2.weight.copy_(1 + 0.3 * torch.randn(C, generator=g))
        norm2.bias.copy_(0.3 * torch.randn(C, generator=g))
        qkv.weight.copy_(0.6 * torch.randn(3 * C, C, 1, 1, generator=g))
        qkv.bias.copy_(0.2 * torch.randn(3 * C, generator=g))
        proj.weight.copy_(0.4 * torch.randn(C, C, 1, 1, generator=g))
        proj.bias.copy_(0.2 * torch.randn(C, generator=g))
    h = torch.randn(N, C, H, W, generator=g).requires_grad_()
    a, q, k, v, w = R.attention_core(qkv(norm2(h)), C)
    out = (proj(a) + h) * R.SQRT_HALF
    r = torch.randn(out.shape, generator=g)
    (out * r).sum().backward()
    d = OrderedDict()
    mods = OrderedDict(norm2=norm2, qkv=qkv, proj=proj)
    for mn, m in mods.items():
        d[f'{mn}.weight'] = m.weight
        d[f'{mn}.bias'] = m.bias
    d.update(h=h, out=out, r=r, grad_h=h.grad)
    for mn, m in mods.items():
        d[f'grad_{mn}.weight'] = m.weight.grad
        d[f'grad_{mn}.bias'] = m.bias.grad
    d.update(q=q, k=k, v=v, attn_w=w, a=a)
    save(os.path.join(CORE, 'attention.safetensors'), d,
         'SongUNet attention sub-block, num_heads 1, C=8: t = qkv(norm2(h)) [N,3C,H,W] (norm2: GroupNorm '
         'groups=2, eps 1e-6; qkv: 1x1 conv C->3C); INTERLEAVED split: t.reshape(N,C,3,HW), q=[:,:,0] '
         '(channels 0,3,6,..), k=[:,:,1], v=[:,:,2]; attn_w[n,i,j] = softmax_j(sum_c q[n,c,i] k[n,c,j] / sqrt(C)) '
         '(i = query position, j = key position, positions row-major y*W+x); a[n,c,i] = sum_j attn_w[n,i,j] '
         'v[n,c,j] reshaped to [N,C,H,W]; out = (proj(a) + h) * sqrt(0.5). q,k,v are [N,C,HW]. '
         'grad_* = d sum(out*r) / d*.')


def make_resample():
    g = torch.Generator().manual_seed(104)
    x = torch.randn(2, 3, 4, 6, generator=g).requires_grad_()
    down = R.downsample2x(x)
    up = R.upsample2x(x)
    assert torch.allclose(down, Fn.avg_pool2d(x, 2), atol=1e-6, rtol=0)
    assert torch.equal(up, Fn.interpolate(x, scale_factor=2, mode='nearest'))
    r_down = torch.randn(down.shape, generator=g)
    r_up = torch.randn(up.shape, generator=g)
    grad_x_down, = torch.autograd.grad((down * r_down).sum(), x)
    grad_x_up, = torch.autograd.grad((up * r_up).sum(), x)
    save(os.path.join(CORE, 'resample.safetensors'),
         OrderedDict(x=x, down=down, up=up, r_down=r_down, r_up=r_up, grad_x_down=grad_x_down, grad_x_up=grad_x_up),
         'EDM resampling with filter [1,1]: down = depthwise conv with 0.25*ones(2,2), stride 2 (= 2x2 average '
         'pool) [2,3,2,3]; up = depthwise transposed conv with ones(2,2), stride 2 (= nearest 2x) [2,3,8,12]. '
         'grad_x_down = d sum(down*r_down)/dx, grad_x_up = d sum(up*r_up)/dx.')


def make_posemb():
    c_noise = torch.tensor([-1.55, 0.0, 0.23, 1.1], dtype=torch.float32)
    num_channels = 16
    raw = R.positional_embedding(c_noise, num_channels, endpoint=True)
    emb = R.flip_halves(raw)
    half = num_channels // 2
    freqs = (1 / 10000) ** (torch.arange(half, dtype=torch.float32) / (half - 1))
    a = torch.outer(c_noise, freqs)
    assert torch.equal(emb, torch.cat([a.sin(), a.cos()], 1))
    save(os.path.join(CORE, 'posemb.safetensors'),
         OrderedDict(c_noise=c_noise, emb=emb, emb_unflipped=raw, freqs=freqs),
         'PositionalEmbedding(num_channels=16, max_positions=10000, endpoint=True) + SongUNet flip. '
         'freqs[j] = (1/10000)^(j/(half-1)), j=0..7 (computed in float32); a = outer(c_noise, freqs); '
         'emb = [sin(a), cos(a)] (FINAL order used by SongUNet); emb_unflipped = [cos(a), sin(a)] '
         '(PositionalEmbedding output before the flip).', {'num_channels': '16'})


# ---------------------------------------------------------------------------------------------
# Tiny EDMPrecond (sfd-models)


def build_tiny_random(seed=7):
    torch.manual_seed(seed)
    net = R.build('tiny')
    with torch.no_grad():
        for p in net.parameters():  # named_parameters order; buffers (resample_filter) untouched
            p.copy_(torch.randn(p.shape) * 0.1)
    net.eval()
    return net


def make_tiny():
    net = build_tiny_random()
    d = OrderedDict()
    sd = net.state_dict()
    for k, v in sd.items():
        d[k] = v.clone()
    n_params = R.count_params(net)
    assert n_params == 189_427

    g = torch.Generator().manual_seed(201)
    sigma = torch.tensor([0.002, 0.5, 2.5, 80.0], dtype=torch.float32)
    x = (torch.randn(4, 3, 16, 16, generator=g) * sigma.reshape(-1, 1, 1, 1)).requires_grad_()
    labels = torch.eye(4)[[0, 1, 2, 3]]
    D, F_x, emb = net(x, sigma, labels, return_all=True)
    r = torch.randn(D.shape, generator=g)
    net.zero_grad(set_to_none=True)
    (D * r).sum().backward()
    with torch.no_grad():
        D_u, F_u, emb_u = net(x.detach(), sigma, torch.zeros(4, 4), return_all=True)
        c_skip, c_out, c_in, c_noise = net.coefficients(sigma.reshape(-1, 1, 1, 1))
    d.update({'io.x': x, 'io.sigma': sigma, 'io.labels': labels, 'io.D': D, 'io.D_uncond': D_u, 'io.F': F_x,
              'io.F_uncond': F_u, 'io.emb': emb, 'io.emb_uncond': emb_u, 'io.c_noise': c_noise.flatten(),
              'io.r': r, 'io.grad_x': x.grad})
    for k, p in net.named_parameters():
        d[f'grad.{k}'] = p.grad.clone()
    stats = dict(D_minus_Du=(D - D_u).abs().max().item(), F_absmax=F_x.abs().max().item(),
                 F_std=F_x.std().item(), emb_std=emb.std().item())
    print('  tiny net stats:', {k: round(v, 5) for k, v in stats.items()})
    assert stats['D_minus_Du'] > 1e-3, 'label path contributes too little to be tested'

    # Loss fixture (SPEC 2): loss_i = sum over C,H,W of lambda(sigma_i) * (D(y + sigma_i n; sigma_i, label) - y)^2
    g = torch.Generator().manual_seed(202)
    loss_y = torch.rand(4, 3, 16, 16, generator=g) * 2 - 1
    loss_n = torch.randn(4, 3, 16, 16, generator=g)
    loss_sigma = torch.tensor([0.02, 0.25, 1.3, 12.0], dtype=torch.float32)
    loss_labels = torch.eye(4)[[3, 2, 1, 0]]
    lossfn = R.EDMLoss()
    with torch.no_grad():
        elem = lossfn.given(net, loss_y, loss_n, loss_sigma, loss_labels)
        loss_value = elem.sum(dim=(1, 2, 3))
        loss_D = net(loss_y + loss_n * loss_sigma.reshape(-1, 1, 1, 1), loss_sigma, loss_labels)
    d.update({'loss.y': loss_y, 'loss.n': loss_n, 'loss.sigma': loss_sigma, 'loss.labels': loss_labels,
              'loss.weight': lossfn.weight(loss_sigma), 'loss.D': loss_D, 'loss.value': loss_value})

    # Heun (SPEC 4.1), N = 4, float64 sampler arithmetic, fp32 net.
    g = torch.Generator().manual_seed(203)
    latent = torch.randn(2, 3, 16, 16, generator=g)
    hl = torch.eye(4)[[1, 2]]
    traj = []
    out, t_steps = R.heun_sampler(net, latent, hl, num_steps=4, trajectory=traj)
    d.update({'heun.latent': latent, 'heun.labels': hl, 'heun.t_steps': t_steps.to(torch.float64),
              'heun.x1': f32(traj[0]), 'heun.out': f32(out)})
    # Euler (SPEC 4.2), same latent / labels, N = 4.
    etraj = []
    eout, _ = R.euler_sampler(net, latent, hl, num_steps=4, trajectory=etraj)
    d.update({'euler.x1': f32(etraj[0]), 'euler.out': f32(eout)})
    # Stochastic churn (SPEC 4.3) with explicit per-step noise eps[i] (float32 values used as float64).
    churn_eps = torch.randn(4, 2, 3, 16, 16, generator=g)
    S = dict(S_churn=2.0, S_min=0.05, S_max=50.0, S_noise=1.003)
    cout, _ = R.heun_sampler(net, latent, hl, num_steps=4, churn_noise=lambda i: churn_eps[i].to(torch.float64), **S)
    d.update({'churn.eps': churn_eps, 'churn.params': torch.tensor([S['S_churn'], S['S_min'], S['S_max'], S['S_noise']],
                                                                   dtype=torch.float64),
              'churn.out': f32(cout)})

    for k in list(d):
        if d[k].dtype not in (torch.float32, torch.float64):
            d[k] = d[k].to(torch.float32)
    meta = OrderedDict(
        config=str(R.CONFIGS['tiny']),
        num_params=str(n_params),
        init='torch.manual_seed(7); build; every parameter p <- randn(p.shape)*0.1 in named_parameters order; '
             'buffers (resample_filter = 0.25) kept; eval mode (dropout 0)',
        io='D = EDMPrecond(io.x, io.sigma, io.labels) (float32); io.D_uncond with all-zero labels; io.F raw SongUNet '
           'output; io.emb = silu(map_layer1(.)) mapping output [4,64]; io.c_noise = ln(sigma)/4; io.grad_x and '
           'grad.<param> = d sum(io.D * io.r) / d(.)',
        loss='loss.value[i] = sum_{c,h,w} loss.weight[i] * (D(loss.y + loss.sigma[i]*loss.n; loss.sigma[i], '
             'loss.labels) - loss.y)^2, loss.weight = (s^2+0.25)/(0.5 s)^2; loss.D is that D',
        heun='EDM Heun, S_churn 0, N=4, sigma_min 0.002, sigma_max 80, rho 7; heun.t_steps float64 [5] ends with 0; '
             'x = float64(heun.latent) * t_0; network called with x cast to float32 and sigma = float32(t); its '
             'output converted to float64; heun.x1 = state after step 0 (after the correction); heun.out = final '
             'state; both stored as float32',
        euler='Same latent/labels/grid, Euler (no correction): euler.x1, euler.out',
        churn='Heun with S_churn, S_min, S_max, S_noise = churn.params (float64); per step i: gamma = min(S_churn/N, '
              'sqrt(2)-1) if S_min <= t_i <= S_max else 0; t_hat = t_i*(1+gamma); x_hat = x + sqrt(t_hat^2 - '
              't_i^2)*S_noise*float64(churn.eps[i]); Heun step from (x_hat, t_hat) to t_{i+1}; churn.out final state',
    )
    save(os.path.join(MODELS, 'tiny_songunet.safetensors'), d,
         'Tiny EDMPrecond(SongUNet) of SPEC-EDM 7.2: img 16, in/out 3, label_dim 4, augment_dim 0, mc 16, '
         'mult [1,2], 1 block, attn {8}, dropout 0. Keys: model.* = full state dict (params + resample_filter '
         'buffers); io.*, grad.*, loss.*, heun.*, euler.*, churn.* as described in the other metadata entries.',
         meta)
    return net


def write_param_names(name, fname):
    torch.manual_seed(0)
    net = R.build(name)
    lines = [f'{k}\t{",".join(str(s) for s in shape)}' for k, shape in R.state_dict_table(net)]
    path = os.path.join(MODELS, fname)
    with open(path, 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'  wrote {os.path.relpath(path, ROOT)}  ({len(lines)} entries, {R.count_params(net):,d} parameters)')


def make_converter_fixture(net):
    os.makedirs(TOOLS_FIX, exist_ok=True)
    pt = os.path.join(TOOLS_FIX, 'tiny_state_dict.pt')
    torch.save(OrderedDict((k, v.clone()) for k, v in net.state_dict().items()), pt)
    print(f'  wrote {os.path.relpath(pt, ROOT)}  ({os.path.getsize(pt):,d} bytes)')
    out = os.path.join(MODELS, 'tiny_converted.safetensors')
    subprocess.run([sys.executable, os.path.join(HERE, 'edm_to_safetensors.py'), pt, out], check=True)


# ---------------------------------------------------------------------------------------------
# Self-check


def check_all():
    print('self-check:')
    total = 0
    files = []
    for dirn in (CORE, MODELS, TOOLS_FIX):
        for fn in sorted(os.listdir(dirn)):
            files.append(os.path.join(dirn, fn))
    for p in files:
        size = os.path.getsize(p)
        total += size
        assert size < MAX_FILE, f'{p} is {size} bytes'
    assert total < MAX_TOTAL, f'total fixture size {total}'

    def load(name, d=CORE):
        return {k: torch.from_numpy(np.array(v)) for k, v in st.load_file(os.path.join(d, name)).items()}

    c = load('conv2d.safetensors')
    assert torch.allclose(Fn.conv2d(c['x'], c['w'], c['b'], padding=1), c['y'], atol=1e-5)
    assert torch.allclose(Fn.conv2d(c['x2'], c['w2'], c['b2']), c['y2'], atol=1e-5)
    gn = load('groupnorm.safetensors')
    assert torch.allclose(Fn.group_norm(gn['x'], 3, gn['gamma'], gn['beta'], 1e-6), gn['y'], atol=1e-5)
    at = load('attention.safetensors')
    for k in ['norm2.weight', 'norm2.bias', 'qkv.weight', 'qkv.bias', 'proj.weight', 'proj.bias', 'h', 'out', 'r',
              'grad_h', 'grad_norm2.weight', 'grad_norm2.bias', 'grad_qkv.weight', 'grad_qkv.bias',
              'grad_proj.weight', 'grad_proj.bias']:
        assert k in at, k
    t = Fn.conv2d(Fn.group_norm(at['h'], 2, at['norm2.weight'], at['norm2.bias'], 1e-6), at['qkv.weight'],
                  at['qkv.bias'])
    a = R.attention_core(t, 8)[0]
    assert torch.allclose((Fn.conv2d(a, at['proj.weight'], at['proj.bias']) + at['h']) * math.sqrt(0.5), at['out'],
                          atol=1e-5)
    rs = load('resample.safetensors')
    assert torch.allclose(Fn.avg_pool2d(rs['x'], 2), rs['down'], atol=1e-6)
    pe = load('posemb.safetensors')
    assert pe['emb'].shape == (4, 16)

    tiny = load('tiny_songunet.safetensors', MODELS)
    net = R.build('tiny').eval()
    sd_keys = list(net.state_dict().keys())
    net.load_state_dict({k: tiny[k] for k in sd_keys}, strict=True)
    n_params = sum(tiny[k].numel() for k, _ in net.named_parameters())
    assert n_params == 189_427, n_params
    assert set(f'grad.{k}' for k, _ in net.named_parameters()) == {k for k in tiny if k.startswith('grad.')}
    with torch.no_grad():
        D = net(tiny['io.x'], tiny['io.sigma'], tiny['io.labels'])
    assert torch.allclose(D, tiny['io.D'], atol=1e-6, rtol=0), (D - tiny['io.D']).abs().max()
    assert tiny['heun.t_steps'].dtype == torch.float64 and tiny['heun.t_steps'].shape == (5,)
    assert tiny['heun.t_steps'][-1] == 0 and abs(tiny['heun.t_steps'][0] - 80) < 1e-12
    assert tiny['loss.value'].shape == (4,)

    conv = load('tiny_converted.safetensors', MODELS)
    assert list(conv.keys()) == sd_keys or set(conv.keys()) == set(sd_keys)
    for k in sd_keys:
        assert torch.equal(conv[k], tiny[k]), k
    _, meta = st.load_file(os.path.join(MODELS, 'tiny_converted.safetensors'), with_metadata=True)
    print('  tiny_converted metadata:', dict(meta))

    for fname, expect in [('fmnist_s_param_names.txt', 1_753_345), ('tiny_param_names.txt', 189_427)]:
        n = 0
        entries = 0
        for line in open(os.path.join(MODELS, fname)):
            name, shape = line.rstrip('\n').split('\t')
            entries += 1
            if not name.endswith('resample_filter'):
                n += int(np.prod([int(s) for s in shape.split(',')]))
            else:
                assert shape == '1,1,2,2'
        assert n == expect, (fname, n, expect)
        print(f'  {fname}: {entries} entries, {n:,d} parameters (expected {expect:,d}) OK')
    print(f'  {len(files)} files, total {total:,d} bytes; all files < {MAX_FILE:,d} bytes')
    for p in files:
        print(f'    {os.path.relpath(p, ROOT)}  {os.path.getsize(p):,d}')
    print('self-check OK')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check-only', action='store_true', help='only re-read and verify the existing fixtures')
    args = ap.parse_args()
    torch.set_num_threads(1)
    if not args.check_only:
        print('parameter counts:')
        R.self_test()
        print('building blocks:')
        make_conv2d()
        make_groupnorm()
        make_attention()
        make_resample()
        make_posemb()
        print('tiny EDMPrecond:')
        net = make_tiny()
        write_param_names('fmnist-s', 'fmnist_s_param_names.txt')
        write_param_names('tiny', 'tiny_param_names.txt')
        print('converter:')
        make_converter_fixture(net)
    check_all()


if __name__ == '__main__':
    main()
