package dev.sfd.backend.cpu;

/**
 * FLOAT32 GEMM, BLIS style: {@code C = alpha * op(A) op(B) + beta * C} on row-major arrays.
 *
 * <p>Loop nest (BLIS with the roles of A and B swapped, because here the B side is the vector side):
 * {@code ic} over M in blocks of MC, {@code pc} over K in blocks of KC (A block packed into MR-row panels),
 * {@code jc} over N in blocks of NC (B block packed into NR-column panels, sized for L2), then over the
 * MR-row A micro-panels (one stays in L1) and, innermost, over the NR-column B micro-panels streaming from
 * L2. The micro-kernel keeps an MR x NR tile of C in registers. Transposes are absorbed by the packing; M, N
 * and K edges are zero padded in the packed panels and partial C tiles go through a small scratch tile.
 * Packing buffers are per thread and reused. Work is split over threads along M or N (whichever has more
 * micro-tiles) when the product is large enough and we are not already inside a parallel region.
 */
final class Sgemm {
    /**
     * Register-blocked MR x NR tile kernel over packed panels: {@code sum_k ap[ao + k*MR + i] * bp[bo + k*NR + j]}
     * for the tile at {@code c[co + i*ldc + j]}. Two entry points instead of alpha/beta parameters: alpha is
     * folded into the packed A, beta is applied to C beforehand, so the bodies are branch-free and C2 has no
     * profile-dependent choice to make in the hottest loop.
     */
    interface MicroKernel {
        int mr();

        int nr();

        /** C tile = A panel x B panel (C not read). */
        void store(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc);

        /** C tile += A panel x B panel. */
        void accumulate(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc);
    }

    static final int KC = Integer.getInteger("sfd.gemm.kc", 256);
    static final int MC = Integer.getInteger("sfd.gemm.mc", 1536);
    static final int NC = Integer.getInteger("sfd.gemm.nc", 512);
    /** Products below this many flops run on one thread (about 50-100 us of work). */
    static final long PARALLEL_FLOPS = Long.getLong("sfd.gemm.parallelFlops", 4_000_000L);

    private Sgemm() {}

    /** Per-thread packing buffers, grown on demand and reused. */
    static final class Workspace {
        float[] ap = new float[0];
        float[] bp = new float[0];
        float[] tile = new float[0];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Full GEMM; {@code lda}/{@code ldb}/{@code ldc} are the row strides of A, B, C as stored (A stored K x M
     * when transA, B stored N x K when transB). May run in parallel.
     */
    static void gemm(MicroKernel mk, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if (beta != 0f && beta != 1f) {
            scaleC(m, n, beta, c, cOff, ldc);
            beta = 1f;
        }
        final float b0 = beta;
        long flops = 2L * m * n * k;
        int mr = mk.mr(), nr = mk.nr();
        int mTiles = (m + mr - 1) / mr, nTiles = (n + nr - 1) / nr;
        long units = flops / PARALLEL_FLOPS;
        int threads = Parallel.threads();
        boolean splitM = mTiles >= nTiles;
        int tiles = splitM ? mTiles : nTiles;
        if (Parallel.inRegion() || threads <= 1 || units < 2 || tiles < 2) {
            gemmSequential(mk, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        // Independent sub-products along M (or N), two per thread when big enough, dynamically scheduled: a
        // thread slowed down by other load takes fewer. Each part packs the shared operand again; that costs a
        // few percent and needs no barrier.
        int parts = (int) Math.min(tiles, Math.min(units, units >= 4L * threads ? 2L * threads : threads));
        Parallel.forDynamic(parts, threads, (worker, part) -> {
            int t0 = (int) ((long) tiles * part / parts), t1 = (int) ((long) tiles * (part + 1) / parts);
            if (splitM) {
                int i0 = t0 * mr, i1 = Math.min(m, t1 * mr);
                int ao = transA ? aOff + i0 : aOff + i0 * lda;
                gemmSequential(mk, transA, transB, i1 - i0, n, k, alpha, a, ao, lda, b, bOff, ldb, b0, c, cOff + i0 * ldc, ldc);
            } else {
                int j0 = t0 * nr, j1 = Math.min(n, t1 * nr);
                int bo = transB ? bOff + j0 * ldb : bOff + j0;
                gemmSequential(mk, transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bo, ldb, b0, c, cOff + j0, ldc);
            }
        });
    }

    /** {@code C = beta * C} (C not read when beta is 0). */
    static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
        }
    }

