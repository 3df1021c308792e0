"""Minimal, dependency-free safetensors writer and reader (numpy only; torch optional).

File layout (https://github.com/huggingface/safetensors, format description):

    [8 bytes]  N = length of the JSON header, unsigned 64-bit little-endian
    [N bytes]  UTF-8 JSON object:
                 { "__metadata__": {"key": "string value", ...},        (optional, str -> str)
                   "<tensor name>": {"dtype": "F32", "shape": [d0, d1, ...],
                                     "data_offsets": [begin, end]}, ... }
               padded with trailing spaces (0x20) so that 8 + N is a multiple of 8
    [rest]     the data buffer; data_offsets are byte offsets relative to its start
               (begin inclusive, end exclusive); tensors are C-contiguous (row-major),
               little-endian, packed without holes.

This writer:
  * writes F32 and F64 tensors only (other dtypes raise), little-endian;
  * lays the data out in descending element size (all F64 first, then F32), and within one
    dtype in insertion order, so every tensor is aligned to its element size;
  * writes the header keys in the same order as the data ("__metadata__" first when given);
  * is deterministic: the same inputs give the same bytes.
The reader accepts F64, F32, F16, BF16 (returned as float32), I64, I32, I16, I8, U8, BOOL.
Readers must never rely on key order.
"""

import json
import struct
from collections import OrderedDict

import numpy as np

_WRITE_DTYPES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64'}
_READ_DTYPES = {
    'F64': np.dtype('<f8'), 'F32': np.dtype('<f4'), 'F16': np.dtype('<f2'),
    'I64': np.dtype('<i8'), 'I32': np.dtype('<i4'), 'I16': np.dtype('<i2'),
    'I8': np.dtype('i1'), 'U8': np.dtype('u1'), 'BOOL': np.dtype('?'),
}


def _to_numpy(t):
    """Accept numpy arrays, torch tensors and python scalars/lists."""
    if hasattr(t, 'detach') and hasattr(t, 'cpu'):  # torch.Tensor without importing torch
        t = t.detach().cpu().numpy()
    return np.asarray(t)


def save_file(tensors, path, metadata=None):
    """Write an ordered mapping name -> array (float32 or float64) to `path`."""
    items = []
    for name, t in tensors.items():
        if not isinstance(name, str) or name == '__metadata__':
            raise ValueError(f'invalid tensor name {name!r}')
        a = _to_numpy(t)
        if a.dtype not in _WRITE_DTYPES:
            raise TypeError(f'tensor {name!r}: dtype {a.dtype} not supported (only float32/float64)')
        # note: np.ascontiguousarray would turn 0-d arrays into 1-d; astype keeps the shape
        items.append((name, a.astype(a.dtype.newbyteorder('<'), order='C', copy=True)))
    # descending element size keeps every tensor aligned; sort is stable -> insertion order kept
    items.sort(key=lambda kv: -kv[1].dtype.itemsize)

    header = OrderedDict()
    if metadata:
        header['__metadata__'] = OrderedDict((str(k), str(v)) for k, v in metadata.items())
    offset = 0
    chunks = []
    for name, a in items:
        raw = a.tobytes(order='C')
        header[name] = OrderedDict([
            ('dtype', _WRITE_DTYPES[np.dtype(a.dtype.newbyteorder('='))]),
            ('shape', [int(d) for d in a.shape]),
            ('data_offsets', [offset, offset + len(raw)]),
        ])
        offset += len(raw)
        chunks.append(raw)
    hbytes = json.dumps(header, separators=(',', ':'), ensure_ascii=True).encode('utf-8')
    hbytes += b' ' * ((-(8 + len(hbytes))) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hbytes)))
        f.write(hbytes)
        for raw in chunks:
            f.write(raw)


def read_header(path):
    """Return (header dict without __metadata__, metadata dict, data start offset)."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n).decode('utf-8'), object_pairs_hook=OrderedDict)
    meta = header.pop('__metadata__', None) or {}
    return header, meta, 8 + n


def load_file(path, with_metadata=False):
    """Read a safetensors file into an OrderedDict name -> numpy array (native byte order).

    Validates offsets: each tensor's byte length must equal prod(shape) * itemsize and the
    tensors must tile the data buffer exactly (no holes, no overlap)."""
    header, meta, start = read_header(path)
    with open(path, 'rb') as f:
        f.seek(start)
        buf = f.read()
    out = OrderedDict()
    spans = []
    for name, info in header.items():
        code = info['dtype']
        shape = tuple(int(d) for d in info['shape'])
        b, e = info['data_offsets']
        if code == 'BF16':
            raw = np.frombuffer(buf[b:e], dtype='<u2').astype(np.uint32) << 16
            arr = raw.view(np.float32).reshape(shape)
        else:
            if code not in _READ_DTYPES:
                raise TypeError(f'{path}: tensor {name!r} has unsupported dtype {code}')
            dt = _READ_DTYPES[code]
            if e - b != int(np.prod(shape, dtype=np.int64)) * dt.itemsize:
                raise ValueError(f'{path}: tensor {name!r} byte span {e - b} does not match shape {shape} {code}')
            arr = np.frombuffer(buf[b:e], dtype=dt).reshape(shape).astype(dt.newbyteorder('='))
            if code == 'F16':
                arr = arr.astype(np.float32)
        out[name] = arr
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError(f'{path}: data buffer has a hole or overlap at byte {pos}')
        pos = e
    if pos != len(buf):
        raise ValueError(f'{path}: data buffer has {len(buf) - pos} trailing bytes')
    return (out, meta) if with_metadata else out


def load_torch(path, with_metadata=False):
    """Like load_file but returns torch tensors (imports torch lazily)."""
    import torch
    res = load_file(path, with_metadata=True)
    ts = OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in res[0].items())
    return (ts, res[1]) if with_metadata else ts


if __name__ == '__main__':
    import os
    import sys
    import tempfile
    if len(sys.argv) > 1:  # list a file: name dtype shape
        h, m, _ = read_header(sys.argv[1])
        for k, v in m.items():
            print(f'__metadata__ {k} = {v}')
        for k, v in h.items():
            print(f"{k}\t{v['dtype']}\t{v['shape']}")
        sys.exit(0)
    rng = np.random.default_rng(0)
    d = OrderedDict(a=rng.standard_normal((2, 3)).astype(np.float32), b=np.arange(5, dtype=np.float64),
                    c=np.full((), 3.5, np.float32), e=np.zeros((0, 4), np.float32))
    with tempfile.TemporaryDirectory() as td:
        p = os.path.join(td, 't.safetensors')
        save_file(d, p, metadata={'format': 'pt'})
        r, m = load_file(p, with_metadata=True)
        assert m == {'format': 'pt'}
        for k in d:
            assert r[k].dtype == d[k].dtype and r[k].shape == d[k].shape and np.array_equal(r[k], d[k]), k
        h, _, start = read_header(p)
        assert start % 8 == 0 and list(h) == ['b', 'a', 'c', 'e']
    print('safetensors_io self-test OK')
