package dev.sfd.backend.cpu;

import java.util.Arrays;

/**
 * FLOAT32 2-D convolution (stride 1, zero padding, NCHW, weights [Co, Ci, K, K]) as im2col + {@link Sgemm}.
 *
 * <ul>
 *   <li>forward: {@code out[n] (Co x P) = W (Co x Ci*K*K) @ col[n] (Ci*K*K x P)}, P = Ho*Wo; with K = 1 and no
 *       padding the input itself is the column matrix (no im2col).</li>
 *   <li>backward-data: the forward convolution of gradOut with the flipped, channel-transposed kernel and
 *       padding K-1-pad (so it reuses im2col + GEMM with a long inner dimension instead of a col2im scatter).</li>
 *   <li>backward-weight: {@code gradW (Co x Ci*K*K) = sum_n gradOut[n] (Co x P) @ col[n]^T}; each parallel
 *       chunk of the batch accumulates into its own buffer, summed at the end.</li>
 * </ul>
 * The batch is split over threads when it divides evenly or is large (then each GEMM runs on one thread);
 * otherwise samples run one after another with a parallel GEMM. The column buffer is per thread and reused.
 */
final class Conv {
    private Conv() {}

    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> FLIP = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] flipBuffer(int size) {
        float[][] h = FLIP.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    /** Per calling thread: one partial gradW buffer per parallel chunk (owned by the caller, written by workers). */
    private static final ThreadLocal<float[][]> PARTIAL = ThreadLocal.withInitial(() -> new float[0][]);

    static float[] colBuffer(int size) {
        float[][] h = COL.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    private static float[][] partialBuffers(int chunks, int size) {
        float[][] h = PARTIAL.get();
        if (h.length < chunks) {
            h = Arrays.copyOf(h, chunks);
            PARTIAL.set(h);
        }
        for (int c = 1; c < chunks; c++) if (h[c] == null || h[c].length < size) h[c] = new float[size];
        return h;
    }

    /** How many chunks to split a batch of {@code n} items of {@code flopsPerItem} each into (1 = GEMM-internal parallelism). */
    static int batchChunks(int n, double flopsPerItem) {
        int t = Parallel.threads();
        if (t <= 1 || n <= 1 || Parallel.inRegion()) return 1;
        if (n % t != 0 && n < 4 * t) return 1;
        int grain = (int) Math.max(1, Math.ceil(Sgemm.PARALLEL_FLOPS / Math.max(1.0, flopsPerItem)));
        return Parallel.chunks(n, grain);
    }

    static void forward(CpuKernels k, float[] x, int n, int ci, int h, int w, float[] wt, int co, int ks, float[] bias,
                        int pad, float[] out) {
        int ho = h + 2 * pad - ks + 1, wo = w + 2 * pad - ks + 1;
        int p = ho * wo, kk = ci * ks * ks;
        boolean direct = ks == 1 && pad == 0;
        double flops = 2.0 * co * p * kk;
        int chunks = batchChunks(n, flops);
        Sgemm.MicroKernel mk = k.sgemmKernel();
        Parallel.RangeBody body = (n0, n1) -> {
            float[] col = direct ? null : colBuffer(kk * p);
            for (int s = n0; s < n1; s++) {
                int xo = s * ci * h * w, oo = s * co * p;
                float beta = 0f;
                if (bias != null) {
                    for (int c = 0; c < co; c++) Arrays.fill(out, oo + c * p, oo + (c + 1) * p, bias[c]);
                    beta = 1f;
                }
                if (direct) {
                    Sgemm.gemm(mk, false, false, co, p, kk, 1f, wt, 0, kk, x, xo, p, beta, out, oo, p);
                } else {
                    im2col(x, xo, ci, h, w, ks, pad, ho, wo, col);
                    Sgemm.gemm(mk, false, false, co, p, kk, 1f, wt, 0, kk, col, 0, p, beta, out, oo, p);
                }
            }
        };
        if (chunks > 1) Parallel.forChunks(n, chunks, body);
        else body.run(0, n);
    }

    static void backwardData(CpuKernels k, float[] gradOut, int n, int co, int ho, int wo, float[] wt, int ci, int ks,
                             int pad, float[] gradX) {
        int tpad = ks - 1 - pad;
        if (tpad < 0) {
            backwardDataCol2im(k, gradOut, n, co, ho, wo, wt, ci, ks, pad, gradX);
            return;
        }
        // wT[ci][co][kh][kw] = w[co][ci][K-1-kh][K-1-kw]
        int k2 = ks * ks;
        float[] flipped = flipBuffer(ci * co * k2);
        for (int o = 0; o < co; o++) {
            for (int i = 0; i < ci; i++) {
                int src = (o * ci + i) * k2, dst = (i * co + o) * k2;
                for (int t = 0; t < k2; t++) flipped[dst + t] = wt[src + k2 - 1 - t];
            }
        }
        forward(k, gradOut, n, co, ho, wo, flipped, ci, ks, null, tpad, gradX);
    }

    /** Padding larger than K-1 (rare): col = W^T @ gradOut[n], then scatter-add the columns back (col2im). */
    private static void backwardDataCol2im(CpuKernels k, float[] gradOut, int n, int co, int ho, int wo, float[] wt, int ci,
                                           int ks, int pad, float[] gradX) {
        int h = ho - 2 * pad + ks - 1, w = wo - 2 * pad + ks - 1;
        int p = ho * wo, kk = ci * ks * ks;
        int chunks = batchChunks(n, 2.0 * co * p * kk);
        Sgemm.MicroKernel mk = k.sgemmKernel();
        Parallel.RangeBody body = (n0, n1) -> {
            float[] col = colBuffer(kk * p);
            for (int s = n0; s < n1; s++) {
                Sgemm.gemm(mk, true, false, kk, p, co, 1f, wt, 0, kk, gradOut, s * co * p, p, 0f, col, 0, p);
                int xo = s * ci * h * w;
                Arrays.fill(gradX, xo, xo + ci * h * w, 0f);
                col2im(k, col, ci, h, w, ks, pad, ho, wo, gradX, xo);
            }
        };
        if (chunks > 1) Parallel.forChunks(n, chunks, body);
        else body.run(0, n);
    }

    /** x[c][oh + kh - pad][ow + kw - pad] += col[(c*K + kh)*K + kw][oh*Wo + ow] for positions inside x. */
    static void col2im(CpuKernels k, float[] col, int c, int h, int w, int ks, int pad, int ho, int wo, float[] x, int xOff) {
        int p = ho * wo;
        for (int ch = 0; ch < c; ch++) {
            int plane = xOff + ch * h * w;
            for (int kh = 0; kh < ks; kh++) {
                for (int kw = 0; kw < ks; kw++) {
                    int row = ((ch * ks + kh) * ks + kw) * p;
                    int lo = Math.max(0, pad - kw), hi = Math.min(wo, w + pad - kw);
                    if (hi <= lo) continue;
                    for (int oh = 0; oh < ho; oh++) {
                        int ih = oh + kh - pad;
                        if (ih < 0 || ih >= h) continue;
                        k.addInPlace(x, plane + ih * w + lo + kw - pad, col, row + oh * wo + lo, hi - lo);
                    }
                }
            }
        }
    }

    static void backwardWeight(CpuKernels k, float[] x, int n, int ci, int h, int w, float[] gradOut, int co, int ks,
                               int pad, float[] gradW, float[] gradBias) {
        int ho = h + 2 * pad - ks + 1, wo = w + 2 * pad - ks + 1;
        int p = ho * wo, kk = ci * ks * ks;
        boolean direct = ks == 1 && pad == 0;
        double flops = 2.0 * co * p * kk;
        int chunks = batchChunks(n, flops);
        Sgemm.MicroKernel mk = k.sgemmKernel();
        int wsize = co * kk;
        float[][] partial = partialBuffers(chunks, wsize);
        Parallel.RangeBody body = (c0, c1) -> {
            for (int chunk = c0; chunk < c1; chunk++) {
                int n0 = (int) ((long) n * chunk / chunks), n1 = (int) ((long) n * (chunk + 1) / chunks);
                float[] acc = chunk == 0 ? gradW : partial[chunk];
                float[] col = direct ? null : colBuffer(kk * p);
                for (int s = n0; s < n1; s++) {
                    int xo = s * ci * h * w, go = s * co * p;
                    float beta = s == n0 ? 0f : 1f;
                    if (direct) {
                        Sgemm.gemm(mk, false, true, co, kk, p, 1f, gradOut, go, p, x, xo, p, beta, acc, 0, kk);
                    } else {
                        im2col(x, xo, ci, h, w, ks, pad, ho, wo, col);
                        Sgemm.gemm(mk, false, true, co, kk, p, 1f, gradOut, go, p, col, 0, p, beta, acc, 0, kk);
                    }
                }
            }
        };
        if (chunks > 1) Parallel.forChunks(chunks, chunks, body);
        else body.run(0, 1);
        for (int c = 1; c < chunks; c++) k.addInPlace(gradW, 0, partial[c], 0, wsize);
        if (n == 0) Arrays.fill(gradW, 0, wsize, 0f);
        if (gradBias != null) {
            for (int o = 0; o < co; o++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += k.sum(gradOut, (b * co + o) * p, p);
                gradBias[o] = (float) s;
            }
        }
    }

    /** col[(c*K + kh)*K + kw][oh*Wo + ow] = x[c][oh + kh - pad][ow + kw - pad] (0 outside). */
    static void im2col(float[] x, int xOff, int c, int h, int w, int ks, int pad, int ho, int wo, float[] col) {
        int p = ho * wo;
        for (int ch = 0; ch < c; ch++) {
            int plane = xOff + ch * h * w;
            for (int kh = 0; kh < ks; kh++) {
                for (int kw = 0; kw < ks; kw++) {
                    int row = ((ch * ks + kh) * ks + kw) * p;
                    int lo = Math.max(0, pad - kw), hi = Math.min(wo, w + pad - kw);
                    for (int oh = 0; oh < ho; oh++) {
                        int d = row + oh * wo;
                        int ih = oh + kh - pad;
                        if (ih < 0 || ih >= h || hi <= lo) {
                            Arrays.fill(col, d, d + wo, 0f);
                            continue;
                        }
                        if (lo > 0) Arrays.fill(col, d, d + lo, 0f);
                        System.arraycopy(x, plane + ih * w + lo + kw - pad, col, d + lo, hi - lo);
                        if (hi < wo) Arrays.fill(col, d + hi, d + wo, 0f);
                    }
                }
            }
        }
    }
}
