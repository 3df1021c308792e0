package dev.sfd.backend.cpu;

import java.util.Arrays;

/**
 * Direct FLOAT32 convolution (stride 1, any kernel size and padding) without a column matrix: the input is
 * copied once into zero-padded planes of {@code Hp x Wp}, and {@link ConvTile}s compute "wide" output rows of
 * the padded width, where each kernel tap is a constant shift of the input (see {@link ConvTile}). Compared
 * with im2col + GEMM this skips writing and re-packing a matrix {@code K*K} times the input, which for the
 * small channel counts of the Fashion-MNIST networks cost about as much as the multiply itself.
 *
 * <ul>
 *   <li>forward: work items are (sample, block of output channels); each computes its wide rows into a
 *       per-thread buffer and copies the valid columns (plus bias) out.</li>
 *   <li>backward-data is the forward convolution of the gradient with the flipped, transposed kernel
 *       ({@link Conv#backwardData}).</li>
 *   <li>backward-weight: the gradient is copied into wide rows with zeros in the thrown-away columns; items are
 *       (sample group, block of output channels), each reducing over all positions of its group; groups are
 *       fixed and summed in order, so results do not depend on the thread count.</li>
 * </ul>
 * Buffers belong to the calling thread (padded input, wide gradient, packed weights) or to the worker (wide
 * output, lane scratch) and are reused across calls.
 */
final class DirectConv {
    private DirectConv() {}

    private static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> WIDE_GRAD = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> PACKED = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> WIDE_OUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> SCRATCH_ALL = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * Loop order of the weight gradient: samples outermost (default), or {@code -Dsfd.conv.weight.order=channel}
     * for the earlier order (input channel and tap outermost, samples inside the tile call), kept to measure the
     * two side by side. Both give the same bits. Read per call, so a benchmark can switch it between runs.
     */
    static boolean sampleOuter() { return !"channel".equals(System.getProperty("sfd.conv.weight.order")); }

