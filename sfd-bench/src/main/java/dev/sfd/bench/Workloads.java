package dev.sfd.bench;

import dev.sfd.backend.Backend;
import dev.sfd.tensor.Tensor;
import java.util.Random;
import org.bytedeco.openblas.global.openblas;

/**
 * The benchmarked operations, shared by the JMH benchmarks and {@code sfd bench}: ours through the public
 * backend SPI, and the OpenBLAS reference as the GEMM with the same FLOPs (javacpp's openblas preset).
 */
public final class Workloads {
    private Workloads() {}

    /** Sets OpenBLAS to {@code threads} threads (so both sides use the same number of cores). */
    public static void openblasThreads(int threads) { openblas.blas_set_num_threads(threads); }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** Square SGEMM n x n x n. */
    public static final class Gemm {
        public final int n;
        final float[] a, b, c, cRef;
        final Tensor ta, tb, tc;

        public Gemm(int n) {
            this.n = n;
            Random r = new Random(n);
            a = random(r, n * n);
            b = random(r, n * n);
            c = new float[n * n];
            cRef = new float[n * n];
            ta = Tensor.wrap(a, 1, n, n);
            tb = Tensor.wrap(b, 1, n, n);
            tc = Tensor.wrap(c, 1, n, n);
        }

        public double flops() { return 2.0 * n * n * n; }

        public void ours(Backend be) { be.matmul(ta, tb, tc, false, false, 1.0, 0.0); }

        public void openblas() {
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, cRef, n);
        }

        /** Largest |ours - OpenBLAS| relative to the largest |OpenBLAS| element, after one call of each. */
        public double relativeDifference(Backend be) {
            ours(be);
            openblas();
            double d = 0, m = 0;
            for (int i = 0; i < c.length; i++) {
                d = Math.max(d, Math.abs(c[i] - cRef[i]));
                m = Math.max(m, Math.abs(cRef[i]));
            }
            return d / Math.max(m, 1e-30);
        }
    }

    /**
     * conv2d 3x3, padding 1, batch x c x hw x hw to c channels (SongUNet's shape). The OpenBLAS reference is the
     * GEMM-equivalent: one sgemm with the same M, N, K as the im2col formulation over the whole batch
     * (forward: Co x (N*P) x 9Ci; backward: data Ci x (N*P) x 9Co plus weight Co x 9Ci x (N*P)), without the
     * im2col itself, so it is an upper bound for any im2col + OpenBLAS implementation.
     */
    public static final class Conv3x3 {
        public final int batch, channels, hw;
        final Tensor x, w, bias, out, gOut, gX, gW, gB;
        final float[] gemmA, gemmB, gemmC, gemmW;

        public Conv3x3(int batch, int channels, int hw) {
            this.batch = batch;
            this.channels = channels;
            this.hw = hw;
            Random r = new Random(channels);
            int c = channels, p = hw * hw;
            x = Tensor.wrap(random(r, batch * c * p), batch, c, hw, hw);
            w = Tensor.wrap(random(r, c * c * 9), c, c, 3, 3);
            bias = Tensor.wrap(random(r, c), c);
            out = Tensor.wrap(new float[batch * c * p], batch, c, hw, hw);
            gOut = Tensor.wrap(random(r, batch * c * p), batch, c, hw, hw);
            gX = Tensor.wrap(new float[batch * c * p], batch, c, hw, hw);
            gW = Tensor.wrap(new float[c * c * 9], c, c, 3, 3);
            gB = Tensor.wrap(new float[c], c);
            gemmA = random(r, c * 9 * c);
            gemmB = random(r, 9 * c * batch * p);
            gemmC = new float[c * batch * p];
            gemmW = new float[c * 9 * c];
        }

        public double forwardFlops() { return 2.0 * batch * channels * hw * hw * channels * 9; }

        public double backwardFlops() { return 2 * forwardFlops(); }

        public void forward(Backend be) { be.conv2d(x, w, bias, 1, out); }

        public void backward(Backend be) {
            be.conv2dBackwardData(gOut, w, 1, gX);
            be.conv2dBackwardWeight(x, gOut, 1, gW, gB);
        }

        public void forwardOpenblas() {
            int m = channels, n = batch * hw * hw, k = 9 * channels;
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, m, n, k, 1f, gemmA, k, gemmB, n, 0f, gemmC, n);
        }

        public void backwardOpenblas() {
            int c = channels, n = batch * hw * hw, k = 9 * c;
            // data: (9Ci x Co)^T-free form Ci x N*P x 9Co; weight: Co x 9Ci x N*P with the column matrix transposed
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, c, n, k, 1f, gemmA, k, gemmB, n, 0f, gemmC, n);
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasTrans, c, k, n, 1f, gemmC, n, gemmB, n, 0f, gemmW, k);
        }
    }
}
