"""Convert an EDM network (EDMPrecond with a SongUNet) to safetensors with the exact PyTorch
state-dict names (`model.map_label.weight`, `model.enc.16x16_block0.qkv.weight`, ...), which are
the names the Java `SongUnet.load` expects.

Accepted inputs
  (a) a `torch.save(...)` file (.pt/.pth) holding
        - a state dict (OrderedDict name -> tensor), or
        - a dict with one of the keys 'ema', 'net', 'model', 'state_dict' holding a state dict or
          a module (EDM training-state-*.pt files hold the module under 'net'; unpickling modules
          needs their source, see (b)).
  (b) an official EDM network pickle (network-snapshot-*.pkl, edm-cifar10-32x32-cond-vp.pkl, ...):
      a pickle whose key 'ema' is an EDMPrecond. Unpickling needs the EDM source tree
      (`torch_utils`, `dnnlib`) importable: put the NVlabs/edm checkout on PYTHONPATH or pass
      --edm-path /path/to/edm.

Key normalisation: a leading 'module.' (DataParallel) is stripped; if the keys are a bare
SongUNet state dict (start with map_/enc./dec.), the 'model.' prefix is added.
Buffers (`*.resample_filter`, [1,1,2,2] of 0.25) are kept, so the output is a complete state dict.
Floating tensors are written as F32 (default) or F64 (--dtype f64).

The SongUNet configuration is inferred from the names and shapes, checked by rebuilding the
reference network (tools/edm_reference.py) and comparing every name and shape, and stored in the
safetensors metadata under 'sfd.songunet_config' (a JSON string). Metadata also holds 'format'
('pt'), 'source' (input file name), 'sfd.num_params' and, for pickles, 'edm.init_kwargs' (JSON).

Examples
  /usr/bin/python3 tools/edm_to_safetensors.py tools/fixtures/tiny_state_dict.pt tiny.safetensors
  PYTHONPATH=/path/to/edm /usr/bin/python3 tools/edm_to_safetensors.py \\
      edm-cifar10-32x32-cond-vp.pkl cifar10-cond.safetensors
"""

import argparse
import json
import os
import pickle
import re
import sys
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_io as st  # noqa: E402


def _as_state_dict(obj, key=None):
    """Return (state_dict, module_or_None) from a loaded object."""
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict(), obj
    if isinstance(obj, dict):
        if key is not None:
            if key not in obj:
                raise KeyError(f'key {key!r} not found; available: {list(obj.keys())}')
            return _as_state_dict(obj[key])
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj, None
        for k in ('ema', 'net', 'model', 'state_dict'):
            if k in obj and obj[k] is not None:
                return _as_state_dict(obj[k])
        raise ValueError(f'no state dict found; top-level keys: {list(obj.keys())}')
    raise TypeError(f'cannot extract a state dict from {type(obj).__name__}')


def load_input(path, key=None, edm_path=None):
    if edm_path:
        sys.path.insert(0, os.path.abspath(edm_path))
    with open(path, 'rb') as f:
        head = f.read(4)
    is_zip = head[:2] == b'PK'
    try:
        if is_zip or path.endswith(('.pt', '.pth')):
            obj = torch.load(path, map_location='cpu')
        else:
            with open(path, 'rb') as f:
                obj = pickle.load(f)
    except ModuleNotFoundError as e:
        raise SystemExit(f'{path}: unpickling needs module {e.name!r}. Official EDM pickles need the EDM source '
                         f'tree: put the NVlabs/edm checkout on PYTHONPATH or pass --edm-path.') from e
    sd, module = _as_state_dict(obj, key)
    return sd, module


def normalise_keys(sd):
    out = OrderedDict()
    for k, v in sd.items():
        while k.startswith('module.'):
            k = k[len('module.'):]
        if re.match(r'^(map_|enc\.|dec\.)', k):
            k = 'model.' + k
        out[k] = v
    return out


