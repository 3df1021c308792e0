package dev.sfd.bench;

import dev.sfd.backend.Backend;
import dev.sfd.tensor.Tensor;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The benchmarked operations, shared by the JMH benchmarks and {@code sfd bench}: ours through the public
 * backend SPI on heap arrays, and the OpenBLAS reference (javacpp's openblas preset) on native buffers
 * allocated once. (Passing {@code float[]} to the preset would copy every array in and out on each call,
 * which would slow OpenBLAS down unfairly.)
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

    static FloatPointer nativeCopy(float[] x) {
        FloatPointer p = new FloatPointer(x.length);
        p.put(x);
        return p;
    }

    /** A view of {@code base} starting {@code offset} elements in (no copy). */
    static FloatPointer at(FloatPointer base, long offset) { return new FloatPointer(base).position(offset); }

    /** Square SGEMM n x n x n. */
    public static final class Gemm {
        public final int n;
        final float[] c;
        final Tensor ta, tb, tc;
        final FloatPointer pa, pb, pc;

        public Gemm(int n) {
            this.n = n;
            Random r = new Random(n);
            float[] a = random(r, n * n), b = random(r, n * n);
            c = new float[n * n];
            ta = Tensor.wrap(a, 1, n, n);
            tb = Tensor.wrap(b, 1, n, n);
            tc = Tensor.wrap(c, 1, n, n);
            pa = nativeCopy(a);
            pb = nativeCopy(b);
            pc = new FloatPointer((long) n * n);
        }

        public double flops() { return 2.0 * n * n * n; }

        public void ours(Backend be) { be.matmul(ta, tb, tc, false, false, 1.0, 0.0); }

        public void openblas() {
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
        }

        /** Largest |ours - OpenBLAS| relative to the largest |OpenBLAS| element, after one call of each. */
        public double relativeDifference(Backend be) {
            ours(be);
            openblas();
            float[] ref = new float[n * n];
            pc.position(0).get(ref);
            double d = 0, m = 0;
            for (int i = 0; i < c.length; i++) {
                d = Math.max(d, Math.abs(c[i] - ref[i]));
                m = Math.max(m, Math.abs(ref[i]));
            }
            return d / Math.max(m, 1e-30);
        }
    }

    /**
     * conv2d 3x3, padding 1, batch x c x hw x hw to c channels (SongUNet's shape). The OpenBLAS reference is the
     * GEMM part of an im2col + OpenBLAS convolution: per sample, sgemm with the im2col formulation's M, N, K
     * (forward Co x P x 9Ci; backward data 9Ci x P x Co plus weight Co x 9Ci x P accumulated over the batch),
     * on prepared column matrices, without the im2col/col2im work itself, so an upper bound for that design.
     * FLOPs are the convolution's (forward 2 N Co Ci 9 P, backward twice that).
     */
    public static final class Conv3x3 {
        public final int batch, channels, hw;
        final Tensor x, w, bias, out, gOut, gX, gW, gB;
        final FloatPointer wMat, col, outMat, gradCol, gradW;

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
            wMat = nativeCopy(random(r, c * 9 * c));
            col = nativeCopy(random(r, 9 * c * p));
            outMat = nativeCopy(random(r, batch * c * p));
            gradCol = new FloatPointer(9L * c * p);
            gradW = new FloatPointer(9L * c * c);
        }

        public double forwardFlops() { return 2.0 * batch * channels * hw * hw * channels * 9; }

        public double backwardFlops() { return 2 * forwardFlops(); }

        public void forward(Backend be) { be.conv2d(x, w, bias, 1, out); }

        public void backward(Backend be) {
            be.conv2dBackwardData(gOut, w, 1, gX);
            be.conv2dBackwardWeight(x, gOut, 1, gW, gB);
        }

        /** The weight (and bias) gradient alone. */
        public void backwardWeight(Backend be) { be.conv2dBackwardWeight(x, gOut, 1, gW, gB); }

        public void forwardOpenblas() {
            int m = channels, n = hw * hw, k = 9 * channels;
            for (int s = 0; s < batch; s++) {
                openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, m, n, k, 1f,
                        wMat, k, col, n, 0f, at(outMat, (long) s * m * n), n);
            }
        }

        public void backwardOpenblas() {
            int c = channels, n = hw * hw, k = 9 * c;
            for (int s = 0; s < batch; s++) {
                FloatPointer g = at(outMat, (long) s * c * n);
                // data: col-gradient (9Ci x P) = W^T (9Ci x Co) @ gradOut[s] (Co x P), then col2im (not timed)
                openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasTrans, openblas.CblasNoTrans, k, n, c, 1f,
                        wMat, k, g, n, 0f, gradCol, n);
                // weight: gradW (Co x 9Ci) += gradOut[s] (Co x P) @ col^T (P x 9Ci)
                openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasTrans, c, k, n, 1f,
                        g, n, col, n, s == 0 ? 0f : 1f, gradW, k);
            }
        }
    }
}
