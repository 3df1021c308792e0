package dev.sfd.backend.cpu;

import dev.sfd.tensor.CpuStorage;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * The fast CPU backend: Vector API kernels on the hot paths, parallel on one fork-join pool ({@link Parallel}),
 * falling back to the scalar {@link ReferenceBackend} kernels elsewhere (FLOAT64, unusual layouts) and to
 * plain-Java kernels when {@code jdk.incubator.vector} is absent ({@link VectorSupport}).
 */
public class CpuBackend extends ReferenceBackend {
    final CpuKernels k;

    public CpuBackend() { this(true); }

    /** {@code allowVector = false} forces the plain-Java kernels (tests compare both paths). */
    public CpuBackend(boolean allowVector) { this.k = VectorSupport.kernels(allowVector); }

    @Override
    public String name() { return "cpu"; }

    /** True when this instance runs the Vector API kernels. */
    public boolean vectorized() { return k.vectorized(); }

    static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f; }

    static double[] d(Tensor t) { return ((CpuStorage) t.storage()).d; }

    /** Dense, or empty at offset 0 (Tensor.isDense is false for some empty shapes). */
    static boolean dense(Tensor t) { return t.isDense() || (t.numel() == 0 && t.offset() == 0); }

    static boolean f32(Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) continue;
            if (t.dtype() != DType.FLOAT32 || !dense(t) || !(t.storage() instanceof CpuStorage)) return false;
        }
        return true;
    }

    static boolean f64(Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) continue;
            if (t.dtype() != DType.FLOAT64 || !dense(t) || !(t.storage() instanceof CpuStorage)) return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta) {
        int[] as = a.shape(), bs = b.shape(), cs = c.shape();
        if (as.length < 2 || as.length > 3 || bs.length < 2 || bs.length > 3 || cs.length < 2 || cs.length > 3) {
            super.matmul(a, b, c, transA, transB, alpha, beta);
            return;
        }
        boolean single = f32(a, b, c);
        if (!single && !f64(a, b, c)) {
            super.matmul(a, b, c, transA, transB, alpha, beta);
            return;
        }
        int ra = as.length, rb = bs.length, rc = cs.length;
        int batch = rc == 3 ? cs[0] : 1;
        int m = cs[rc - 2], n = cs[rc - 1];
        int kdim = transA ? as[ra - 2] : as[ra - 1];
        int lda = as[ra - 1], ldb = bs[rb - 1];
        int ba = ra == 3 ? as[0] : 1, bb = rb == 3 ? bs[0] : 1;
        long aStride = ba == 1 ? 0 : (long) m * kdim, bStride = bb == 1 ? 0 : (long) kdim * n, cStride = (long) m * n;
        if (!single) {
            double[] ad = d(a), bd = d(b), cd = d(c);
            for (int i = 0; i < batch; i++) {
                Dgemm.gemm(transA, transB, m, n, kdim, alpha, ad, (int) (i * aStride), lda, bd, (int) (i * bStride), ldb,
                        beta, cd, (int) (i * cStride), n);
            }
            return;
        }
        float[] af = f(a), bf = f(b), cf = f(c);
        float fa = (float) alpha, fb = (float) beta;
        Sgemm.MicroKernel mk = k.sgemmKernel();
        int chunks = Conv.batchChunks(batch, 2.0 * m * n * kdim);
        Parallel.RangeBody body = (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                Sgemm.gemm(mk, transA, transB, m, n, kdim, fa, af, (int) (i * aStride), lda, bf, (int) (i * bStride), ldb,
                        fb, cf, (int) (i * cStride), n);
            }
        };
        if (chunks > 1) Parallel.forChunks(batch, chunks, body);
        else body.run(0, batch);
    }

    // ------------------------------------------------------------------ convolution

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, int pad, Tensor out) {
        if (!f32(x, w, bias, out)) {
            super.conv2d(x, w, bias, pad, out);
            return;
        }
        int[] xs = x.shape(), ws = w.shape();
        Conv.forward(k, f(x), xs[0], xs[1], xs[2], xs[3], f(w), ws[0], ws[2], bias == null ? null : f(bias), pad, f(out));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, int pad, Tensor gradX) {
        if (!f32(gradOut, w, gradX)) {
            super.conv2dBackwardData(gradOut, w, pad, gradX);
            return;
        }
        int[] gs = gradOut.shape(), ws = w.shape();
        Conv.backwardData(k, f(gradOut), gs[0], gs[1], gs[2], gs[3], f(w), ws[1], ws[2], pad, f(gradX));
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias) {
        if (!f32(x, gradOut, gradW, gradBias)) {
            super.conv2dBackwardWeight(x, gradOut, pad, gradW, gradBias);
            return;
        }
        int[] xs = x.shape(), ws = gradW.shape();
        Conv.backwardWeight(k, f(x), xs[0], xs[1], xs[2], xs[3], f(gradOut), ws[0], ws[2], pad, f(gradW),
                gradBias == null ? null : f(gradBias));
    }
}
