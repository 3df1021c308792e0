package dev.sfd.backend.cpu;

/**
 * The FLOAT32 hot-path kernels of {@link CpuBackend} over heap arrays, in plain Java (loops shaped for C2's
 * auto-vectoriser). {@code VecKernels} overrides them with Vector API code when {@code jdk.incubator.vector}
 * is present; this class must never reference vector types.
 */
class CpuKernels {
    static final CpuKernels SCALAR = new CpuKernels();

    /** True for the Vector API implementation. */
    boolean vectorized() { return false; }

    /** The SGEMM micro-kernel. */
    Sgemm.MicroKernel sgemmKernel() { return ScalarGemmKernel.INSTANCE; }

    /** Sum of {@code x[off, off+len)} (four partial sums; C2 does not vectorise ordered float reductions). */
    float sum(float[] x, int off, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < len; i++) s0 += x[off + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code y[yo + i] += x[xo + i]}. */
    void addInPlace(float[] y, int yo, float[] x, int xo, int len) {
        for (int i = 0; i < len; i++) y[yo + i] += x[xo + i];
    }
}
