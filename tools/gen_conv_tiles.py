#!/usr/bin/env python3
"""Generates sfd-core/.../backend/cpu/VecConvTile.java (register tiles of the direct convolution): python3 tools/gen_conv_tiles.py"""
MR=8
def fwd(nv):
    L=[]
    L.append("    /** %d channels x %d vectors forward tile. */" % (MR, nv))
    L.append("    static final class F%dx%d implements ConvTile {" % (MR, nv))
    L.append("        @Override public int mr() { return %d; }" % MR)
    L.append("        @Override public int nr() { return %d * VL; }" % nv)
    L.append("        @Override public int lanes() { return VL; }")
    L.append("        @Override")
    L.append("        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {")
    for r in range(MR):
        for v in range(nv):
            L.append("            FloatVector c%d_%d = FloatVector.zero(S);" % (r, v))
    L.append("            for (int k = 0, ak = ao; k < kk; k++, ak += %d) {" % MR)
    L.append("                int b = xo + koff[k];")
    for v in range(nv):
        L.append("                FloatVector b%d = FloatVector.fromArray(S, x, b%s);" % (v, "" if v == 0 else " + %d * VL" % v if v > 1 else " + VL"))
    for r in range(MR):
        L.append("                FloatVector a%d = FloatVector.broadcast(S, a[ak + %d]);" % (r, r))
        for v in range(nv):
            L.append("                c%d_%d = a%d.fma(b%d, c%d_%d);" % (r, v, r, v, r, v))
    L.append("            }")
    for r in range(MR):
        for v in range(nv):
            off = "" if v == 0 else (" + VL" if v == 1 else " + %d * VL" % v)
            L.append("            c%d_%d.intoArray(c, co + %d * ldc%s);" % (r, v, r, off))
    L.append("        }")
    L.append("")
    L.append("        @Override")
    L.append("        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,")
    L.append("                           float[] out, int oo, int ldo, int rows, float[] scratch) {")
    L.append("            java.util.Arrays.fill(scratch, 0, %d * 3 * VL, 0f);" % MR)
    L.append("            for (int n = 0; n < ns; n++) {")
    L.append("                if (taps == 3) weight3(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch);")
    L.append("                else weight1(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch);")
    L.append("            }")
    L.append("            reduce(taps, rows, out, oo, ldo, scratch);")
    L.append("        }")
    L.append("    }")
    return L

def wt(taps):
    L=[]
    L.append("    /**")
    L.append("     * %d channels x %d taps of the weight gradient for one sample: scratch[(r * 3 + t) * VL ..] += per-lane sums." % (MR, taps))
    L.append("     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the")
    L.append("     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch")
    L.append("     * at the end.)")
    L.append("     */")
    L.append("    static void weight%d(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch) {" % taps)
    for r in range(MR):
        for t in range(taps):
            L.append("        FloatVector s%d_%d = FloatVector.zero(S);" % (r, t))
    L.append("        for (int j = 0; j < len; j += VL) {")
    for t in range(taps):
        L.append("            FloatVector x%d = FloatVector.fromArray(S, x, xb + j%s);" % (t, "" if t == 0 else " + %d" % t))
    for r in range(MR):
        L.append("            FloatVector g%d = FloatVector.fromArray(S, g, gb + %sj);" % (r, "" if r == 0 else ("ldg + " if r == 1 else "%d * ldg + " % r)))
        for t in range(taps):
            L.append("            s%d_%d = g%d.fma(x%d, s%d_%d);" % (r, t, r, t, r, t))
    L.append("        }")
    for r in range(MR):
        for t in range(taps):
            L.append("        s%d_%d.add(FloatVector.fromArray(S, scratch, %d * VL)).intoArray(scratch, %d * VL);" % (r, t, r * 3 + t, r * 3 + t))
    L.append("    }")
    return L

out = []
out.append("""package dev.sfd.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API {@link ConvTile}s, loaded only when jdk.incubator.vector is present. The forward tile keeps
 * 8 output channels x 2 vectors of wide positions in registers: per (input channel, tap) it loads 2
 * unaligned vectors straight from the padded input, broadcasts 8 packed weights and issues 16 FMAs. The
 * weight-gradient tile keeps 8 channels x 3 taps (24 registers) of per-lane partial sums over all positions
 * of a group of samples. Generated code (one variable per register), hence the repetition.
 */
final class VecConvTile {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private VecConvTile() {}

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
""")
out += fwd(2)
out.append("")
out += wt(3)
out.append("")
out += wt(1)
out.append("}")
import os
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../sfd-core/src/main/java/dev/sfd/backend/cpu/VecConvTile.java"),"w").write("\n".join(out)+"\n")
