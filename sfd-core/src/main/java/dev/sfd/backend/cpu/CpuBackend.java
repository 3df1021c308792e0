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

    // ------------------------------------------------------------------ elementwise

    /** Elements per parallel chunk for memory-bound elementwise work (~50 us on these cores). */
    static final int GRAIN = 1 << 15;
    /** Elements per chunk for transcendental elementwise work. */
    static final int GRAIN_MATH = 1 << 12;

    private static int grain(dev.sfd.backend.UnaryOp op) {
        switch (op) {
            case NEG: case SQUARE: case ABS: case RELU: case SIGN: case NAN_TO_NUM: return GRAIN;
            default: return GRAIN_MATH;
        }
    }

    static boolean sameShape(Tensor a, Tensor b) { return java.util.Arrays.equals(a.shape(), b.shape()); }

    @Override
    public void unary(dev.sfd.backend.UnaryOp op, Tensor x, Tensor out) {
        if (!f32(x, out) || x.numel() != out.numel()) {
            super.unary(op, x, out);
            return;
        }
        float[] xf = f(x), of = f(out);
        Parallel.parallelFor(x.numel(), grain(op), (i0, i1) -> k.unary(op, xf, i0, of, i0, i1 - i0));
    }

    @Override
    public void unaryBackward(dev.sfd.backend.UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        int n = gradIn.numel();
        if (!f32(x, y, gradOut, gradIn) || x.numel() != n || y.numel() != n || gradOut.numel() != n) {
            super.unaryBackward(op, x, y, gradOut, gradIn);
            return;
        }
        float[] xf = f(x), yf = f(y), gf = f(gradOut), of = f(gradIn);
        Parallel.parallelFor(n, grain(op), (i0, i1) -> k.unaryBackward(op, xf, yf, gf, of, i0, i1 - i0));
    }

    @Override
    public void binary(dev.sfd.backend.BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (!f32(a, b, out)) {
            super.binary(op, a, b, out);
            return;
        }
        int n = out.numel();
        float[] af = f(a), bf = f(b), of = f(out);
        int grain = op == dev.sfd.backend.BinaryOp.POW ? GRAIN_MATH : GRAIN;
        if (a.numel() == n && b.numel() == n) {
            Parallel.parallelFor(n, grain, (i0, i1) -> k.binary(op, af, i0, bf, i0, of, i0, i1 - i0));
            return;
        }
        if (b.numel() == 1 && a.numel() == n) {
            float s = bf[0];
            Parallel.parallelFor(n, grain, (i0, i1) -> k.binaryScalar(op, af, i0, s, true, of, i0, i1 - i0));
            return;
        }
        if (a.numel() == 1 && b.numel() == n) {
            float s = af[0];
            Parallel.parallelFor(n, grain, (i0, i1) -> k.binaryScalar(op, bf, i0, s, false, of, i0, i1 - i0));
            return;
        }
        boolean bSmall = a.numel() == n;
        Tensor small = bSmall ? b : a;
        if ((bSmall || b.numel() == n) && small.numel() > 0) {
            int[] oci = channelView(small.shape(), out.shape());
            if (oci != null) {
                int outer = oci[0], ch = oci[1], inner = oci[2];
                float[] full = bSmall ? af : bf, p = bSmall ? bf : af;
                if (inner == 1) {
                    // row broadcast: out[o, :] = full[o, :] op p[:]
                    Parallel.parallelFor(outer, Math.max(1, grain / ch), (o0, o1) -> {
                        for (int o = o0; o < o1; o++) {
                            if (bSmall) k.binary(op, full, o * ch, p, 0, of, o * ch, ch);
                            else k.binary(op, p, 0, full, o * ch, of, o * ch, ch);
                        }
                    });
                } else {
                    // per-channel broadcast: out[o, c, :] = full[o, c, :] op p[c]
                    Parallel.parallelFor(outer * ch, Math.max(1, grain / inner), (r0, r1) -> {
                        for (int r = r0; r < r1; r++) k.binaryScalar(op, full, r * inner, p[r % ch], bSmall, of, r * inner, inner);
                    });
                }
                return;
            }
        }
        super.binary(op, a, b, out);
    }

    /**
     * When {@code small} (right-aligned against {@code out}) is 1 outside one contiguous block of axes where it
     * equals {@code out}, returns {outer, channels, inner} sizes of out around that block; otherwise null.
     */
    static int[] channelView(int[] small, int[] out) {
        int r = out.length, off = r - small.length;
        if (off < 0) return null;
        int first = -1, last = -1;
        for (int i = 0; i < r; i++) {
            int d = i < off ? 1 : small[i - off];
            if (d != 1) {
                if (d != out[i]) return null;
                if (first < 0) first = i;
                last = i;
            }
        }
        if (first < 0) return null;
        for (int i = first; i <= last; i++) if (small[i - off] != out[i]) return null;
        int outer = 1, ch = 1, inner = 1;
        for (int i = 0; i < first; i++) outer *= out[i];
        for (int i = first; i <= last; i++) ch *= out[i];
        for (int i = last + 1; i < r; i++) inner *= out[i];
        return new int[] {outer, ch, inner};
    }

    @Override
    public void binaryScalar(dev.sfd.backend.BinaryOp op, Tensor x, double s, Tensor out) {
        if (!f32(x, out) || x.numel() != out.numel()) {
            super.binaryScalar(op, x, s, out);
            return;
        }
        float[] xf = f(x), of = f(out);
        float sf = (float) s;
        int grain = op == dev.sfd.backend.BinaryOp.POW ? GRAIN_MATH : GRAIN;
        Parallel.parallelFor(x.numel(), grain, (i0, i1) -> k.binaryScalar(op, xf, i0, sf, true, of, i0, i1 - i0));
    }

    @Override
    public void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out) {
        int n = out.numel();
        if (!f32(x, y, out) || x.numel() != n || y.numel() != n) {
            super.axpby(alpha, x, beta, y, out);
            return;
        }
        float[] xf = f(x), yf = f(y), of = f(out);
        float fa = (float) alpha, fb = (float) beta;
        Parallel.parallelFor(n, GRAIN, (i0, i1) -> k.axpby(fa, xf, fb, yf, of, i0, i1 - i0));
    }

    @Override
    public void clamp(Tensor x, double lo, double hi, Tensor out) {
        int n = out.numel();
        if (!f32(x, out) || x.numel() != n) {
            super.clamp(x, lo, hi, out);
            return;
        }
        float[] xf = f(x), of = f(out);
        float l = (float) lo, h = (float) hi;
        Parallel.parallelFor(n, GRAIN, (i0, i1) -> k.clamp(xf, l, h, of, i0, i1 - i0));
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(dev.sfd.backend.ReduceOp op, Tensor x, Tensor out) {
        int[] v = f32(x, out) && x.rank() == out.rank() ? reduceView(x.shape(), out.shape()) : null;
        boolean sum = op == dev.sfd.backend.ReduceOp.SUM;
        if (v == null || (!sum && v[2] == 1 && v[0] > 1)) {
            super.reduce(op, x, out);
            return;
        }
        int outer = v[0], mid = v[1], inner = v[2];
        float[] xf = f(x), of = f(out);
        if (mid == 1 && outer == 1) {
            // everything into one value: parallel partial results over chunks
            int chunks = Parallel.chunks(inner, GRAIN);
            double[] part = new double[chunks];
            Parallel.forChunks(chunks, chunks, (c0, c1) -> {
                for (int c = c0; c < c1; c++) {
                    int i0 = (int) ((long) inner * c / chunks), i1 = (int) ((long) inner * (c + 1) / chunks);
                    part[c] = sum ? k.sum(xf, i0, i1 - i0) : k.max(xf, i0, i1 - i0);
                }
            });
            double r = sum ? 0 : Double.NEGATIVE_INFINITY;
            for (double p : part) r = sum ? r + p : (Double.isNaN(p) || Double.isNaN(r) ? Double.NaN : Math.max(r, p));
            of[0] = (float) r;
            return;
        }
        if (inner == 1) {
            // out[m] = sum_o x[o, m]: add rows, parallel over column ranges
            Parallel.parallelFor(mid, Math.max(16, GRAIN / Math.max(1, outer)), (m0, m1) -> {
                System.arraycopy(xf, m0, of, m0, m1 - m0);
                for (int o = 1; o < outer; o++) k.addInPlace(of, m0, xf, o * mid + m0, m1 - m0);
            });
            return;
        }
        Parallel.parallelFor(mid, Math.max(1, GRAIN / Math.max(1, outer * inner)), (m0, m1) -> {
            for (int m = m0; m < m1; m++) {
                double r = sum ? 0 : Double.NEGATIVE_INFINITY;
                for (int o = 0; o < outer; o++) {
                    int off = (o * mid + m) * inner;
                    if (sum) r += k.sum(xf, off, inner);
                    else {
                        float p = k.max(xf, off, inner);
                        r = Double.isNaN(p) || Double.isNaN(r) ? Double.NaN : Math.max(r, p);
                    }
                }
                of[m] = (float) r;
            }
        });
    }

    /**
     * For a reduction of shape {@code xs} to {@code os} (same rank), returns {outer, mid, inner} when the kept
     * axes (size > 1 in both) form one block with only reduced axes before (outer) and after (inner); else null.
     */
    static int[] reduceView(int[] xs, int[] os) {
        int first = -1, last = -1;
        for (int i = 0; i < xs.length; i++) {
            if (os[i] != xs[i] && os[i] != 1) return null;
            if (os[i] == xs[i] && xs[i] != 1) {
                if (first < 0) first = i;
                last = i;
            }
        }
        int outer = 1, mid = 1, inner = 1;
        if (first < 0) {
            for (int d : xs) inner *= d;
            return new int[] {1, 1, inner};
        }
        for (int i = first; i <= last; i++) {
            if (os[i] != xs[i]) return null; // a reduced axis inside the kept block
            mid *= xs[i];
        }
        for (int i = 0; i < first; i++) outer *= xs[i];
        for (int i = last + 1; i < xs.length; i++) inner *= xs[i];
        return new int[] {outer, mid, inner};
    }

    // ------------------------------------------------------------------ normalisation

    @Override
    public void groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!f32(x, gamma, beta, out, mean, rstd) || x.rank() < 2) {
            super.groupNorm(x, gamma, beta, groups, eps, out, mean, rstd);
            return;
        }
        int nb = x.dim(0), c = x.dim(1), cg = c / groups;
        int spatial = nb * c == 0 ? 0 : x.numel() / (nb * c);
        int m = cg * spatial;
        float[] xf = f(x), of = f(out), mf = f(mean), rf = f(rstd);
        float[] gf = gamma == null ? null : f(gamma), bf = beta == null ? null : f(beta);
        Parallel.parallelFor(nb * groups, Math.max(1, GRAIN / Math.max(1, 3 * m)), (b0, b1) -> {
            double[] mom = new double[2];
            for (int blk = b0; blk < b1; blk++) {
                int g = blk % groups, n = blk / groups;
                int base = (n * c + g * cg) * spatial;
                // two-pass statistics around a first float estimate: robust to a large mean
                float mu0 = k.sum(xf, base, m) / m;
                k.centeredMoments(xf, base, m, mu0, mom);
                double dm = mom[0] / m, mud = mu0 + dm, var = Math.max(0.0, mom[1] / m - dm * dm);
                float mu = (float) mud, r = (float) (1.0 / Math.sqrt(var + eps));
                mf[blk] = mu;
                rf[blk] = r;
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    float scale = gf == null ? r : r * gf[ch];
                    float shift = bf == null ? 0f : bf[ch];
                    int cb = (n * c + ch) * spatial;
                    k.normalize(xf, cb, mu, scale, shift, of, spatial);
                }
            }
        });
    }

    @Override
    public void groupNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, int groups, Tensor gradOut,
                                  Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        if (!f32(x, gamma, mean, rstd, gradOut, gradX, gradGamma, gradBeta) || x.rank() < 2) {
            super.groupNormBackward(x, gamma, mean, rstd, groups, gradOut, gradX, gradGamma, gradBeta);
            return;
        }
        int nb = x.dim(0), c = x.dim(1), cg = c / groups;
        int spatial = nb * c == 0 ? 0 : x.numel() / (nb * c);
        int m = cg * spatial;
        float[] xf = f(x), dy = f(gradOut), gx = f(gradX), mf = f(mean), rf = f(rstd);
        float[] gf = gamma == null ? null : f(gamma);
        double[] sumDy = new double[nb * c], sumDyXhat = new double[nb * c];
        Parallel.parallelFor(nb * groups, Math.max(1, GRAIN / Math.max(1, 4 * m)), (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int g = blk % groups, n = blk / groups;
                float mu = mf[blk], r = rf[blk];
                // dx = r (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with xhat = (x - mu) r, dxhat = dy gamma
                double sumD = 0, sumDX = 0;
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    int cb = (n * c + ch) * spatial;
                    double a = k.sum(dy, cb, spatial);
                    double dxh = (double) k.dotCentered(dy, xf, cb, spatial, mu) * r;
                    sumDy[n * c + ch] = a;
                    sumDyXhat[n * c + ch] = dxh;
                    double scale = gf == null ? 1.0 : gf[ch];
                    sumD += scale * a;
                    sumDX += scale * dxh;
                }
                double meanD = sumD / m, meanDX = sumDX / m;
                float b = (float) (-(double) r * r * meanDX), cc = (float) (-r * meanD);
                for (int ch = g * cg; ch < (g + 1) * cg; ch++) {
                    int cb = (n * c + ch) * spatial;
                    float a = gf == null ? r : r * gf[ch];
                    k.gnBackwardApply(dy, xf, mu, a, b, cc, gx, cb, spatial);
                }
            }
        });
        if (gradGamma != null) {
            float[] gg = f(gradGamma);
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int n = 0; n < nb; n++) s += sumDyXhat[n * c + ch];
                gg[ch] = (float) s;
            }
        }
        if (gradBeta != null) {
            float[] gb = f(gradBeta);
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int n = 0; n < nb; n++) s += sumDy[n * c + ch];
                gb[ch] = (float) s;
            }
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        if (!f32(x, out) || x.rank() == 0 || x.numel() != out.numel()) {
            super.softmax(x, out);
            return;
        }
        int len = x.dim(-1), rows = len == 0 ? 0 : x.numel() / len;
        float[] xf = f(x), of = f(out);
        Parallel.parallelFor(rows, Math.max(1, GRAIN_MATH / Math.max(1, len)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) k.softmaxRow(xf, of, r * len, len);
        });
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, Tensor gradIn) {
        if (!f32(y, gradOut, gradIn) || y.rank() == 0) {
            super.softmaxBackward(y, gradOut, gradIn);
            return;
        }
        int len = y.dim(-1), rows = len == 0 ? 0 : y.numel() / len;
        float[] yf = f(y), gf = f(gradOut), of = f(gradIn);
        Parallel.parallelFor(rows, Math.max(1, GRAIN / Math.max(1, 2 * len)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) k.softmaxBackwardRow(yf, gf, of, r * len, len);
        });
    }

    // ------------------------------------------------------------------ resampling

    @Override
    public void upsample2x(Tensor x, Tensor out) {
        if (!f32(x, out) || x.rank() != 4) {
            super.upsample2x(x, out);
            return;
        }
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        float[] xf = f(x), of = f(out);
        Parallel.parallelFor(planes, Math.max(1, GRAIN / Math.max(1, 4 * h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) k.upsample2xPlane(xf, p * h * w, h, w, of, p * 4 * h * w);
        });
    }

    @Override
    public void upsample2xBackward(Tensor gradOut, Tensor gradIn) {
        if (!f32(gradOut, gradIn) || gradIn.rank() != 4) {
            super.upsample2xBackward(gradOut, gradIn);
            return;
        }
        int planes = gradIn.dim(0) * gradIn.dim(1), h = gradIn.dim(2), w = gradIn.dim(3);
        float[] gf = f(gradOut), of = f(gradIn);
        Parallel.parallelFor(planes, Math.max(1, GRAIN / Math.max(1, 4 * h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) k.pool2xPlane(gf, p * 4 * h * w, h, w, 1f, of, p * h * w);
        });
    }

    @Override
    public void avgPool2x(Tensor x, Tensor out) {
        if (!f32(x, out) || out.rank() != 4) {
            super.avgPool2x(x, out);
            return;
        }
        int planes = out.dim(0) * out.dim(1), h = out.dim(2), w = out.dim(3);
        float[] xf = f(x), of = f(out);
        Parallel.parallelFor(planes, Math.max(1, GRAIN / Math.max(1, 4 * h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) k.pool2xPlane(xf, p * 4 * h * w, h, w, 0.25f, of, p * h * w);
        });
    }

    @Override
    public void avgPool2xBackward(Tensor gradOut, Tensor gradIn) {
        if (!f32(gradOut, gradIn) || gradOut.rank() != 4) {
            super.avgPool2xBackward(gradOut, gradIn);
            return;
        }
        int planes = gradOut.dim(0) * gradOut.dim(1), h = gradOut.dim(2), w = gradOut.dim(3);
        float[] gf = f(gradOut), of = f(gradIn);
        Parallel.parallelFor(planes, Math.max(1, GRAIN / Math.max(1, 4 * h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) k.spread2xPlane(gf, p * h * w, h, w, 0.25f, of, p * 4 * h * w);
        });
    }

    // ------------------------------------------------------------------ optimiser updates

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                         double eps, double weightDecay, long step) {
        int n = param.numel();
        if (step < 1 || !f32(param, grad, m, v) || grad.numel() != n || m.numel() != n || v.numel() != n) {
            super.adamStep(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
            return;
        }
        float[] pf = f(param), gf = f(grad), mf = f(m), vf = f(v);
        float invBc1 = (float) (1.0 / (1.0 - Math.pow(beta1, step))), invBc2 = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        float flr = (float) lr, b1 = (float) beta1, b2 = (float) beta2, fe = (float) eps, wd = (float) weightDecay;
        Parallel.parallelFor(n, GRAIN / 2, (i0, i1) -> k.adam(pf, gf, mf, vf, i0, i1 - i0, flr, b1, b2, fe, wd, invBc1, invBc2));
    }

    @Override
    public void emaUpdate(Tensor ema, Tensor param, double beta) {
        int n = ema.numel();
        if (!f32(ema, param) || param.numel() != n) {
            super.emaUpdate(ema, param, beta);
            return;
        }
        float[] ef = f(ema), pf = f(param);
        float b = (float) beta;
        Parallel.parallelFor(n, GRAIN, (i0, i1) -> k.ema(ef, pf, i0, i1 - i0, b));
    }

    // ------------------------------------------------------------------ SiD loss

    @Override
    public void sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor loss, Tensor omega) {
        if (!f32(xg, yReal, yFake, loss, omega) || xg.rank() < 1) {
            super.sidLoss(xg, yReal, yFake, alpha, loss, omega);
            return;
        }
        int nb = xg.dim(0), d = nb == 0 ? 0 : xg.numel() / nb;
        float[] x = f(xg), r = f(yReal), fk = f(yFake), lf = f(loss), of = f(omega);
        float a = (float) alpha;
        Parallel.parallelFor(nb, Math.max(1, GRAIN / Math.max(1, 3 * d)), (n0, n1) -> {
            double[] sums = new double[2];
            for (int n = n0; n < n1; n++) {
                k.sidSums(x, r, fk, n * d, d, a, sums);
                double w = Math.max(sums[0] / d, 1e-5);
                of[n] = (float) w;
                lf[n] = (float) (sums[1] / w);
            }
        });
    }

    @Override
    public void sidLossBackward(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor omega, Tensor gradLoss,
                                Tensor gradXg, Tensor gradReal, Tensor gradFake) {
        if (!f32(xg, yReal, yFake, omega, gradLoss, gradXg, gradReal, gradFake) || xg.rank() < 1) {
            super.sidLossBackward(xg, yReal, yFake, alpha, omega, gradLoss, gradXg, gradReal, gradFake);
            return;
        }
        int nb = xg.dim(0), d = nb == 0 ? 0 : xg.numel() / nb;
        float[] x = f(xg), r = f(yReal), fk = f(yFake), of = f(omega), gl = f(gradLoss);
        float[] gx = f(gradXg), gr = f(gradReal), gfk = f(gradFake);
        float a = (float) alpha;
        Parallel.parallelFor(nb, Math.max(1, GRAIN / Math.max(1, 3 * d)), (n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                float scale = (float) ((double) gl[n] / of[n]);
                k.sidBackward(x, r, fk, n * d, d, a, scale, gx, gr, gfk);
            }
        });
    }
}