    /** Single-threaded blocked GEMM on the calling thread. */
    static void gemmSequential(MicroKernel mk, boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        if (beta != 0f && beta != 1f) {
            scaleC(m, n, beta, c, cOff, ldc);
            beta = 1f;
        }
        final int mr = mk.mr(), nr = mk.nr();
        Workspace ws = WORKSPACE.get();
        int mcMax = Math.min(roundUp(MC, mr), roundUp(m, mr));
        int ncMax = Math.min(roundUp(NC, nr), roundUp(n, nr));
        int kcMax = Math.min(KC, k);
        if (ws.ap.length < mcMax * kcMax) ws.ap = new float[mcMax * kcMax];
        if (ws.bp.length < ncMax * kcMax) ws.bp = new float[ncMax * kcMax];
        if (ws.tile.length < mr * nr) ws.tile = new float[mr * nr];
        float[] ap = ws.ap, bp = ws.bp, tile = ws.tile;

        for (int ic = 0; ic < m; ic += MC) {
            int mc = Math.min(MC, m - ic);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packA(transA, alpha, a, aOff, lda, ic, pc, mc, kc, ap, mr);
                boolean overwrite = pc == 0 && beta == 0f;
                for (int jc = 0; jc < n; jc += NC) {
                    int nc = Math.min(NC, n - jc);
                    packB(transB, b, bOff, ldb, pc, jc, kc, nc, bp, nr);
                    for (int ir = 0; ir < mc; ir += mr) {
                        int mrr = Math.min(mr, mc - ir);
                        int ao = ir * kc;
                        int cRow = cOff + (ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += nr) {
                            int nrr = Math.min(nr, nc - jr);
                            int bo = jr * kc;
                            if (mrr == mr && nrr == nr) {
                                if (overwrite) mk.store(kc, ap, ao, bp, bo, c, cRow + jr, ldc);
                                else mk.accumulate(kc, ap, ao, bp, bo, c, cRow + jr, ldc);
                            } else {
                                mk.store(kc, ap, ao, bp, bo, tile, 0, nr);
                                mergeTile(tile, nr, mrr, nrr, c, cRow + jr, ldc, overwrite);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void mergeTile(float[] tile, int nr, int mrr, int nrr, float[] c, int co, int ldc, boolean overwrite) {
        for (int i = 0; i < mrr; i++) {
            int t = i * nr, r = co + i * ldc;
            if (overwrite) {
                System.arraycopy(tile, t, c, r, nrr);
            } else {
                for (int j = 0; j < nrr; j++) c[r + j] += tile[t + j];
            }
        }
    }

    static int roundUp(int x, int m) { return (x + m - 1) / m * m; }

    /** Packs alpha * op(A)[ic:ic+mc, pc:pc+kc] into MR-row panels: {@code ap[(p*kc + k)*MR + i]}, zero padded. */
    static void packA(boolean transA, float alpha, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float[] ap, int mr) {
        int panels = (mc + mr - 1) / mr;
        for (int p = 0; p < panels; p++) {
            int i0 = p * mr, rows = Math.min(mr, mc - i0);
            int base = p * mr * kc;
            if (transA) {
                // A stored K x M: the MR values of one k are contiguous
                int src = aOff + pc * lda + ic + i0;
                if (rows == 8 && mr == 8) {
                    for (int kk = 0, d = base; kk < kc; kk++, d += 8) {
                        int s = src + kk * lda;
                        ap[d] = alpha * a[s];
                        ap[d + 1] = alpha * a[s + 1];
                        ap[d + 2] = alpha * a[s + 2];
                        ap[d + 3] = alpha * a[s + 3];
                        ap[d + 4] = alpha * a[s + 4];
                        ap[d + 5] = alpha * a[s + 5];
                        ap[d + 6] = alpha * a[s + 6];
                        ap[d + 7] = alpha * a[s + 7];
                    }
                } else {
                    for (int kk = 0; kk < kc; kk++) {
                        int d = base + kk * mr, s = src + kk * lda;
                        for (int i = 0; i < rows; i++) ap[d + i] = alpha * a[s + i];
                        for (int i = rows; i < mr; i++) ap[d + i] = 0f;
                    }
                }
            } else if (rows == 8 && mr == 8) {
                packRows8(alpha, a, aOff + (ic + i0) * lda + pc, lda, kc, ap, base);
            } else {
                // A stored M x K: interleave MR row streams, writing the panel sequentially
                int src = aOff + (ic + i0) * lda + pc;
                for (int kk = 0; kk < kc; kk++) {
                    int d = base + kk * mr, s = src + kk;
                    for (int i = 0; i < rows; i++) ap[d + i] = alpha * a[s + i * lda];
                    for (int i = rows; i < mr; i++) ap[d + i] = 0f;
                }
            }
        }
    }

    /** Eight interleaved row streams, unrolled (a loop of trip count 8 per k costs more than the copy). */
    private static void packRows8(float alpha, float[] a, int src, int lda, int kc, float[] ap, int d) {
        int r0 = src, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda, r6 = r5 + lda, r7 = r6 + lda;
        for (int kk = 0; kk < kc; kk++, d += 8) {
            ap[d] = alpha * a[r0 + kk];
            ap[d + 1] = alpha * a[r1 + kk];
            ap[d + 2] = alpha * a[r2 + kk];
            ap[d + 3] = alpha * a[r3 + kk];
            ap[d + 4] = alpha * a[r4 + kk];
            ap[d + 5] = alpha * a[r5 + kk];
            ap[d + 6] = alpha * a[r6 + kk];
            ap[d + 7] = alpha * a[r7 + kk];
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels: {@code bp[(q*kc + k)*NR + j]}, zero padded. */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, float[] bp, int nr) {
        int panels = (nc + nr - 1) / nr;
        for (int q = 0; q < panels; q++) {
            int j0 = q * nr, cols = Math.min(nr, nc - j0);
            int base = q * nr * kc;
            if (transB) {
                // B stored N x K: read each column's k run contiguously
                for (int j = 0; j < cols; j++) {
                    int s = bOff + (jc + j0 + j) * ldb + pc;
                    int d = base + j;
                    for (int kk = 0; kk < kc; kk++) bp[d + kk * nr] = b[s + kk];
                }
                for (int j = cols; j < nr; j++) {
                    for (int kk = 0; kk < kc; kk++) bp[base + j + kk * nr] = 0f;
                }
            } else {
                int src = bOff + pc * ldb + jc + j0;
                if (cols == nr) {
                    for (int kk = 0; kk < kc; kk++) System.arraycopy(b, src + kk * ldb, bp, base + kk * nr, nr);
                } else {
                    for (int kk = 0; kk < kc; kk++) {
                        int d = base + kk * nr, s = src + kk * ldb;
                        for (int j = 0; j < cols; j++) bp[d + j] = b[s + j];
                        for (int j = cols; j < nr; j++) bp[d + j] = 0f;
                    }
                }
            }
        }
    }
}
