#!/usr/bin/env python3
"""Writes the safetensors golden file that SafeTensorsTest reads, by hand from the format's specification.

A second, independent implementation of the writer side: only the Python standard library (struct + json),
no safetensors, numpy or torch package and nothing from this project. It reproduces the layout of the
reference serializer (safetensors' Rust core, behind safetensors.torch.save_file):

- 8 bytes: header length N, unsigned 64-bit little-endian; then N bytes of compact UTF-8 JSON
  (separators ',' and ':'), padded with spaces so that 8 + N is a multiple of 8; then the data buffer.
- "__metadata__" first, then the tensors sorted by dtype size (largest first), then by name.
- data_offsets [begin, end) from the start of the data buffer; tensors packed in header order, row-major,
  little-endian, no gaps.

The values are exact in their dtype (F16 includes the smallest subnormal and the largest finite value).

Usage: python3 tools/safetensors_golden.py [OUT]
(default OUT: sfd-core/src/test/resources/golden/pytorch_layout.safetensors; the hash is in tools/fixtures.sha256)
"""
import json
import os
import struct
import sys

DTYPE_SIZE = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2}


def bf16(x):
    """bfloat16 bits of x: the upper half of its float32 bits (x must be exact in bfloat16)."""
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert bits & 0xFFFF == 0, f"{x} is not exact in bfloat16"
    return struct.pack("<H", bits >> 16)


def encode(dtype, values):
    if dtype == "F64":
        return struct.pack(f"<{len(values)}d", *values)
    if dtype == "F32":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "F16":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype == "BF16":
        return b"".join(bf16(v) for v in values)
    raise ValueError(dtype)


def serialize(tensors, metadata):
    """tensors: {name: (dtype, shape, values)} -> the file's bytes."""
    order = sorted(tensors, key=lambda n: (-DTYPE_SIZE[tensors[n][0]], n))
    header = {"__metadata__": metadata} if metadata else {}
    data = b""
    for name in order:
        dtype, shape, values = tensors[name]
        count = 1
        for d in shape:
            count *= d
        assert count == len(values), name
        raw = encode(dtype, values)
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


GOLDEN = {
    "model.sigma": ("F64", [3], [0.002, 80.0, -1.5]),
    "model.enc.32x32_conv.weight": ("F32", [2, 1, 1, 2], [0.25, -0.5, 1.0, 3.5]),
    "b": ("BF16", [3], [1.0, -2.5, 3.140625]),
    "h": ("F16", [2, 2], [0.5, 2.0 ** -24, 65504.0, -2.0]),
}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "sfd-core/src/test/resources/golden/pytorch_layout.safetensors")
    blob = serialize(GOLDEN, {"format": "pt"})
    with open(out, "wb") as f:
        f.write(blob)
    print(f"{out}: {len(blob)} bytes")


if __name__ == "__main__":
    main()
