package dev.sfd.backend.cpu;

import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.UnaryOp;

/**
 * The FLOAT32 hot-path kernels of {@link CpuBackend} over ranges of heap arrays, in plain Java (simple loops
 * that C2 auto-vectorises where it can). {@code VecKernels} overrides them with Vector API code when
 * {@code jdk.incubator.vector} is present; this class must never reference vector types. Callers split work
 * into ranges and run them in parallel; every method here is single-threaded and allocation-free. Outputs may
 * alias inputs element for element (out[i] depends only on inputs at i).
 */
class CpuKernels {
    static final CpuKernels SCALAR = new CpuKernels();

    /** True for the Vector API implementation. */
    boolean vectorized() { return false; }

    /** The SGEMM micro-kernel. */
    Sgemm.MicroKernel sgemmKernel() { return ScalarGemmKernel.INSTANCE; }

    /** The direct-convolution register tiles. */
    ConvTile convTile() { return ScalarConvTile.INSTANCE; }

    // ------------------------------------------------------------------ reductions over a range

    /** Sum of {@code x[off, off+len)} (four partial sums; C2 does not vectorise ordered float reductions). */
    float sum(float[] x, int off, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < len; i++) s0 += x[off + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** Max of {@code x[off, off+len)} (NaN propagates, like Math.max). */
    float max(float[] x, int off, int len) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /** {sum (x[i] - c), sum (x[i] - c)^2} over a range, accumulated per element in float, returned in double. */
    void centeredMoments(float[] x, int off, int len, float c, double[] out2) {
        float s0 = 0, s1 = 0, q0 = 0, q1 = 0;
        int i = off, end = off + len;
        for (; i + 2 <= end; i += 2) {
            float d0 = x[i] - c, d1 = x[i + 1] - c;
            s0 += d0;
            s1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
        }
        for (; i < end; i++) {
            float d = x[i] - c;
            s0 += d;
            q0 += d * d;
        }
        out2[0] = (double) s0 + s1;
        out2[1] = (double) q0 + q1;
    }

    /** Dot product of two ranges. */
    float dot(float[] x, int xo, float[] y, int yo, int len) {
        float s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 2 <= len; i += 2) {
            s0 += x[xo + i] * y[yo + i];
            s1 += x[xo + i + 1] * y[yo + i + 1];
        }
        for (; i < len; i++) s0 += x[xo + i] * y[yo + i];
        return s0 + s1;
    }

    // ------------------------------------------------------------------ elementwise

    /** {@code y[yo + i] += x[xo + i]}. */
    void addInPlace(float[] y, int yo, float[] x, int xo, int len) {
        for (int i = 0; i < len; i++) y[yo + i] += x[xo + i];
    }

    /** Sum of {@code dy[i] * (x[i] - mean)}. */
    float dotCentered(float[] dy, float[] x, int off, int len, float mean) {
        float s0 = 0, s1 = 0;
        int i = off, end = off + len;
        for (; i + 2 <= end; i += 2) {
            s0 += dy[i] * (x[i] - mean);
            s1 += dy[i + 1] * (x[i + 1] - mean);
        }
        for (; i < end; i++) s0 += dy[i] * (x[i] - mean);
        return s0 + s1;
    }

    /** {@code o[i] = a dy[i] + b (x[i] - mean) + c} (group-norm backward, one channel). */
    void gnBackwardApply(float[] dy, float[] x, float mean, float a, float b, float c, float[] o, int off, int len) {
        for (int i = off; i < off + len; i++) o[i] = a * dy[i] + b * (x[i] - mean) + c;
    }

    /** {@code o[i] = (x[i] - mean) * scale + shift}. */
    void normalize(float[] x, int off, float mean, float scale, float shift, float[] o, int len) {
        for (int i = off; i < off + len; i++) o[i] = (x[i] - mean) * scale + shift;
    }

