package dev.sfd.backend.cpu;

import java.util.Arrays;

/**
 * FLOAT32 2-D convolution (stride 1, zero padding, NCHW, weights [Co, Ci, K, K]).
 *
 * <ul>
 *   <li>K x K kernels (and 1x1 with padding) run as direct convolutions over a zero-padded copy of the input
 *       ({@link DirectConv}), with no column matrix.</li>
 *   <li>1x1 kernels without padding are plain GEMMs: {@code out[n] (Co x P) = W (Co x Ci) @ x[n] (Ci x P)}.</li>
 *   <li>backward-data: the forward convolution of gradOut with the flipped, channel-transposed kernel and
 *       padding K-1-pad; padding larger than K-1 (rare) takes a GEMM + col2im scatter instead.</li>
 *   <li>backward-weight: fixed groups of samples each summed into their own buffer, then the groups in order,
 *       so the result does not depend on the thread count.</li>
 * </ul>
 */
final class Conv {
    private Conv() {}

    /** Backward-weight sums the batch in this many fixed groups (independent of the thread count). */
    static final int WEIGHT_GROUPS = 8;

    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> FLIP = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] flipBuffer(int size) {
        float[][] h = FLIP.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    /** Per calling thread: one partial gradW buffer per sample group (owned by the caller, written by the workers). */
    private static final ThreadLocal<float[][]> PARTIAL = ThreadLocal.withInitial(() -> new float[0][]);

    static float[] colBuffer(int size) {
        float[][] h = COL.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    static float[][] partialBuffers(int chunks, int size) {
        float[][] h = PARTIAL.get();
        if (h.length < chunks) {
            h = Arrays.copyOf(h, chunks);
            PARTIAL.set(h);
        }
        for (int c = 0; c < chunks; c++) if (h[c] == null || h[c].length < size) h[c] = new float[size];
        return h;
    }

    /**
     * Whether to spread a batch of {@code n} items of {@code flopsPerItem} each over the threads (each item's
     * GEMM then runs on one thread) rather than run items one after another with a parallel GEMM: yes when
     * the batch keeps every thread busy to the end (it divides evenly or is large) and is worth a region.
     */
    static boolean batchParallel(int n, double flopsPerItem) {
        int t = Parallel.threads();
        if (t <= 1 || n <= 1 || Parallel.inRegion()) return false;
        if (n % t != 0 && n < 4 * t) return false;
        return flopsPerItem * n >= 2.0 * Sgemm.PARALLEL_FLOPS;
    }

    /** Runs every item, dynamically scheduled over the threads when {@code parallel}, else in order on this thread. */
    static void forItems(int n, boolean parallel, Parallel.ItemBody body) {
        if (parallel) Parallel.forDynamic(n, Parallel.threads(), body);
        else for (int i = 0; i < n; i++) body.run(0, i);
    }

    static void forward(CpuKernels k, float[] x, int n, int ci, int h, int w, float[] wt, int co, int ks, float[] bias,
                        int pad, float[] out) {
        if (ks != 1 || pad != 0) {
            DirectConv.forward(k.convTile(), x, n, ci, h, w, wt, co, ks, bias, pad, out);
            return;
        }
        // 1x1 without padding: the input planes are the column matrix
        int p = h * w;
        Sgemm.MicroKernel mk = k.sgemmKernel();
        forItems(n, batchParallel(n, 2.0 * co * p * ci), (worker, s) -> {
            int xo = s * ci * p, oo = s * co * p;
            float beta = 0f;
            if (bias != null) {
                for (int c = 0; c < co; c++) Arrays.fill(out, oo + c * p, oo + (c + 1) * p, bias[c]);
                beta = 1f;
            }
            Sgemm.gemm(mk, false, false, co, p, ci, 1f, wt, 0, ci, x, xo, p, beta, out, oo, p);
        });
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
        Sgemm.MicroKernel mk = k.sgemmKernel();
        forItems(n, batchParallel(n, 2.0 * co * p * kk), (worker, s) -> {
            float[] col = colBuffer(kk * p);
            Sgemm.gemm(mk, true, false, kk, p, co, 1f, wt, 0, kk, gradOut, s * co * p, p, 0f, col, 0, p);
            int xo = s * ci * h * w;
            Arrays.fill(gradX, xo, xo + ci * h * w, 0f);
            col2im(k, col, ci, h, w, ks, pad, ho, wo, gradX, xo);
        });
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
        if (ks != 1 || pad != 0) {
            DirectConv.backwardWeight(k.convTile(), k, x, n, ci, h, w, gradOut, co, ks, pad, gradW);
        } else {
            backwardWeight1x1(k, x, n, ci, h * w, gradOut, co, gradW);
        }
        if (gradBias != null) {
            int p = (h + 2 * pad - ks + 1) * (w + 2 * pad - ks + 1);
            for (int o = 0; o < co; o++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += k.sum(gradOut, (b * co + o) * p, p);
                gradBias[o] = (float) s;
            }
        }
    }

    /**
     * Fixed groups of consecutive samples, each summed into its own buffer in sample order, then the groups in
     * group order: the result is bitwise the same for any thread count and any schedule (resumed runs and
     * determinism tests rely on that). Returns the number of groups used; {@code perGroup[0]} receives the size.
     */
    static int weightGroups(int n, int[] perGroup) {
        int groups = Math.min(n, WEIGHT_GROUPS), per = groups == 0 ? 0 : (n + groups - 1) / groups;
        perGroup[0] = per;
        return per == 0 ? 0 : (n + per - 1) / per;
    }

    /** Sums the group partials in group order into gradW (zero when there are no samples). */
    static void sumGroups(CpuKernels k, float[][] partial, int usedGroups, float[] gradW, int wsize) {
        if (usedGroups == 0) Arrays.fill(gradW, 0, wsize, 0f);
        else System.arraycopy(partial[0], 0, gradW, 0, wsize);
        for (int g = 1; g < usedGroups; g++) k.addInPlace(gradW, 0, partial[g], 0, wsize);
    }

    /** gradW (Co x Ci) = sum_n gradOut[n] (Co x P) @ x[n]^T for a 1x1 convolution without padding. */
    private static void backwardWeight1x1(CpuKernels k, float[] x, int n, int ci, int p, float[] gradOut, int co, float[] gradW) {
        Sgemm.MicroKernel mk = k.sgemmKernel();
        int wsize = co * ci;
        int[] per = new int[1];
        int usedGroups = weightGroups(n, per);
        int perGroup = per[0];
        float[][] partial = partialBuffers(usedGroups, wsize);
        forItems(usedGroups, batchParallel(usedGroups, 2.0 * co * p * ci * perGroup), (worker, g) -> {
            float[] acc = partial[g];
            int s0 = g * perGroup, s1 = Math.min(n, s0 + perGroup);
            for (int s = s0; s < s1; s++) {
                Sgemm.gemm(mk, false, true, co, ci, p, 1f, gradOut, s * co * p, p, x, s * ci * p, p, s == s0 ? 0f : 1f, acc, 0, ci);
            }
        });
        sumGroups(k, partial, usedGroups, gradW, wsize);
    }
}
