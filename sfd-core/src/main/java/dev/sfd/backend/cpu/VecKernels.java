package dev.sfd.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the {@link CpuKernels}; only loaded (reflectively, by {@link VectorSupport}) when the
 * module is present. Vectors stay in local variables and the species is a static final constant so C2
 * keeps them in registers (anything else boxes and runs 10-100x slower).
 */
final class VecKernels extends CpuKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final Sgemm.MicroKernel GEMM = pick(System.getProperty("sfd.gemm.kernel", "8x2"));

    @Override boolean vectorized() { return true; }

    @Override Sgemm.MicroKernel sgemmKernel() { return GEMM; }

    static Sgemm.MicroKernel pick(String name) {
        switch (name) {
            case "6x2": return new VecGemmKernels.K6x2();
            case "12x2": return new VecGemmKernels.K12x2();
            case "8x3": return new VecGemmKernels.K8x3();
            case "4x4": return new VecGemmKernels.K4x4();
            case "8x2": return new VecGemmKernels.K8x2();
            default: throw new IllegalArgumentException("unknown -Dsfd.gemm.kernel=" + name + " (6x2, 8x2, 12x2, 8x3, 4x4)");
        }
    }

    @Override
    float sum(float[] x, int off, int len) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
        }
        for (; i + L <= len; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) s += x[off + i];
        return s;
    }

    @Override
    void addInPlace(float[] y, int yo, float[] x, int xo, int len) {
        int i = 0;
        for (int n = S.loopBound(len); i < n; i += L) {
            FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] += x[xo + i];
    }
}