def infer_songunet_config(sd):
    """Infer the SongUNet/EDMPrecond knobs from a (normalised) state dict."""
    p = 'model.'
    conv_keys = [k for k in sd if re.match(r'^model\.enc\.(\d+)x\1_conv\.weight$', k)]
    if len(conv_keys) != 1:
        raise ValueError('not a SongUNet state dict (no unique model.enc.RxR_conv.weight)')
    img_res = int(re.match(r'^model\.enc\.(\d+)x', conv_keys[0]).group(1))
    w0 = sd[conv_keys[0]]
    mc, in_ch = int(w0.shape[0]), int(w0.shape[1])
    aux = [k for k in sd if re.match(r'^model\.dec\.\d+x\d+_aux_conv\.weight$', k)]
    out_ch = int(sd[aux[0]].shape[0])
    label_dim = int(sd[p + 'map_label.weight'].shape[1]) if p + 'map_label.weight' in sd else 0
    augment_dim = int(sd[p + 'map_augment.weight'].shape[1]) if p + 'map_augment.weight' in sd else 0
    l0 = sd[p + 'map_layer0.weight']
    noise_ch, emb_ch = int(l0.shape[1]), int(l0.shape[0])
    resolutions = sorted({int(m.group(1)) for k in sd for m in [re.match(r'^model\.enc\.(\d+)x\1_', k)] if m},
                         reverse=True)
    num_blocks = len({m.group(1) for k in sd for m in [re.match(rf'^model\.enc\.{img_res}x{img_res}_block(\d+)\.', k)]
                      if m})
    channel_mult, attn = [], []
    for res in resolutions:
        w = sd[f'{p}enc.{res}x{res}_block0.conv0.weight'] if num_blocks else None
        channel_mult.append(int(w.shape[0]) // mc if w is not None else 1)
        if f'{p}enc.{res}x{res}_block0.qkv.weight' in sd or f'{p}dec.{res}x{res}_block{num_blocks}.qkv.weight' in sd:
            attn.append(res)
    assert [img_res >> i for i in range(len(resolutions))] == resolutions, resolutions
    if in_ch != out_ch:
        raise ValueError(f'in_channels {in_ch} != out_channels {out_ch}: not an EDMPrecond SongUNet')
    return OrderedDict(img_resolution=img_res, img_channels=in_ch, label_dim=label_dim, augment_dim=augment_dim,
                       model_channels=mc, channel_mult=channel_mult, channel_mult_emb=emb_ch // mc,
                       channel_mult_noise=noise_ch // mc, num_blocks=num_blocks, attn_resolutions=attn)


def verify_against_reference(sd, cfg):
    import edm_reference as R
    torch.manual_seed(0)
    ref = R.EDMPrecond(**cfg)
    want = R.state_dict_table(ref)
    have = [(k, tuple(v.shape)) for k, v in sd.items()]
    if sorted(want) != sorted(have):
        missing = sorted(set(want) - set(have))[:10]
        extra = sorted(set(have) - set(want))[:10]
        raise SystemExit(f'state dict does not match the reference SongUNet for {dict(cfg)}:\n'
                         f'  missing/mismatched: {missing}\n  unexpected: {extra}')
    return [k for k, _ in want], R.count_params(ref)


def _json_default(o):
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def convert(src, dst, key=None, edm_path=None, dtype='f32', verify=True):
    sd, module = load_input(src, key, edm_path)
    sd = normalise_keys(sd)
    cfg = infer_songunet_config(sd)
    meta = OrderedDict(format='pt', source=os.path.basename(src))
    order = list(sd.keys())
    if verify:
        order, n = verify_against_reference(sd, cfg)
        meta['sfd.num_params'] = str(n)
    meta['sfd.songunet_config'] = json.dumps(cfg)
    init_kwargs = getattr(module, 'init_kwargs', None)
    if init_kwargs is not None:
        meta['edm.init_kwargs'] = json.dumps(dict(init_kwargs), default=_json_default)
    want = torch.float64 if dtype == 'f64' else torch.float32
    tensors = OrderedDict()
    for k in order:
        v = sd[k].detach().cpu()
        if not v.is_floating_point():
            raise SystemExit(f'tensor {k} has non-float dtype {v.dtype}')
        tensors[k] = v.to(want).contiguous()
    st.save_file(tensors, dst, metadata=meta)
    return tensors, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('src', help='EDM .pkl network pickle or torch.save(...) .pt file')
    ap.add_argument('dst', help='output .safetensors')
    ap.add_argument('--key', default=None, help="top-level key to take (default: first of ema, net, model, state_dict)")
    ap.add_argument('--edm-path', default=None, help='NVlabs/edm checkout (needed to unpickle official pickles)')
    ap.add_argument('--dtype', choices=['f32', 'f64'], default='f32')
    ap.add_argument('--no-verify', action='store_true', help='skip the name/shape check against the reference')
    args = ap.parse_args()
    tensors, meta = convert(args.src, args.dst, args.key, args.edm_path, args.dtype, not args.no_verify)
    n = sum(v.numel() for k, v in tensors.items() if not k.endswith('resample_filter'))
    print(f'wrote {args.dst}: {len(tensors)} tensors, {n:,d} parameters, config {meta["sfd.songunet_config"]}')


if __name__ == '__main__':
    main()
