package dev.sfd.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API SGEMM micro-kernels, loaded only when jdk.incubator.vector is present. Each keeps an MR x (NV*VL)
 * tile of C in registers: per k it loads NV vectors of the packed B panel, broadcasts MR values of the packed
 * A panel and issues MR*NV FMAs. Generated code (tools: one accumulator variable per register), hence the
 * repetition; the store and accumulate variants have no branches so C2's profile cannot make them spill.
 */
final class VecGemmKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private VecGemmKernels() {}

    /** 6 rows x 2 vectors (12 accumulator registers). */
    static final class K6x2 implements Sgemm.MicroKernel {
        @Override public int mr() { return 6; }
        @Override public int nr() { return 2 * VL; }
        @Override
        public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 6, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
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
        public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 6, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
            }
            c0_0.add(FloatVector.fromArray(S, c, co + 0 * ldc)).intoArray(c, co + 0 * ldc);
            c0_1.add(FloatVector.fromArray(S, c, co + 0 * ldc + VL)).intoArray(c, co + 0 * ldc + VL);
            c1_0.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c1_1.add(FloatVector.fromArray(S, c, co + 1 * ldc + VL)).intoArray(c, co + 1 * ldc + VL);
            c2_0.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(S, c, co + 2 * ldc + VL)).intoArray(c, co + 2 * ldc + VL);
            c3_0.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(S, c, co + 3 * ldc + VL)).intoArray(c, co + 3 * ldc + VL);
            c4_0.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(S, c, co + 4 * ldc + VL)).intoArray(c, co + 4 * ldc + VL);
            c5_0.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(S, c, co + 5 * ldc + VL)).intoArray(c, co + 5 * ldc + VL);
        }
    }

    /** 8 rows x 2 vectors (16 accumulator registers). */
    static final class K8x2 implements Sgemm.MicroKernel {
        @Override public int mr() { return 8; }
        @Override public int nr() { return 2 * VL; }
        @Override
        public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 8, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
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
        public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 8, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
            }
            c0_0.add(FloatVector.fromArray(S, c, co + 0 * ldc)).intoArray(c, co + 0 * ldc);
            c0_1.add(FloatVector.fromArray(S, c, co + 0 * ldc + VL)).intoArray(c, co + 0 * ldc + VL);
            c1_0.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c1_1.add(FloatVector.fromArray(S, c, co + 1 * ldc + VL)).intoArray(c, co + 1 * ldc + VL);
            c2_0.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(S, c, co + 2 * ldc + VL)).intoArray(c, co + 2 * ldc + VL);
            c3_0.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(S, c, co + 3 * ldc + VL)).intoArray(c, co + 3 * ldc + VL);
            c4_0.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(S, c, co + 4 * ldc + VL)).intoArray(c, co + 4 * ldc + VL);
            c5_0.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(S, c, co + 5 * ldc + VL)).intoArray(c, co + 5 * ldc + VL);
            c6_0.add(FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c6_1.add(FloatVector.fromArray(S, c, co + 6 * ldc + VL)).intoArray(c, co + 6 * ldc + VL);
            c7_0.add(FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c7_1.add(FloatVector.fromArray(S, c, co + 7 * ldc + VL)).intoArray(c, co + 7 * ldc + VL);
        }
    }

    /** 12 rows x 2 vectors (24 accumulator registers). */
    static final class K12x2 implements Sgemm.MicroKernel {
        @Override public int mr() { return 12; }
        @Override public int nr() { return 2 * VL; }
        @Override
        public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            FloatVector c8_0 = FloatVector.zero(S);
            FloatVector c8_1 = FloatVector.zero(S);
            FloatVector c9_0 = FloatVector.zero(S);
            FloatVector c9_1 = FloatVector.zero(S);
            FloatVector c10_0 = FloatVector.zero(S);
            FloatVector c10_1 = FloatVector.zero(S);
            FloatVector c11_0 = FloatVector.zero(S);
            FloatVector c11_1 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 12, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
                FloatVector a8 = FloatVector.broadcast(S, ap[a + 8]);
                c8_0 = a8.fma(b0, c8_0);
                c8_1 = a8.fma(b1, c8_1);
                FloatVector a9 = FloatVector.broadcast(S, ap[a + 9]);
                c9_0 = a9.fma(b0, c9_0);
                c9_1 = a9.fma(b1, c9_1);
                FloatVector a10 = FloatVector.broadcast(S, ap[a + 10]);
                c10_0 = a10.fma(b0, c10_0);
                c10_1 = a10.fma(b1, c10_1);
                FloatVector a11 = FloatVector.broadcast(S, ap[a + 11]);
                c11_0 = a11.fma(b0, c11_0);
                c11_1 = a11.fma(b1, c11_1);
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
            c8_0.intoArray(c, co + 8 * ldc);
            c8_1.intoArray(c, co + 8 * ldc + VL);
            c9_0.intoArray(c, co + 9 * ldc);
            c9_1.intoArray(c, co + 9 * ldc + VL);
            c10_0.intoArray(c, co + 10 * ldc);
            c10_1.intoArray(c, co + 10 * ldc + VL);
            c11_0.intoArray(c, co + 11 * ldc);
            c11_1.intoArray(c, co + 11 * ldc + VL);
        }
        @Override
        public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            FloatVector c8_0 = FloatVector.zero(S);
            FloatVector c8_1 = FloatVector.zero(S);
            FloatVector c9_0 = FloatVector.zero(S);
            FloatVector c9_1 = FloatVector.zero(S);
            FloatVector c10_0 = FloatVector.zero(S);
            FloatVector c10_1 = FloatVector.zero(S);
            FloatVector c11_0 = FloatVector.zero(S);
            FloatVector c11_1 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 12, b = bo + k * (2 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
                FloatVector a8 = FloatVector.broadcast(S, ap[a + 8]);
                c8_0 = a8.fma(b0, c8_0);
                c8_1 = a8.fma(b1, c8_1);
                FloatVector a9 = FloatVector.broadcast(S, ap[a + 9]);
                c9_0 = a9.fma(b0, c9_0);
                c9_1 = a9.fma(b1, c9_1);
                FloatVector a10 = FloatVector.broadcast(S, ap[a + 10]);
                c10_0 = a10.fma(b0, c10_0);
                c10_1 = a10.fma(b1, c10_1);
                FloatVector a11 = FloatVector.broadcast(S, ap[a + 11]);
                c11_0 = a11.fma(b0, c11_0);
                c11_1 = a11.fma(b1, c11_1);
            }
            c0_0.add(FloatVector.fromArray(S, c, co + 0 * ldc)).intoArray(c, co + 0 * ldc);
            c0_1.add(FloatVector.fromArray(S, c, co + 0 * ldc + VL)).intoArray(c, co + 0 * ldc + VL);
            c1_0.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c1_1.add(FloatVector.fromArray(S, c, co + 1 * ldc + VL)).intoArray(c, co + 1 * ldc + VL);
            c2_0.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(S, c, co + 2 * ldc + VL)).intoArray(c, co + 2 * ldc + VL);
            c3_0.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(S, c, co + 3 * ldc + VL)).intoArray(c, co + 3 * ldc + VL);
            c4_0.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(S, c, co + 4 * ldc + VL)).intoArray(c, co + 4 * ldc + VL);
            c5_0.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(S, c, co + 5 * ldc + VL)).intoArray(c, co + 5 * ldc + VL);
            c6_0.add(FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c6_1.add(FloatVector.fromArray(S, c, co + 6 * ldc + VL)).intoArray(c, co + 6 * ldc + VL);
            c7_0.add(FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c7_1.add(FloatVector.fromArray(S, c, co + 7 * ldc + VL)).intoArray(c, co + 7 * ldc + VL);
            c8_0.add(FloatVector.fromArray(S, c, co + 8 * ldc)).intoArray(c, co + 8 * ldc);
            c8_1.add(FloatVector.fromArray(S, c, co + 8 * ldc + VL)).intoArray(c, co + 8 * ldc + VL);
            c9_0.add(FloatVector.fromArray(S, c, co + 9 * ldc)).intoArray(c, co + 9 * ldc);
            c9_1.add(FloatVector.fromArray(S, c, co + 9 * ldc + VL)).intoArray(c, co + 9 * ldc + VL);
            c10_0.add(FloatVector.fromArray(S, c, co + 10 * ldc)).intoArray(c, co + 10 * ldc);
            c10_1.add(FloatVector.fromArray(S, c, co + 10 * ldc + VL)).intoArray(c, co + 10 * ldc + VL);
            c11_0.add(FloatVector.fromArray(S, c, co + 11 * ldc)).intoArray(c, co + 11 * ldc);
            c11_1.add(FloatVector.fromArray(S, c, co + 11 * ldc + VL)).intoArray(c, co + 11 * ldc + VL);
        }
    }

    /** 8 rows x 3 vectors (24 accumulator registers). */
    static final class K8x3 implements Sgemm.MicroKernel {
        @Override public int mr() { return 8; }
        @Override public int nr() { return 3 * VL; }
        @Override
        public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            FloatVector c4_0 = FloatVector.zero(S);
            FloatVector c4_1 = FloatVector.zero(S);
            FloatVector c4_2 = FloatVector.zero(S);
            FloatVector c5_0 = FloatVector.zero(S);
            FloatVector c5_1 = FloatVector.zero(S);
            FloatVector c5_2 = FloatVector.zero(S);
            FloatVector c6_0 = FloatVector.zero(S);
            FloatVector c6_1 = FloatVector.zero(S);
            FloatVector c6_2 = FloatVector.zero(S);
            FloatVector c7_0 = FloatVector.zero(S);
            FloatVector c7_1 = FloatVector.zero(S);
            FloatVector c7_2 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 8, b = bo + k * (3 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                c0_2 = a0.fma(b2, c0_2);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                c1_2 = a1.fma(b2, c1_2);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                c2_2 = a2.fma(b2, c2_2);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                c3_2 = a3.fma(b2, c3_2);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                c4_2 = a4.fma(b2, c4_2);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                c5_2 = a5.fma(b2, c5_2);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                c6_2 = a6.fma(b2, c6_2);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
                c7_2 = a7.fma(b2, c7_2);
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
            c4_0.intoArray(c, co + 4 * ldc);
            c4_1.intoArray(c, co + 4 * ldc + VL);
            c4_2.intoArray(c, co + 4 * ldc + 2 * VL);
            c5_0.intoArray(c, co + 5 * ldc);
            c5_1.intoArray(c, co + 5 * ldc + VL);
            c5_2.intoArray(c, co + 5 * ldc + 2 * VL);
            c6_0.intoArray(c, co + 6 * ldc);
            c6_1.intoArray(c, co + 6 * ldc + VL);
            c6_2.intoArray(c, co + 6 * ldc + 2 * VL);
            c7_0.intoArray(c, co + 7 * ldc);
            c7_1.intoArray(c, co + 7 * ldc + VL);
            c7_2.intoArray(c, co + 7 * ldc + 2 * VL);
        }
        @Override
        public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
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
            FloatVector c4_0 = FloatVector.zero(S);
            FloatVector c4_1 = FloatVector.zero(S);
            FloatVector c4_2 = FloatVector.zero(S);
            FloatVector c5_0 = FloatVector.zero(S);
            FloatVector c5_1 = FloatVector.zero(S);
            FloatVector c5_2 = FloatVector.zero(S);
            FloatVector c6_0 = FloatVector.zero(S);
            FloatVector c6_1 = FloatVector.zero(S);
            FloatVector c6_2 = FloatVector.zero(S);
            FloatVector c7_0 = FloatVector.zero(S);
            FloatVector c7_1 = FloatVector.zero(S);
            FloatVector c7_2 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 8, b = bo + k * (3 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                c0_2 = a0.fma(b2, c0_2);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                c1_2 = a1.fma(b2, c1_2);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                c2_2 = a2.fma(b2, c2_2);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                c3_2 = a3.fma(b2, c3_2);
                FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
                c4_0 = a4.fma(b0, c4_0);
                c4_1 = a4.fma(b1, c4_1);
                c4_2 = a4.fma(b2, c4_2);
                FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
                c5_0 = a5.fma(b0, c5_0);
                c5_1 = a5.fma(b1, c5_1);
                c5_2 = a5.fma(b2, c5_2);
                FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
                c6_0 = a6.fma(b0, c6_0);
                c6_1 = a6.fma(b1, c6_1);
                c6_2 = a6.fma(b2, c6_2);
                FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
                c7_0 = a7.fma(b0, c7_0);
                c7_1 = a7.fma(b1, c7_1);
                c7_2 = a7.fma(b2, c7_2);
            }
            c0_0.add(FloatVector.fromArray(S, c, co + 0 * ldc)).intoArray(c, co + 0 * ldc);
            c0_1.add(FloatVector.fromArray(S, c, co + 0 * ldc + VL)).intoArray(c, co + 0 * ldc + VL);
            c0_2.add(FloatVector.fromArray(S, c, co + 0 * ldc + 2 * VL)).intoArray(c, co + 0 * ldc + 2 * VL);
            c1_0.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c1_1.add(FloatVector.fromArray(S, c, co + 1 * ldc + VL)).intoArray(c, co + 1 * ldc + VL);
            c1_2.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * VL)).intoArray(c, co + 1 * ldc + 2 * VL);
            c2_0.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(S, c, co + 2 * ldc + VL)).intoArray(c, co + 2 * ldc + VL);
            c2_2.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * VL)).intoArray(c, co + 2 * ldc + 2 * VL);
            c3_0.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(S, c, co + 3 * ldc + VL)).intoArray(c, co + 3 * ldc + VL);
            c3_2.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * VL)).intoArray(c, co + 3 * ldc + 2 * VL);
            c4_0.add(FloatVector.fromArray(S, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
            c4_1.add(FloatVector.fromArray(S, c, co + 4 * ldc + VL)).intoArray(c, co + 4 * ldc + VL);
            c4_2.add(FloatVector.fromArray(S, c, co + 4 * ldc + 2 * VL)).intoArray(c, co + 4 * ldc + 2 * VL);
            c5_0.add(FloatVector.fromArray(S, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
            c5_1.add(FloatVector.fromArray(S, c, co + 5 * ldc + VL)).intoArray(c, co + 5 * ldc + VL);
            c5_2.add(FloatVector.fromArray(S, c, co + 5 * ldc + 2 * VL)).intoArray(c, co + 5 * ldc + 2 * VL);
            c6_0.add(FloatVector.fromArray(S, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
            c6_1.add(FloatVector.fromArray(S, c, co + 6 * ldc + VL)).intoArray(c, co + 6 * ldc + VL);
            c6_2.add(FloatVector.fromArray(S, c, co + 6 * ldc + 2 * VL)).intoArray(c, co + 6 * ldc + 2 * VL);
            c7_0.add(FloatVector.fromArray(S, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
            c7_1.add(FloatVector.fromArray(S, c, co + 7 * ldc + VL)).intoArray(c, co + 7 * ldc + VL);
            c7_2.add(FloatVector.fromArray(S, c, co + 7 * ldc + 2 * VL)).intoArray(c, co + 7 * ldc + 2 * VL);
        }
    }

    /** 4 rows x 4 vectors (16 accumulator registers). */
    static final class K4x4 implements Sgemm.MicroKernel {
        @Override public int mr() { return 4; }
        @Override public int nr() { return 4 * VL; }
        @Override
        public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c0_2 = FloatVector.zero(S);
            FloatVector c0_3 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c1_2 = FloatVector.zero(S);
            FloatVector c1_3 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c2_2 = FloatVector.zero(S);
            FloatVector c2_3 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            FloatVector c3_2 = FloatVector.zero(S);
            FloatVector c3_3 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 4, b = bo + k * (4 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * VL);
                FloatVector b3 = FloatVector.fromArray(S, bp, b + 3 * VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                c0_2 = a0.fma(b2, c0_2);
                c0_3 = a0.fma(b3, c0_3);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                c1_2 = a1.fma(b2, c1_2);
                c1_3 = a1.fma(b3, c1_3);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                c2_2 = a2.fma(b2, c2_2);
                c2_3 = a2.fma(b3, c2_3);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                c3_2 = a3.fma(b2, c3_2);
                c3_3 = a3.fma(b3, c3_3);
            }
            c0_0.intoArray(c, co + 0 * ldc);
            c0_1.intoArray(c, co + 0 * ldc + VL);
            c0_2.intoArray(c, co + 0 * ldc + 2 * VL);
            c0_3.intoArray(c, co + 0 * ldc + 3 * VL);
            c1_0.intoArray(c, co + 1 * ldc);
            c1_1.intoArray(c, co + 1 * ldc + VL);
            c1_2.intoArray(c, co + 1 * ldc + 2 * VL);
            c1_3.intoArray(c, co + 1 * ldc + 3 * VL);
            c2_0.intoArray(c, co + 2 * ldc);
            c2_1.intoArray(c, co + 2 * ldc + VL);
            c2_2.intoArray(c, co + 2 * ldc + 2 * VL);
            c2_3.intoArray(c, co + 2 * ldc + 3 * VL);
            c3_0.intoArray(c, co + 3 * ldc);
            c3_1.intoArray(c, co + 3 * ldc + VL);
            c3_2.intoArray(c, co + 3 * ldc + 2 * VL);
            c3_3.intoArray(c, co + 3 * ldc + 3 * VL);
        }
        @Override
        public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
            FloatVector c0_0 = FloatVector.zero(S);
            FloatVector c0_1 = FloatVector.zero(S);
            FloatVector c0_2 = FloatVector.zero(S);
            FloatVector c0_3 = FloatVector.zero(S);
            FloatVector c1_0 = FloatVector.zero(S);
            FloatVector c1_1 = FloatVector.zero(S);
            FloatVector c1_2 = FloatVector.zero(S);
            FloatVector c1_3 = FloatVector.zero(S);
            FloatVector c2_0 = FloatVector.zero(S);
            FloatVector c2_1 = FloatVector.zero(S);
            FloatVector c2_2 = FloatVector.zero(S);
            FloatVector c2_3 = FloatVector.zero(S);
            FloatVector c3_0 = FloatVector.zero(S);
            FloatVector c3_1 = FloatVector.zero(S);
            FloatVector c3_2 = FloatVector.zero(S);
            FloatVector c3_3 = FloatVector.zero(S);
            for (int k = 0; k < kc; k++) {
                int a = ao + k * 4, b = bo + k * (4 * VL);
                FloatVector b0 = FloatVector.fromArray(S, bp, b);
                FloatVector b1 = FloatVector.fromArray(S, bp, b + VL);
                FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * VL);
                FloatVector b3 = FloatVector.fromArray(S, bp, b + 3 * VL);
                FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
                c0_0 = a0.fma(b0, c0_0);
                c0_1 = a0.fma(b1, c0_1);
                c0_2 = a0.fma(b2, c0_2);
                c0_3 = a0.fma(b3, c0_3);
                FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
                c1_0 = a1.fma(b0, c1_0);
                c1_1 = a1.fma(b1, c1_1);
                c1_2 = a1.fma(b2, c1_2);
                c1_3 = a1.fma(b3, c1_3);
                FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
                c2_0 = a2.fma(b0, c2_0);
                c2_1 = a2.fma(b1, c2_1);
                c2_2 = a2.fma(b2, c2_2);
                c2_3 = a2.fma(b3, c2_3);
                FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
                c3_0 = a3.fma(b0, c3_0);
                c3_1 = a3.fma(b1, c3_1);
                c3_2 = a3.fma(b2, c3_2);
                c3_3 = a3.fma(b3, c3_3);
            }
            c0_0.add(FloatVector.fromArray(S, c, co + 0 * ldc)).intoArray(c, co + 0 * ldc);
            c0_1.add(FloatVector.fromArray(S, c, co + 0 * ldc + VL)).intoArray(c, co + 0 * ldc + VL);
            c0_2.add(FloatVector.fromArray(S, c, co + 0 * ldc + 2 * VL)).intoArray(c, co + 0 * ldc + 2 * VL);
            c0_3.add(FloatVector.fromArray(S, c, co + 0 * ldc + 3 * VL)).intoArray(c, co + 0 * ldc + 3 * VL);
            c1_0.add(FloatVector.fromArray(S, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
            c1_1.add(FloatVector.fromArray(S, c, co + 1 * ldc + VL)).intoArray(c, co + 1 * ldc + VL);
            c1_2.add(FloatVector.fromArray(S, c, co + 1 * ldc + 2 * VL)).intoArray(c, co + 1 * ldc + 2 * VL);
            c1_3.add(FloatVector.fromArray(S, c, co + 1 * ldc + 3 * VL)).intoArray(c, co + 1 * ldc + 3 * VL);
            c2_0.add(FloatVector.fromArray(S, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
            c2_1.add(FloatVector.fromArray(S, c, co + 2 * ldc + VL)).intoArray(c, co + 2 * ldc + VL);
            c2_2.add(FloatVector.fromArray(S, c, co + 2 * ldc + 2 * VL)).intoArray(c, co + 2 * ldc + 2 * VL);
            c2_3.add(FloatVector.fromArray(S, c, co + 2 * ldc + 3 * VL)).intoArray(c, co + 2 * ldc + 3 * VL);
            c3_0.add(FloatVector.fromArray(S, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
            c3_1.add(FloatVector.fromArray(S, c, co + 3 * ldc + VL)).intoArray(c, co + 3 * ldc + VL);
            c3_2.add(FloatVector.fromArray(S, c, co + 3 * ldc + 2 * VL)).intoArray(c, co + 3 * ldc + 2 * VL);
            c3_3.add(FloatVector.fromArray(S, c, co + 3 * ldc + 3 * VL)).intoArray(c, co + 3 * ldc + 3 * VL);
        }
    }
}
