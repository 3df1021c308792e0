#!/usr/bin/env python3
"""Generates sfd-core/.../backend/cpu/VecConvTile.java (register tiles of the direct convolution): python3 tools/gen_conv_tiles.py

Each forward tile F{MR}x{NV} keeps MR output channels x NV vectors of accumulators; its weight-gradient
kernel works on chunks of WR channels x 3 taps. Register budgets: AVX-512 has 32 vector registers (8x2:
16 accumulators; weight 8 rows x 3 taps = 24), AVX2 has 16 (6x2 / 4x3: 12 accumulators; weight 4 x 3 or 3 x 3)."""

# (MR, NV, WR): forward channels, forward vectors, weight-kernel rows per chunk
TILES = [(8, 2, 8), (6, 2, 3), (4, 3, 4), (4, 2, 4)]

def fwd(mr, nv, wr):
    L = []
    L.append("    /** %d channels x %d vectors forward tile; weight gradient in chunks of %d channels. */" % (mr, nv, wr))
    L.append("    static final class F%dx%d implements ConvTile {" % (mr, nv))
    L.append("        @Override public int mr() { return %d; }" % mr)
    L.append("        @Override public int nr() { return %d * VL; }" % nv)
    L.append("        @Override public int lanes() { return VL; }")
    L.append("        @Override public String toString() { return \"%dx%d\"; }" % (mr, nv))
    L.append("        @Override")
    L.append("        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {")
    for r in range(mr):
        for v in range(nv):
            L.append("            FloatVector c%d_%d = FloatVector.zero(S);" % (r, v))
    L.append("            for (int k = 0, ak = ao; k < kk; k++, ak += %d) {" % mr)
    L.append("                int b = xo + koff[k];")
    for v in range(nv):
        L.append("                FloatVector b%d = FloatVector.fromArray(S, x, b%s);" % (v, "" if v == 0 else (" + VL" if v == 1 else " + %d * VL" % v)))
    for r in range(mr):
        L.append("                FloatVector a%d = FloatVector.broadcast(S, a[ak + %d]);" % (r, r))
        for v in range(nv):
            L.append("                c%d_%d = a%d.fma(b%d, c%d_%d);" % (r, v, r, v, r, v))
    L.append("            }")
    for r in range(mr):
        for v in range(nv):
            off = "" if v == 0 else (" + VL" if v == 1 else " + %d * VL" % v)
            L.append("            c%d_%d.intoArray(c, co + %d * ldc%s);" % (r, v, r, off))
    L.append("        }")
    L.append("")
    L.append("        @Override")
    L.append("        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,")
    L.append("                           float[] out, int oo, int ldo, int rows, float[] scratch) {")
    L.append("            java.util.Arrays.fill(scratch, 0, %d * 3 * VL, 0f);" % mr)
    L.append("            for (int n = 0; n < ns; n++) {")
    if wr == mr:
        L.append("                if (taps == 3) weight3x%d(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);" % wr)
        L.append("                else weight1x%d(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);" % wr)
    else:
        # chunks past `rows` read zero gradient rows (the padding channels of the wide gradient): skip them
        L.append("                for (int r0 = 0; r0 < rows; r0 += %d) {" % wr)
        L.append("                    if (taps == 3) weight3x%d(len, g, go + n * gStride + r0 * ldg, ldg, x, xo + n * xStride, scratch, r0 * 3 * VL);" % wr)
        L.append("                    else weight1x%d(len, g, go + n * gStride + r0 * ldg, ldg, x, xo + n * xStride, scratch, r0 * 3 * VL);" % wr)
        L.append("                }")
    L.append("            }")
    L.append("            reduce(taps, rows, out, oo, ldo, scratch);")
    L.append("        }")
    L.append("    }")
    return L

def wt(taps, wr):
    L = []
    L.append("    /**")
    L.append("     * %d channels x %d taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums." % (wr, taps))
    L.append("     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the")
    L.append("     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch")
    L.append("     * at the end.)")
    L.append("     */")
    L.append("    static void weight%dx%d(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {" % (taps, wr))
    for r in range(wr):
        for t in range(taps):
            L.append("        FloatVector s%d_%d = FloatVector.zero(S);" % (r, t))
    L.append("        for (int j = 0; j < len; j += VL) {")
    for t in range(taps):
        L.append("            FloatVector x%d = FloatVector.fromArray(S, x, xb + j%s);" % (t, "" if t == 0 else " + %d" % t))
    for r in range(wr):
        L.append("            FloatVector g%d = FloatVector.fromArray(S, g, gb + %sj);" % (r, "" if r == 0 else ("ldg + " if r == 1 else "%d * ldg + " % r)))
        for t in range(taps):
            L.append("            s%d_%d = g%d.fma(x%d, s%d_%d);" % (r, t, r, t, r, t))
    L.append("        }")
    for r in range(wr):
        for t in range(taps):
            L.append("        s%d_%d.add(FloatVector.fromArray(S, scratch, so + %d * VL)).intoArray(scratch, so + %d * VL);" % (r, t, r * 3 + t, r * 3 + t))
    L.append("    }")
    return L

out = []
out.append("""package dev.sfd.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API {@link ConvTile}s, loaded only when jdk.incubator.vector is present. A forward tile {@code F<M>x<V>}
 * keeps M output channels x V vectors of wide positions in registers: per (input channel, tap) it loads V
 * unaligned vectors straight from the padded input, broadcasts M packed weights and issues M*V FMAs. The
 * weight-gradient kernels keep W channels x 3 taps of per-lane partial sums over all positions of a sample.
 * Which tile fits depends on the register file: {@link #pick} takes 8x2 (16 + 24 accumulators) where vectors
 * are 512 bits wide (AVX-512: 32 registers) and 6x2 with 3-channel weight chunks on 256-bit AVX2 (16 registers),
 * where 8x2 spills. Generated code (one variable per register, by tools/gen_conv_tiles.py), hence the repetition.
 */
final class VecConvTile {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private VecConvTile() {}

    /** The tile named by -Dsfd.conv.tile, else the one that fits the vector register file. */
    static ConvTile pick(String name) {
        if (name == null) name = VL == 8 ? "6x2" : "8x2";
        switch (name) {
""")
for (mr, nv, wr) in TILES:
    out.append("            case \"%dx%d\": return new F%dx%d();" % (mr, nv, mr, nv))
out.append("""            default: throw new IllegalArgumentException("unknown -Dsfd.conv.tile=" + name + " (%s)");
        }
    }

    /** Sums each accumulator's lanes in lane order (deterministic, unlike reduceLanes) into out. */
    static void reduce(int taps, int rows, float[] out, int oo, int ldo, float[] scratch) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < taps; t++) {
                int s = (r * 3 + t) * VL;
                float sum = 0f;
                for (int l = 0; l < VL; l++) sum += scratch[s + l];
                out[oo + r * ldo + t] = sum;
            }
        }
    }
""" % ", ".join("%dx%d" % (m, v) for (m, v, w) in TILES))
for (mr, nv, wr) in TILES:
    out += fwd(mr, nv, wr)
    out.append("")
for wr in sorted(set(w for (_, _, w) in TILES), reverse=True):
    out += wt(3, wr)
    out.append("")
    out += wt(1, wr)
    out.append("")
out[-1:] = ["}"]
import os
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../sfd-core/src/main/java/dev/sfd/backend/cpu/VecConvTile.java"), "w").write("\n".join(out) + "\n")