    private static float[] buffer(ThreadLocal<float[][]> tl, int size) {
        float[][] h = tl.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    private static int roundUp(int v, int m) { return (v + m - 1) / m * m; }

    /**
     * Extra zeros after every buffer a tile streams through, so that C2's hoisted range checks (loop
     * predicates, which may assume a whole extra vector) never fail and deoptimise the kernels.
     */
    private static final int SLACK = 128;

    /** Geometry of one call: padded planes, wide rows and the per-sample strides of the padded buffer. */
    private static final class Geometry {
        final int n, ci, h, w, ks, pad, hp, wp, ho, wo, plane, xStride, qLen, qPad;

        Geometry(int n, int ci, int h, int w, int ks, int pad, int nr) {
            this.n = n;
            this.ci = ci;
            this.h = h;
            this.w = w;
            this.ks = ks;
            this.pad = pad;
            hp = h + 2 * pad;
            wp = w + 2 * pad;
            ho = hp - ks + 1;
            wo = wp - ks + 1;
            plane = hp * wp;
            xStride = ci * plane;
            qLen = ho * wp;
            qPad = roundUp(qLen, nr);
        }

        /**
         * Padded buffer length: a tile at the last wide position of the last sample reads at most
         * ci*plane + ks + nr - 3 past the sample's start (into the next sample or this slack; only thrown-away
         * columns see those values).
         */
        int paddedLength(int nr) { return n * xStride + ks + nr + SLACK; }
    }

    /** Copies every sample's planes into the middle of zeroed Hp x Wp planes. */
    private static float[] pad(float[] x, Geometry g, int nr) {
        float[] xp = buffer(PADDED, g.paddedLength(nr));
        int planes = g.n * g.ci, hw = g.h * g.w;
        Parallel.parallelFor(planes, 16, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) {
                int dst = pl * g.plane, src = pl * hw;
                Arrays.fill(xp, dst, dst + g.pad * g.wp + g.pad, 0f);
                for (int r = 0; r < g.h; r++) {
                    int d = dst + (r + g.pad) * g.wp + g.pad;
                    System.arraycopy(x, src + r * g.w, xp, d, g.w);
                    // right pad of this row + left pad of the next
                    Arrays.fill(xp, d + g.w, d + g.w + 2 * g.pad, 0f);
                }
                Arrays.fill(xp, dst + (g.h + g.pad) * g.wp + g.pad, dst + g.plane, 0f);
            }
        });
        Arrays.fill(xp, planes * g.plane, g.paddedLength(nr), 0f);
        return xp;
    }

    /** ap[(b*kk + k)*mr + r] = w[(b*mr + r)][k] (zero rows past co), k = c*K*K + kh*K + kw. */
    private static float[] packWeights(float[] wt, int co, int kk, int mr) {
        int blocks = (co + mr - 1) / mr;
        float[] ap = buffer(PACKED, blocks * kk * mr);
        for (int b = 0; b < blocks; b++) {
            for (int r = 0; r < mr; r++) {
                int o = b * mr + r, base = b * kk * mr + r;
                if (o >= co) {
                    for (int k = 0; k < kk; k++) ap[base + k * mr] = 0f;
                } else {
                    int src = o * kk;
                    for (int k = 0; k < kk; k++) ap[base + k * mr] = wt[src + k];
                }
            }
        }
        return ap;
    }

    static void forward(ConvTile tile, float[] x, int n, int ci, int h, int w, float[] wt, int co, int ks, float[] bias,
                        int pad, float[] out) {
        int mr = tile.mr(), nr = tile.nr();
        Geometry g = new Geometry(n, ci, h, w, ks, pad, nr);
        int taps = ks * ks, kk = ci * taps, blocks = (co + mr - 1) / mr;
        int[] koff = new int[kk];
        for (int c = 0; c < ci; c++) {
            for (int kh = 0; kh < ks; kh++) {
                for (int kw = 0; kw < ks; kw++) koff[(c * ks + kh) * ks + kw] = c * g.plane + kh * g.wp + kw;
            }
        }
        float[] xp = pad(x, g, nr);
        float[] ap = packWeights(wt, co, kk, mr);
        int p = g.ho * g.wo;
        double flops = 2.0 * co * p * kk;
        int items = n * blocks;
        boolean parallel = Parallel.threads() > 1 && !Parallel.inRegion() && items > 1 && flops * n >= Sgemm.PARALLEL_FLOPS;
        Conv.forItems(items, parallel, (worker, item) -> {
            int s = item / blocks, b = item % blocks;
            float[] wide = buffer(WIDE_OUT, mr * g.qPad);
            int xo = s * g.xStride, ao = b * kk * mr;
            for (int q = 0; q < g.qPad; q += nr) tile.forward(kk, koff, ap, ao, xp, xo + q, wide, q, g.qPad);
            int rows = Math.min(mr, co - b * mr);
            for (int r = 0; r < rows; r++) {
                int o = b * mr + r;
                float bv = bias == null ? 0f : bias[o];
                int dst = (s * co + o) * p, src = r * g.qPad;
                for (int oh = 0; oh < g.ho; oh++) {
                    int d = dst + oh * g.wo, sr = src + oh * g.wp;
                    for (int ow = 0; ow < g.wo; ow++) out[d + ow] = wide[sr + ow] + bv;
                }
            }
        });
    }

    static void backwardWeight(ConvTile tile, CpuKernels k, float[] x, int n, int ci, int h, int w, float[] gradOut, int co, int ks,
                               int pad, float[] gradW) {
        int mr = tile.mr(), nr = tile.nr();
        Geometry g = new Geometry(n, ci, h, w, ks, pad, nr);
        int taps = ks * ks, blocks = (co + mr - 1) / mr, coPad = blocks * mr;
        int p = g.ho * g.wo, wsize = co * ci * taps;
        float[] xp = pad(x, g, nr);
        // gradient in wide rows: zeros in the columns ow >= Wo, past qLen and in the padding channels
        int gStride = coPad * g.qPad;
        float[] gw = buffer(WIDE_GRAD, n * gStride + SLACK);
        Parallel.parallelFor(n * coPad, 16, (r0, r1) -> {
            for (int row = r0; row < r1; row++) {
                int s = row / coPad, o = row % coPad, dst = row * g.qPad;
                if (o >= co) {
                    Arrays.fill(gw, dst, dst + g.qPad, 0f);
                    continue;
                }
                int src = (s * co + o) * p;
                for (int oh = 0; oh < g.ho; oh++) {
                    int d = dst + oh * g.wp;
                    System.arraycopy(gradOut, src + oh * g.wo, gw, d, g.wo);
                    Arrays.fill(gw, d + g.wo, d + g.wp, 0f);
                }
                Arrays.fill(gw, dst + g.qLen, dst + g.qPad, 0f);
            }
        });
        int[] per = new int[1];
        int usedGroups = Conv.weightGroups(n, per);
        int perGroup = per[0];
        float[][] partial = Conv.partialBuffers(usedGroups, wsize);
        int items = usedGroups * blocks;
        double flops = 2.0 * co * p * ci * taps * n;
        boolean parallel = Parallel.threads() > 1 && !Parallel.inRegion() && items > 1 && flops >= Sgemm.PARALLEL_FLOPS;
        int ldo = ci * taps;
        if (sampleOuter()) {
            int kwGroups = ks / 3 + ks % 3, slotSize = mr * 3 * tile.lanes(), slots = ci * ks * kwGroups;
            Conv.forItems(items, parallel, (worker, item) -> {
                int grp = item / blocks, b = item % blocks;
                int s0 = grp * perGroup, ns = Math.min(n, s0 + perGroup) - s0;
                int rows = Math.min(mr, co - b * mr);
                float[] scratch = buffer(SCRATCH_ALL, slots * slotSize);
                Arrays.fill(scratch, 0, slots * slotSize, 0f);
                // samples outermost: one sample's gradient rows (mr x qPad) stay in cache across every input channel
                // and tap; the per-lane accumulators of all (channel, kh, kw group) slots wait in scratch
                for (int s = 0; s < ns; s++) {
                    int gs = (s0 + s) * gStride + b * mr * g.qPad;
                    for (int c = 0, slot = 0; c < ci; c++) {
                        for (int kh = 0; kh < ks; kh++) {
                            int xo = (s0 + s) * g.xStride + c * g.plane + kh * g.wp;
                            int kw = 0;
                            for (; kw + 3 <= ks; kw += 3, slot++) tile.weightAdd(3, g.qPad, gw, gs, g.qPad, xp, xo + kw, rows, scratch, slot * slotSize);
                            for (; kw < ks; kw++, slot++) tile.weightAdd(1, g.qPad, gw, gs, g.qPad, xp, xo + kw, rows, scratch, slot * slotSize);
                        }
                    }
                }
                float[] acc = partial[grp];
                for (int c = 0, slot = 0; c < ci; c++) {
                    for (int kh = 0; kh < ks; kh++) {
                        int oo = (b * mr * ci + c) * taps + kh * ks;
                        int kw = 0;
                        for (; kw + 3 <= ks; kw += 3, slot++) tile.weightReduce(3, rows, scratch, slot * slotSize, acc, oo + kw, ldo);
                        for (; kw < ks; kw++, slot++) tile.weightReduce(1, rows, scratch, slot * slotSize, acc, oo + kw, ldo);
                    }
                }
            });
            Conv.sumGroups(k, partial, usedGroups, gradW, wsize);
            return;
        }
        Conv.forItems(items, parallel, (worker, item) -> {
            int grp = item / blocks, b = item % blocks;
            int s0 = grp * perGroup, ns = Math.min(n, s0 + perGroup) - s0;
            int rows = Math.min(mr, co - b * mr);
            float[] acc = partial[grp];
            float[] scratch = buffer(SCRATCH, mr * 3 * tile.lanes());
            int go = s0 * gStride + b * mr * g.qPad;
            for (int c = 0; c < ci; c++) {
                for (int kh = 0; kh < ks; kh++) {
                    int xo = s0 * g.xStride + c * g.plane + kh * g.wp;
                    int oo = (b * mr * ci + c) * taps + kh * ks;
                    int kw = 0;
                    for (; kw + 3 <= ks; kw += 3) {
                        tile.weight(3, ns, g.qPad, gw, go, gStride, g.qPad, xp, xo + kw, g.xStride, acc, oo + kw, ldo, rows, scratch);
                    }
                    for (; kw < ks; kw++) {
                        tile.weight(1, ns, g.qPad, gw, go, gStride, g.qPad, xp, xo + kw, g.xStride, acc, oo + kw, ldo, rows, scratch);
                    }
                }
            }
        });
        Conv.sumGroups(k, partial, usedGroups, gradW, wsize);
    }
}
