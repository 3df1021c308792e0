package dev.sfd.backend.cpu;

import java.util.Arrays;

/**
 * FLOAT64 GEMM for gradient checks and samplers: row-oriented axpy form ({@code C[i,:] += A[i,k] * B[k,:]}) whose
 * inner loop C2 auto-vectorises; B is transposed into a scratch copy when transB. Parallel over rows of C.
 * Correct on every shape; not tuned (FLOAT64 is never on a training hot path).
 */
final class Dgemm {
    private Dgemm() {}

    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                     double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        final double[] bb;
        final int bo, lb;
        if (transB && k > 0) {
            bb = new double[k * n];
            for (int j = 0; j < n; j++) for (int kk = 0; kk < k; kk++) bb[kk * n + j] = b[bOff + j * ldb + kk];
            bo = 0;
            lb = n;
        } else {
            bb = b;
            bo = bOff;
            lb = ldb;
        }
        int grain = (int) Math.max(1, 200_000L / Math.max(1L, (long) n * Math.max(1, k)));
        Parallel.parallelFor(m, grain, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int cr = cOff + i * ldc;
                if (beta == 0) Arrays.fill(c, cr, cr + n, 0.0);
                else if (beta != 1) for (int j = 0; j < n; j++) c[cr + j] *= beta;
                for (int kk = 0; kk < k; kk++) {
                    double av = alpha * (transA ? a[aOff + kk * lda + i] : a[aOff + i * lda + kk]);
                    int br = bo + kk * lb;
                    for (int j = 0; j < n; j++) c[cr + j] += av * bb[br + j];
                }
            }
        });
    }
}
