package dev.sfd.backend.cpu;

/**
 * Plain-Java SGEMM micro-kernel (4 x 16) used when the Vector API is absent. The inner loop over the 16
 * columns is written so C2's auto-vectoriser can use SIMD; the accumulator tile is a per-thread array.
 */
final class ScalarGemmKernel implements Sgemm.MicroKernel {
    static final ScalarGemmKernel INSTANCE = new ScalarGemmKernel();
    private static final int MR = 4, NR = 16;
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[MR * NR]);

    @Override public int mr() { return MR; }

    @Override public int nr() { return NR; }

    @Override
    public void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        float[] acc = product(kc, ap, ao, bp, bo);
        for (int i = 0; i < MR; i++) System.arraycopy(acc, i * NR, c, co + i * ldc, NR);
    }

    @Override
    public void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        float[] acc = product(kc, ap, ao, bp, bo);
        for (int i = 0; i < MR; i++) {
            int r = co + i * ldc, t = i * NR;
            for (int j = 0; j < NR; j++) c[r + j] += acc[t + j];
        }
    }

    private static float[] product(int kc, float[] ap, int ao, float[] bp, int bo) {
        float[] acc = ACC.get();
        java.util.Arrays.fill(acc, 0f);
        for (int k = 0; k < kc; k++) {
            int a = ao + k * MR, b = bo + k * NR;
            for (int i = 0; i < MR; i++) {
                float av = ap[a + i];
                int t = i * NR;
                for (int j = 0; j < NR; j++) acc[t + j] += av * bp[b + j];
            }
        }
        return acc;
    }
}