    /** {@code o = op(x)}. */
    void unary(UnaryOp op, float[] x, int xo, float[] o, int oo, int n) {
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[oo + i] = -x[xo + i]; break;
            case EXP: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.exp(x[xo + i]); break;
            case LOG: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.log(x[xo + i]); break;
            case SQRT: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.sqrt(x[xo + i]); break;
            case RSQRT: for (int i = 0; i < n; i++) o[oo + i] = (float) (1.0 / Math.sqrt(x[xo + i])); break;
            case SQUARE: for (int i = 0; i < n; i++) o[oo + i] = x[xo + i] * x[xo + i]; break;
            case RECIPROCAL: for (int i = 0; i < n; i++) o[oo + i] = 1f / x[xo + i]; break;
            case ABS: for (int i = 0; i < n; i++) o[oo + i] = Math.abs(x[xo + i]); break;
            case SIGN: for (int i = 0; i < n; i++) o[oo + i] = Math.signum(x[xo + i]); break;
            case SIN: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.sin(x[xo + i]); break;
            case COS: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.cos(x[xo + i]); break;
            case TANH: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.tanh(x[xo + i]); break;
            case SIGMOID: for (int i = 0; i < n; i++) o[oo + i] = (float) (1.0 / (1.0 + Math.exp(-x[xo + i]))); break;
            case SILU:
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    o[oo + i] = (float) (v / (1.0 + Math.exp(-v)));
                }
                break;
            case RELU: for (int i = 0; i < n; i++) o[oo + i] = Math.max(x[xo + i], 0f); break;
            case NAN_TO_NUM:
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    o[oo + i] = Float.isNaN(v) ? 0f : v == Float.POSITIVE_INFINITY ? 1e5f : v == Float.NEGATIVE_INFINITY ? -1e5f : v;
                }
                break;
            default: throw new IllegalArgumentException("unary " + op);
        }
    }

    /** {@code gi = g * op'(x)} (y = op(x)); the rules of {@link ReferenceBackend#unaryBackward}. */
    void unaryBackward(UnaryOp op, float[] x, float[] y, float[] g, float[] gi, int off, int n) {
        switch (op) {
            case NEG: for (int i = off; i < off + n; i++) gi[i] = -g[i]; break;
            case EXP: for (int i = off; i < off + n; i++) gi[i] = g[i] * y[i]; break;
            case LOG: for (int i = off; i < off + n; i++) gi[i] = g[i] / x[i]; break;
            case SQRT: for (int i = off; i < off + n; i++) gi[i] = g[i] * 0.5f / y[i]; break;
            case RSQRT: for (int i = off; i < off + n; i++) gi[i] = g[i] * -0.5f * y[i] * y[i] * y[i]; break;
            case SQUARE: for (int i = off; i < off + n; i++) gi[i] = g[i] * 2f * x[i]; break;
            case RECIPROCAL: for (int i = off; i < off + n; i++) gi[i] = -g[i] * y[i] * y[i]; break;
            case ABS: for (int i = off; i < off + n; i++) gi[i] = g[i] * Math.signum(x[i]); break;
            case SIGN: case NAN_TO_NUM: for (int i = off; i < off + n; i++) gi[i] = 0f; break;
            case SIN: for (int i = off; i < off + n; i++) gi[i] = (float) (g[i] * Math.cos(x[i])); break;
            case COS: for (int i = off; i < off + n; i++) gi[i] = (float) (-g[i] * Math.sin(x[i])); break;
            case TANH: for (int i = off; i < off + n; i++) gi[i] = g[i] * (1f - y[i] * y[i]); break;
            case SIGMOID: for (int i = off; i < off + n; i++) gi[i] = g[i] * y[i] * (1f - y[i]); break;
            case SILU:
                for (int i = off; i < off + n; i++) {
                    float s = (float) (1.0 / (1.0 + Math.exp(-x[i])));
                    gi[i] = g[i] * s * (1f + x[i] * (1f - s));
                }
                break;
            case RELU: for (int i = off; i < off + n; i++) gi[i] = x[i] > 0 ? g[i] : 0f; break;
            default: throw new IllegalArgumentException("unaryBackward " + op);
        }
    }

    /** {@code o = a op b}, all three ranges of length n. */
    void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + b[bo + i]; break;
            case SUB: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - b[bo + i]; break;
            case MUL: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * b[bo + i]; break;
            case DIV: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / b[bo + i]; break;
            case MAX: for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], b[bo + i]); break;
            case MIN: for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], b[bo + i]); break;
            case POW: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.pow(a[ao + i], b[bo + i]); break;
            default: throw new IllegalArgumentException("binary " + op);
        }
    }

    /** {@code o = a op s} (scalarRight) or {@code o = s op a} (otherwise). */
    void binaryScalar(BinaryOp op, float[] a, int ao, float s, boolean scalarRight, float[] o, int oo, int n) {
        if (!scalarRight) {
            switch (op) {
                case ADD: case MUL: case MAX: case MIN: break; // commutative
                case SUB: for (int i = 0; i < n; i++) o[oo + i] = s - a[ao + i]; return;
                case DIV: for (int i = 0; i < n; i++) o[oo + i] = s / a[ao + i]; return;
                case POW: for (int i = 0; i < n; i++) o[oo + i] = (float) Math.pow(s, a[ao + i]); return;
                default: throw new IllegalArgumentException("binary " + op);
            }
        }
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + s; break;
            case SUB: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - s; break;
            case MUL: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * s; break;
            case DIV: for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / s; break;
            case MAX: for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], s); break;
            case MIN: for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], s); break;
            case POW:
                if (s == 2f) for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * a[ao + i];
                else for (int i = 0; i < n; i++) o[oo + i] = (float) Math.pow(a[ao + i], s);
                break;
            default: throw new IllegalArgumentException("binary " + op);
        }
    }

    /** {@code o = alpha x + beta y}. */
    void axpby(float alpha, float[] x, float beta, float[] y, float[] o, int off, int n) {
        for (int i = off; i < off + n; i++) o[i] = alpha * x[i] + beta * y[i];
    }

    /** {@code o = min(max(x, lo), hi)}. */
    void clamp(float[] x, float lo, float hi, float[] o, int off, int n) {
        for (int i = off; i < off + n; i++) o[i] = Math.min(Math.max(x[i], lo), hi);
    }

    // ------------------------------------------------------------------ rows: softmax

    /** Softmax of one row. */
    void softmaxRow(float[] x, float[] o, int off, int len) {
        float m = max(x, off, len);
        double s = 0;
        for (int i = off; i < off + len; i++) {
            float e = (float) Math.exp(x[i] - m);
            o[i] = e;
            s += e;
        }
        float inv = (float) (1.0 / s);
        for (int i = off; i < off + len; i++) o[i] *= inv;
    }

    /**
     * gi = y (g - dot(g, y)) for one row, in double: when y is nearly one-hot the dominant element's gradient is
     * a tiny difference that a float dot product rounds to 0.
     */
    void softmaxBackwardRow(float[] y, float[] g, float[] gi, int off, int len) {
        double d = 0;
        for (int i = off; i < off + len; i++) d += (double) g[i] * y[i];
        for (int i = off; i < off + len; i++) gi[i] = (float) (y[i] * (g[i] - d));
    }

    // ------------------------------------------------------------------ resampling (one plane)

    void upsample2xPlane(float[] x, int xo, int h, int w, float[] o, int oo) {
        int w2 = 2 * w;
        for (int yy = 0; yy < h; yy++) {
            int src = xo + yy * w, d = oo + 2 * yy * w2;
            for (int j = 0; j < w; j++) {
                float v = x[src + j];
                o[d + 2 * j] = v;
                o[d + 2 * j + 1] = v;
            }
            System.arraycopy(o, d, o, d + w2, w2);
        }
    }

    /** out[h][w] = scale * (sum of the 2x2 block of in[2h][2w]). */
    void pool2xPlane(float[] g, int go, int h, int w, float scale, float[] o, int oo) {
        int w2 = 2 * w;
        for (int yy = 0; yy < h; yy++) {
            int top = go + 2 * yy * w2, bottom = top + w2, d = oo + yy * w;
            for (int j = 0; j < w; j++) {
                o[d + j] = scale * ((g[top + 2 * j] + g[top + 2 * j + 1]) + (g[bottom + 2 * j] + g[bottom + 2 * j + 1]));
            }
        }
    }

    /** out[2h][2w] = scale * in[h][w]. */
    void spread2xPlane(float[] g, int go, int h, int w, float scale, float[] o, int oo) {
        int w2 = 2 * w;
        for (int yy = 0; yy < h; yy++) {
            int src = go + yy * w, d = oo + 2 * yy * w2;
            for (int j = 0; j < w; j++) {
                float v = scale * g[src + j];
                o[d + 2 * j] = v;
                o[d + 2 * j + 1] = v;
            }
            System.arraycopy(o, d, o, d + w2, w2);
        }
    }

    // ------------------------------------------------------------------ optimiser updates

    /** Adam over a range; see {@link dev.sfd.backend.Backend#adamStep}. */
    void adam(float[] p, float[] g, float[] m, float[] v, int off, int n, float lr, float b1, float b2, float eps,
              float wd, float invBc1, float invBc2) {
        for (int i = off; i < off + n; i++) {
            float gi = wd != 0f ? g[i] + wd * p[i] : g[i];
            float mi = b1 * m[i] + (1f - b1) * gi;
            float vi = b2 * v[i] + (1f - b2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= lr * (mi * invBc1) / ((float) Math.sqrt(vi * invBc2) + eps);
        }
    }

    /** e = beta e + (1 - beta) p. */
    void ema(float[] e, float[] p, int off, int n, float beta) {
        float a = 1f - beta;
        for (int i = off; i < off + n; i++) e[i] = beta * e[i] + a * p[i];
    }

    // ------------------------------------------------------------------ SiD loss (one sample)

    /** Returns {sum |r - x|, sum (r - f)((r - x) - alpha (r - f))} over one sample. */
    void sidSums(float[] x, float[] r, float[] f, int off, int n, float alpha, double[] out2) {
        double abs = 0, s = 0;
        for (int i = off; i < off + n; i++) {
            float d = r[i] - f[i], e = r[i] - x[i];
            abs += Math.abs(e);
            s += d * (e - alpha * d);
        }
        out2[0] = abs;
        out2[1] = s;
    }

    /** The three SiD gradients over one sample with scale = gradLoss / omega. */
    void sidBackward(float[] x, float[] r, float[] f, int off, int n, float alpha, float scale, float[] gx, float[] gr, float[] gf) {
        for (int i = off; i < off + n; i++) {
            float d = r[i] - f[i], e = r[i] - x[i];
            float t = e - 2f * alpha * d;
            gx[i] = -d * scale;
            gr[i] = (t + d) * scale;
            gf[i] = -t * scale;
        }
    }
}
