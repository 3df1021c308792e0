package dev.sfd.backend.cpu;

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

    /**
     * The tile named by -Dsfd.conv.tile, else the one that fits the vector register file; {@code scalar} is the
     * scalar reference tile (a deliberately slow switch: the CI performance guard must fail with it).
     */
    static ConvTile pick(String name) {
        if (name == null) name = VL == 8 ? "6x2" : "8x2";
        switch (name) {

            case "scalar": return ScalarConvTile.INSTANCE;
            case "8x2": return new F8x2();
            case "6x2": return new F6x2();
            case "4x3": return new F4x3();
            case "4x2": return new F4x2();
            default: throw new IllegalArgumentException("unknown -Dsfd.conv.tile=" + name + " (8x2, 6x2, 4x3, 4x2, scalar)");
        }
    }

    /** Sums each accumulator's lanes in lane order (deterministic, unlike reduceLanes) into out. */
    static void reduce(int taps, int rows, float[] out, int oo, int ldo, float[] scratch) {
        reduce(taps, rows, out, oo, ldo, scratch, 0);
    }

    /** {@link #reduce(int, int, float[], int, int, float[])} of the accumulators at {@code scratch[so ..]}. */
    static void reduce(int taps, int rows, float[] out, int oo, int ldo, float[] scratch, int so) {
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < taps; t++) {
                int s = so + (r * 3 + t) * VL;
                float sum = 0f;
                for (int l = 0; l < VL; l++) sum += scratch[s + l];
                out[oo + r * ldo + t] = sum;
            }
        }
    }

    /** 8 channels x 2 vectors forward tile; weight gradient in chunks of 8 channels. */
    static final class F8x2 implements ConvTile {
        @Override public int mr() { return 8; }
        @Override public int nr() { return 2 * VL; }
        @Override public int lanes() { return VL; }
        @Override public String toString() { return "8x2"; }
        @Override
        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            FloatVector c4_0 = FloatVector.zero(S);
            FloatVector c4_1 = FloatVector.zero(S);
            FloatVector c5_0 = FloatVector.zero(S);
            FloatVector c5_1 = FloatVector.zero(S);
            FloatVector c6_0 = FloatVector.zero(S);
            FloatVector c6_1 = FloatVector.zero(S);
            FloatVector c7_0 = FloatVector.zero(S);
            FloatVector c7_1 = FloatVector.zero(S);
            for (int k = 0, ak = ao; k < kk; k++, ak += 8) {
                int b = xo + koff[k];
                FloatVector b0 = FloatVector.fromArray(S, x, b);
                FloatVector b1 = FloatVector.fromArray(S, x, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, a[ak + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, a[ak + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                FloatVector a6 = FloatVector.broadcast(S, a[ak + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                FloatVector a7 = FloatVector.broadcast(S, a[ak + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
            }
            c0_0.intoArray(c, co + 0 * ldc);
            c0_1.intoArray(c, co + 0 * ldc + VL);
            c1_0.intoArray(c, co + 1 * ldc);
            c1_1.intoArray(c, co + 1 * ldc + VL);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + VL);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + VL);
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + VL);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + VL);
            c6_0.intoArray(c, co + 6 * ldc);
            c6_1.intoArray(c, co + 6 * ldc + VL);
            c7_0.intoArray(c, co + 7 * ldc);
            c7_1.intoArray(c, co + 7 * ldc + VL);
        }

        @Override
        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                           float[] out, int oo, int ldo, int rows, float[] scratch) {
            java.util.Arrays.fill(scratch, 0, 8 * 3 * VL, 0f);
            for (int n = 0; n < ns; n++) {
                if (taps == 3) weight3x8(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
                else weight1x8(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
            }
            reduce(taps, rows, out, oo, ldo, scratch);
        }

        @Override
        public void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so) {
            if (taps == 3) weight3x8(len, g, go, ldg, x, xo, scratch, so);
            else weight1x8(len, g, go, ldg, x, xo, scratch, so);
        }

        @Override
        public void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo) {
            reduce(taps, rows, out, oo, ldo, scratch, so);
        }
    }

    /** 6 channels x 2 vectors forward tile; weight gradient in chunks of 3 channels. */
    static final class F6x2 implements ConvTile {
        @Override public int mr() { return 6; }
        @Override public int nr() { return 2 * VL; }
        @Override public int lanes() { return VL; }
        @Override public String toString() { return "6x2"; }
        @Override
        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            FloatVector c4_0 = FloatVector.zero(S);
            FloatVector c4_1 = FloatVector.zero(S);
            FloatVector c5_0 = FloatVector.zero(S);
            FloatVector c5_1 = FloatVector.zero(S);
            for (int k = 0, ak = ao; k < kk; k++, ak += 6) {
                int b = xo + koff[k];
                FloatVector b0 = FloatVector.fromArray(S, x, b);
                FloatVector b1 = FloatVector.fromArray(S, x, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, a[ak + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, a[ak + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
            }
            c0_0.intoArray(c, co + 0 * ldc);
            c0_1.intoArray(c, co + 0 * ldc + VL);
            c1_0.intoArray(c, co + 1 * ldc);
            c1_1.intoArray(c, co + 1 * ldc + VL);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + VL);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + VL);
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + VL);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + VL);
        }

        @Override
        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                           float[] out, int oo, int ldo, int rows, float[] scratch) {
            java.util.Arrays.fill(scratch, 0, 6 * 3 * VL, 0f);
            for (int n = 0; n < ns; n++) {
                for (int r0 = 0; r0 < rows; r0 += 3) {
                    if (taps == 3) weight3x3(len, g, go + n * gStride + r0 * ldg, ldg, x, xo + n * xStride, scratch, r0 * 3 * VL);
                    else weight1x3(len, g, go + n * gStride + r0 * ldg, ldg, x, xo + n * xStride, scratch, r0 * 3 * VL);
                }
            }
            reduce(taps, rows, out, oo, ldo, scratch);
        }

        @Override
        public void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so) {
            for (int r0 = 0; r0 < rows; r0 += 3) {
                if (taps == 3) weight3x3(len, g, go + r0 * ldg, ldg, x, xo, scratch, so + r0 * 3 * VL);
                else weight1x3(len, g, go + r0 * ldg, ldg, x, xo, scratch, so + r0 * 3 * VL);
            }
        }

        @Override
        public void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo) {
            reduce(taps, rows, out, oo, ldo, scratch, so);
        }
    }

    /** 4 channels x 3 vectors forward tile; weight gradient in chunks of 4 channels. */
    static final class F4x3 implements ConvTile {
        @Override public int mr() { return 4; }
        @Override public int nr() { return 3 * VL; }
        @Override public int lanes() { return VL; }
        @Override public String toString() { return "4x3"; }
        @Override
        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c0_2 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c1_2 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c2_2 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            FloatVector c3_2 = FloatVector.zero(S);
            for (int k = 0, ak = ao; k < kk; k++, ak += 4) {
                int b = xo + koff[k];
                FloatVector b0 = FloatVector.fromArray(S, x, b);
                FloatVector b1 = FloatVector.fromArray(S, x, b + VL);
                FloatVector b2 = FloatVector.fromArray(S, x, b + 2 * VL);
                FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                c0_2 = a0.fma(b2, c0_2);
                FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                c1_2 = a1.fma(b2, c1_2);
                FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                c2_2 = a2.fma(b2, c2_2);
                FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                c3_2 = a3.fma(b2, c3_2);
            }
            c0_0.intoArray(c, co + 0 * ldc);
            c0_1.intoArray(c, co + 0 * ldc + VL);
            c0_2.intoArray(c, co + 0 * ldc + 2 * VL);
            c1_0.intoArray(c, co + 1 * ldc);
            c1_1.intoArray(c, co + 1 * ldc + VL);
            c1_2.intoArray(c, co + 1 * ldc + 2 * VL);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + VL);
            c2_2.intoArray(c, co + 2 * ldc + 2 * VL);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + VL);
            c3_2.intoArray(c, co + 3 * ldc + 2 * VL);
        }

        @Override
        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                           float[] out, int oo, int ldo, int rows, float[] scratch) {
            java.util.Arrays.fill(scratch, 0, 4 * 3 * VL, 0f);
            for (int n = 0; n < ns; n++) {
                if (taps == 3) weight3x4(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
                else weight1x4(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
            }
            reduce(taps, rows, out, oo, ldo, scratch);
        }

        @Override
        public void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so) {
            if (taps == 3) weight3x4(len, g, go, ldg, x, xo, scratch, so);
            else weight1x4(len, g, go, ldg, x, xo, scratch, so);
        }

        @Override
        public void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo) {
            reduce(taps, rows, out, oo, ldo, scratch, so);
        }
    }

    /** 4 channels x 2 vectors forward tile; weight gradient in chunks of 4 channels. */
    static final class F4x2 implements ConvTile {
        @Override public int mr() { return 4; }
        @Override public int nr() { return 2 * VL; }
        @Override public int lanes() { return VL; }
        @Override public String toString() { return "4x2"; }
        @Override
        public void forward(int kk, int[] koff, float[] a, int ao, float[] x, int xo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            for (int k = 0, ak = ao; k < kk; k++, ak += 4) {
                int b = xo + koff[k];
                FloatVector b0 = FloatVector.fromArray(S, x, b);
                FloatVector b1 = FloatVector.fromArray(S, x, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, a[ak + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, a[ak + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, a[ak + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, a[ak + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
            }
            c0_0.intoArray(c, co + 0 * ldc);
            c0_1.intoArray(c, co + 0 * ldc + VL);
            c1_0.intoArray(c, co + 1 * ldc);
            c1_1.intoArray(c, co + 1 * ldc + VL);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + VL);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + VL);
        }

        @Override
        public void weight(int taps, int ns, int len, float[] g, int go, int gStride, int ldg, float[] x, int xo, int xStride,
                           float[] out, int oo, int ldo, int rows, float[] scratch) {
            java.util.Arrays.fill(scratch, 0, 4 * 3 * VL, 0f);
            for (int n = 0; n < ns; n++) {
                if (taps == 3) weight3x4(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
                else weight1x4(len, g, go + n * gStride, ldg, x, xo + n * xStride, scratch, 0);
            }
            reduce(taps, rows, out, oo, ldo, scratch);
        }

        @Override
        public void weightAdd(int taps, int len, float[] g, int go, int ldg, float[] x, int xo, int rows, float[] scratch, int so) {
            if (taps == 3) weight3x4(len, g, go, ldg, x, xo, scratch, so);
            else weight1x4(len, g, go, ldg, x, xo, scratch, so);
        }

        @Override
        public void weightReduce(int taps, int rows, float[] scratch, int so, float[] out, int oo, int ldo) {
            reduce(taps, rows, out, oo, ldo, scratch, so);
        }
    }

    /**
     * 8 channels x 3 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight3x8(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s0_1 = FloatVector.zero(S);
        FloatVector s0_2 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s1_1 = FloatVector.zero(S);
        FloatVector s1_2 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        FloatVector s2_1 = FloatVector.zero(S);
        FloatVector s2_2 = FloatVector.zero(S);
        FloatVector s3_0 = FloatVector.zero(S);
        FloatVector s3_1 = FloatVector.zero(S);
        FloatVector s3_2 = FloatVector.zero(S);
        FloatVector s4_0 = FloatVector.zero(S);
        FloatVector s4_1 = FloatVector.zero(S);
        FloatVector s4_2 = FloatVector.zero(S);
        FloatVector s5_0 = FloatVector.zero(S);
        FloatVector s5_1 = FloatVector.zero(S);
        FloatVector s5_2 = FloatVector.zero(S);
        FloatVector s6_0 = FloatVector.zero(S);
        FloatVector s6_1 = FloatVector.zero(S);
        FloatVector s6_2 = FloatVector.zero(S);
        FloatVector s7_0 = FloatVector.zero(S);
        FloatVector s7_1 = FloatVector.zero(S);
        FloatVector s7_2 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector x1 = FloatVector.fromArray(S, x, xb + j + 1);
            FloatVector x2 = FloatVector.fromArray(S, x, xb + j + 2);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            s0_1 = g0.fma(x1, s0_1);
            s0_2 = g0.fma(x2, s0_2);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            s1_1 = g1.fma(x1, s1_1);
            s1_2 = g1.fma(x2, s1_2);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
            s2_1 = g2.fma(x1, s2_1);
            s2_2 = g2.fma(x2, s2_2);
            FloatVector g3 = FloatVector.fromArray(S, g, gb + 3 * ldg + j);
            s3_0 = g3.fma(x0, s3_0);
            s3_1 = g3.fma(x1, s3_1);
            s3_2 = g3.fma(x2, s3_2);
            FloatVector g4 = FloatVector.fromArray(S, g, gb + 4 * ldg + j);
            s4_0 = g4.fma(x0, s4_0);
            s4_1 = g4.fma(x1, s4_1);
            s4_2 = g4.fma(x2, s4_2);
            FloatVector g5 = FloatVector.fromArray(S, g, gb + 5 * ldg + j);
            s5_0 = g5.fma(x0, s5_0);
            s5_1 = g5.fma(x1, s5_1);
            s5_2 = g5.fma(x2, s5_2);
            FloatVector g6 = FloatVector.fromArray(S, g, gb + 6 * ldg + j);
            s6_0 = g6.fma(x0, s6_0);
            s6_1 = g6.fma(x1, s6_1);
            s6_2 = g6.fma(x2, s6_2);
            FloatVector g7 = FloatVector.fromArray(S, g, gb + 7 * ldg + j);
            s7_0 = g7.fma(x0, s7_0);
            s7_1 = g7.fma(x1, s7_1);
            s7_2 = g7.fma(x2, s7_2);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s0_1.add(FloatVector.fromArray(S, scratch, so + 1 * VL)).intoArray(scratch, so + 1 * VL);
        s0_2.add(FloatVector.fromArray(S, scratch, so + 2 * VL)).intoArray(scratch, so + 2 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s1_1.add(FloatVector.fromArray(S, scratch, so + 4 * VL)).intoArray(scratch, so + 4 * VL);
        s1_2.add(FloatVector.fromArray(S, scratch, so + 5 * VL)).intoArray(scratch, so + 5 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
        s2_1.add(FloatVector.fromArray(S, scratch, so + 7 * VL)).intoArray(scratch, so + 7 * VL);
        s2_2.add(FloatVector.fromArray(S, scratch, so + 8 * VL)).intoArray(scratch, so + 8 * VL);
        s3_0.add(FloatVector.fromArray(S, scratch, so + 9 * VL)).intoArray(scratch, so + 9 * VL);
        s3_1.add(FloatVector.fromArray(S, scratch, so + 10 * VL)).intoArray(scratch, so + 10 * VL);
        s3_2.add(FloatVector.fromArray(S, scratch, so + 11 * VL)).intoArray(scratch, so + 11 * VL);
        s4_0.add(FloatVector.fromArray(S, scratch, so + 12 * VL)).intoArray(scratch, so + 12 * VL);
        s4_1.add(FloatVector.fromArray(S, scratch, so + 13 * VL)).intoArray(scratch, so + 13 * VL);
        s4_2.add(FloatVector.fromArray(S, scratch, so + 14 * VL)).intoArray(scratch, so + 14 * VL);
        s5_0.add(FloatVector.fromArray(S, scratch, so + 15 * VL)).intoArray(scratch, so + 15 * VL);
        s5_1.add(FloatVector.fromArray(S, scratch, so + 16 * VL)).intoArray(scratch, so + 16 * VL);
        s5_2.add(FloatVector.fromArray(S, scratch, so + 17 * VL)).intoArray(scratch, so + 17 * VL);
        s6_0.add(FloatVector.fromArray(S, scratch, so + 18 * VL)).intoArray(scratch, so + 18 * VL);
        s6_1.add(FloatVector.fromArray(S, scratch, so + 19 * VL)).intoArray(scratch, so + 19 * VL);
        s6_2.add(FloatVector.fromArray(S, scratch, so + 20 * VL)).intoArray(scratch, so + 20 * VL);
        s7_0.add(FloatVector.fromArray(S, scratch, so + 21 * VL)).intoArray(scratch, so + 21 * VL);
        s7_1.add(FloatVector.fromArray(S, scratch, so + 22 * VL)).intoArray(scratch, so + 22 * VL);
        s7_2.add(FloatVector.fromArray(S, scratch, so + 23 * VL)).intoArray(scratch, so + 23 * VL);
    }

    /**
     * 8 channels x 1 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight1x8(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        FloatVector s3_0 = FloatVector.zero(S);
        FloatVector s4_0 = FloatVector.zero(S);
        FloatVector s5_0 = FloatVector.zero(S);
        FloatVector s6_0 = FloatVector.zero(S);
        FloatVector s7_0 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
            FloatVector g3 = FloatVector.fromArray(S, g, gb + 3 * ldg + j);
            s3_0 = g3.fma(x0, s3_0);
            FloatVector g4 = FloatVector.fromArray(S, g, gb + 4 * ldg + j);
            s4_0 = g4.fma(x0, s4_0);
            FloatVector g5 = FloatVector.fromArray(S, g, gb + 5 * ldg + j);
            s5_0 = g5.fma(x0, s5_0);
            FloatVector g6 = FloatVector.fromArray(S, g, gb + 6 * ldg + j);
            s6_0 = g6.fma(x0, s6_0);
            FloatVector g7 = FloatVector.fromArray(S, g, gb + 7 * ldg + j);
            s7_0 = g7.fma(x0, s7_0);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
        s3_0.add(FloatVector.fromArray(S, scratch, so + 9 * VL)).intoArray(scratch, so + 9 * VL);
        s4_0.add(FloatVector.fromArray(S, scratch, so + 12 * VL)).intoArray(scratch, so + 12 * VL);
        s5_0.add(FloatVector.fromArray(S, scratch, so + 15 * VL)).intoArray(scratch, so + 15 * VL);
        s6_0.add(FloatVector.fromArray(S, scratch, so + 18 * VL)).intoArray(scratch, so + 18 * VL);
        s7_0.add(FloatVector.fromArray(S, scratch, so + 21 * VL)).intoArray(scratch, so + 21 * VL);
    }

    /**
     * 4 channels x 3 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight3x4(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s0_1 = FloatVector.zero(S);
        FloatVector s0_2 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s1_1 = FloatVector.zero(S);
        FloatVector s1_2 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        FloatVector s2_1 = FloatVector.zero(S);
        FloatVector s2_2 = FloatVector.zero(S);
        FloatVector s3_0 = FloatVector.zero(S);
        FloatVector s3_1 = FloatVector.zero(S);
        FloatVector s3_2 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector x1 = FloatVector.fromArray(S, x, xb + j + 1);
            FloatVector x2 = FloatVector.fromArray(S, x, xb + j + 2);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            s0_1 = g0.fma(x1, s0_1);
            s0_2 = g0.fma(x2, s0_2);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            s1_1 = g1.fma(x1, s1_1);
            s1_2 = g1.fma(x2, s1_2);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
            s2_1 = g2.fma(x1, s2_1);
            s2_2 = g2.fma(x2, s2_2);
            FloatVector g3 = FloatVector.fromArray(S, g, gb + 3 * ldg + j);
            s3_0 = g3.fma(x0, s3_0);
            s3_1 = g3.fma(x1, s3_1);
            s3_2 = g3.fma(x2, s3_2);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s0_1.add(FloatVector.fromArray(S, scratch, so + 1 * VL)).intoArray(scratch, so + 1 * VL);
        s0_2.add(FloatVector.fromArray(S, scratch, so + 2 * VL)).intoArray(scratch, so + 2 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s1_1.add(FloatVector.fromArray(S, scratch, so + 4 * VL)).intoArray(scratch, so + 4 * VL);
        s1_2.add(FloatVector.fromArray(S, scratch, so + 5 * VL)).intoArray(scratch, so + 5 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
        s2_1.add(FloatVector.fromArray(S, scratch, so + 7 * VL)).intoArray(scratch, so + 7 * VL);
        s2_2.add(FloatVector.fromArray(S, scratch, so + 8 * VL)).intoArray(scratch, so + 8 * VL);
        s3_0.add(FloatVector.fromArray(S, scratch, so + 9 * VL)).intoArray(scratch, so + 9 * VL);
        s3_1.add(FloatVector.fromArray(S, scratch, so + 10 * VL)).intoArray(scratch, so + 10 * VL);
        s3_2.add(FloatVector.fromArray(S, scratch, so + 11 * VL)).intoArray(scratch, so + 11 * VL);
    }

    /**
     * 4 channels x 1 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight1x4(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        FloatVector s3_0 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
            FloatVector g3 = FloatVector.fromArray(S, g, gb + 3 * ldg + j);
            s3_0 = g3.fma(x0, s3_0);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
        s3_0.add(FloatVector.fromArray(S, scratch, so + 9 * VL)).intoArray(scratch, so + 9 * VL);
    }

    /**
     * 3 channels x 3 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight3x3(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s0_1 = FloatVector.zero(S);
        FloatVector s0_2 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s1_1 = FloatVector.zero(S);
        FloatVector s1_2 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        FloatVector s2_1 = FloatVector.zero(S);
        FloatVector s2_2 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector x1 = FloatVector.fromArray(S, x, xb + j + 1);
            FloatVector x2 = FloatVector.fromArray(S, x, xb + j + 2);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            s0_1 = g0.fma(x1, s0_1);
            s0_2 = g0.fma(x2, s0_2);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            s1_1 = g1.fma(x1, s1_1);
            s1_2 = g1.fma(x2, s1_2);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
            s2_1 = g2.fma(x1, s2_1);
            s2_2 = g2.fma(x2, s2_2);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s0_1.add(FloatVector.fromArray(S, scratch, so + 1 * VL)).intoArray(scratch, so + 1 * VL);
        s0_2.add(FloatVector.fromArray(S, scratch, so + 2 * VL)).intoArray(scratch, so + 2 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s1_1.add(FloatVector.fromArray(S, scratch, so + 4 * VL)).intoArray(scratch, so + 4 * VL);
        s1_2.add(FloatVector.fromArray(S, scratch, so + 5 * VL)).intoArray(scratch, so + 5 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
        s2_1.add(FloatVector.fromArray(S, scratch, so + 7 * VL)).intoArray(scratch, so + 7 * VL);
        s2_2.add(FloatVector.fromArray(S, scratch, so + 8 * VL)).intoArray(scratch, so + 8 * VL);
    }

    /**
     * 3 channels x 1 taps of the weight gradient for one sample: scratch[so + (r * 3 + t) * VL ..] += per-lane sums.
     * (One sample per call: C2 of JDK 17 boxes vectors carried around an outer loop, which made a loop over the
     * samples here ~20x slower. Accumulators start at zero, like the forward tile's, and are added to scratch
     * at the end.)
     */
    static void weight1x3(int len, float[] g, int gb, int ldg, float[] x, int xb, float[] scratch, int so) {
        FloatVector s0_0 = FloatVector.zero(S);
        FloatVector s1_0 = FloatVector.zero(S);
        FloatVector s2_0 = FloatVector.zero(S);
        for (int j = 0; j < len; j += VL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb + j);
            FloatVector g0 = FloatVector.fromArray(S, g, gb + j);
            s0_0 = g0.fma(x0, s0_0);
            FloatVector g1 = FloatVector.fromArray(S, g, gb + ldg + j);
            s1_0 = g1.fma(x0, s1_0);
            FloatVector g2 = FloatVector.fromArray(S, g, gb + 2 * ldg + j);
            s2_0 = g2.fma(x0, s2_0);
        }
        s0_0.add(FloatVector.fromArray(S, scratch, so + 0 * VL)).intoArray(scratch, so + 0 * VL);
        s1_0.add(FloatVector.fromArray(S, scratch, so + 3 * VL)).intoArray(scratch, so + 3 * VL);
        s2_0.add(FloatVector.fromArray(S, scratch, so + 6 * VL)).intoArray(scratch, so + 6 * VL);
    }
}
