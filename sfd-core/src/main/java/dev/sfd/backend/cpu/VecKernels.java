package dev.sfd.backend.cpu;

import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the {@link CpuKernels}; only loaded (reflectively, by {@link VectorSupport}) when the
 * module is present. Vectors stay in local variables and the species is a static final constant so C2
 * keeps them in registers (anything else boxes and runs 10-100x slower). Each loop covers
 * {@code S.loopBound(n)} elements and hands the tail to the plain-Java kernel. Ops whose Java semantics a
 * vector instruction does not reproduce exactly (MAX/MIN/RELU with NaN and -0, SIGN, NAN_TO_NUM, POW) stay
 * in the plain-Java kernels.
 *
 * <p>Determinism: results must not depend on whether C2 has compiled a kernel yet (runs are bitwise
 * repeatable and resumed training continues bit-identically). The Vector API's interpreter fallback and C2's
 * intrinsics agree exactly on add, mul, div, sqrt, fma, min/max, compares, blends and conversions, but not
 * on {@code reduceLanes(ADD)} (tree order vs lane order) nor on the SVML transcendental lanewise ops. So
 * horizontal sums go through {@link #laneSum} (lane order), exp is {@link #exp} (Cephes-style polynomial in
 * exact IEEE operations), and LOG/SIN/COS/TANH stay scalar.
 */
final class VecKernels extends CpuKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final Sgemm.MicroKernel GEMM = pick(System.getProperty("sfd.gemm.kernel", "8x2"));

    @Override boolean vectorized() { return true; }

    @Override Sgemm.MicroKernel sgemmKernel() { return GEMM; }

    private static final ConvTile CONV = VecConvTile.pick(System.getProperty("sfd.conv.tile"));

    @Override ConvTile convTile() { return CONV; }

    static Sgemm.MicroKernel pick(String name) {
        switch (name) {
            case "scalar": return ScalarGemmKernel.INSTANCE; // the scalar reference: a deliberately slow switch
            case "6x2": return new VecGemmKernels.K6x2();
            case "12x2": return new VecGemmKernels.K12x2();
            case "8x3": return new VecGemmKernels.K8x3();
            case "4x4": return new VecGemmKernels.K4x4();
            case "8x2": return new VecGemmKernels.K8x2();
            default: throw new IllegalArgumentException("unknown -Dsfd.gemm.kernel=" + name + " (6x2, 8x2, 12x2, 8x3, 4x4, scalar)");
        }
    }

    /** Sum of the lanes in lane order (deterministic in the interpreter and in C2, unlike reduceLanes). */
    static double laneSum(FloatVector v) {
        float[] t = new float[L];
        v.intoArray(t, 0);
        double s = 0;
        for (int i = 0; i < L; i++) s += t[i];
        return s;
    }

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float EXP_HI = 88.72283f, EXP_LO = -86.6f;

    /**
     * e^x with ~1 ulp error (Cephes expf): x = n ln2 + r, a degree-6 polynomial for e^r, times 2^(n-1) * 2.
     * Built only from exactly-rounded operations, so it is bitwise identical before and after JIT compilation.
     * Above ln(FLT_MAX) gives +Inf; below -86.6 (true results under 2.5e-38) gives 0 (no subnormals); NaN
     * stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.min(EXP_HI).max(EXP_LO);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, MAGIC)); // MAGIC + round(x log2 e)
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, 1.9875691500E-4f), FloatVector.broadcast(S, 1.3981999507E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073E-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894E-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459E-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201E-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // 2^(n-1) from the bits of t (its low mantissa bits hold n): no float-to-int conversion, which C2 in
        // JDK 17 does not intrinsify for 512-bit vectors
        IntVector bits = t.reinterpretAsInts().sub(MAGIC_BITS - 126).lanewise(VectorOperators.LSHL, 23);
        FloatVector scale = bits.reinterpretAsFloats();
        FloatVector e = y.mul(scale).mul(2f);
        VectorMask<Float> over = x.compare(VectorOperators.GT, EXP_HI), under = x.compare(VectorOperators.LT, EXP_LO);
        return e.blend(Float.POSITIVE_INFINITY, over).blend(0f, under);
    }

    // ------------------------------------------------------------------ reductions over a range

    @Override
    float sum(float[] x, int off, int len) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, off + i));
            a1 = a1.add(FloatVector.fromArray(S, x, off + i + L));
        }
        for (; i + L <= len; i += L) a0 = a0.add(FloatVector.fromArray(S, x, off + i));
        float s = (float) laneSum(a0.add(a1));
        for (; i < len; i++) s += x[off + i];
        return s;
    }

    @Override
    void centeredMoments(float[] x, int off, int len, float c, double[] out2) {
        FloatVector cv = FloatVector.broadcast(S, c), s = FloatVector.zero(S), q = FloatVector.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(cv);
            s = s.add(d);
            q = d.fma(d, q);
        }
        double ss = laneSum(s), qq = laneSum(q);
        for (; i < len; i++) {
            float d = x[off + i] - c;
            ss += d;
            qq += d * d;
        }
        out2[0] = ss;
        out2[1] = qq;
    }

    @Override
    float dot(float[] x, int xo, float[] y, int yo, int len) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            a0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a0);
            a1 = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), a1);
        }
        for (; i + L <= len; i += L) a0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a0);
        float s = (float) laneSum(a0.add(a1));
        for (; i < len; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    @Override
    float dotCentered(float[] dy, float[] x, int off, int len, float mean) {
        FloatVector mv = FloatVector.broadcast(S, mean), a = FloatVector.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += L) {
            a = FloatVector.fromArray(S, dy, off + i).fma(FloatVector.fromArray(S, x, off + i).sub(mv), a);
        }
        float s = (float) laneSum(a);
        for (; i < len; i++) s += dy[off + i] * (x[off + i] - mean);
        return s;
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    void addInPlace(float[] y, int yo, float[] x, int xo, int len) {
        int i = 0;
        for (int n = S.loopBound(len); i < n; i += L) {
            FloatVector.fromArray(S, y, yo + i).add(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] += x[xo + i];
    }

    @Override
    void normalize(float[] x, int off, float mean, float scale, float shift, float[] o, int len) {
        FloatVector mv = FloatVector.broadcast(S, mean), sc = FloatVector.broadcast(S, scale), sh = FloatVector.broadcast(S, shift);
        int i = off, ub = off + S.loopBound(len);
        for (; i < ub; i += L) FloatVector.fromArray(S, x, i).sub(mv).fma(sc, sh).intoArray(o, i);
        if (i < off + len) super.normalize(x, i, mean, scale, shift, o, off + len - i);
    }

    @Override
    void gnBackwardApply(float[] dy, float[] x, float mean, float a, float b, float c, float[] o, int off, int len) {
        FloatVector mv = FloatVector.broadcast(S, mean), av = FloatVector.broadcast(S, a);
        FloatVector bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        int i = off, ub = off + S.loopBound(len);
        for (; i < ub; i += L) {
            FloatVector t = FloatVector.fromArray(S, x, i).sub(mv).fma(bv, cv);
            FloatVector.fromArray(S, dy, i).fma(av, t).intoArray(o, i);
        }
        if (i < off + len) super.gnBackwardApply(dy, x, mean, a, b, c, o, i, off + len - i);
    }

    /** Dispatches to one small method per op, so each loop is compiled with its own profile and exp inlines. */
    @Override
    void unary(UnaryOp op, float[] x, int xo, float[] o, int oo, int n) {
        int done;
        switch (op) {
            case NEG: done = unNeg(x, xo, o, oo, n); break;
            case EXP: done = unExp(x, xo, o, oo, n); break;
            case SQRT: done = unSqrt(x, xo, o, oo, n); break;
            case RSQRT: done = unRsqrt(x, xo, o, oo, n); break;
            case SQUARE: done = unSquare(x, xo, o, oo, n); break;
            case RECIPROCAL: done = unReciprocal(x, xo, o, oo, n); break;
            case ABS: done = unAbs(x, xo, o, oo, n); break;
            case SIGMOID: done = unSigmoid(x, xo, o, oo, n); break;
            case SILU: done = unSilu(x, xo, o, oo, n); break;
            default: done = 0; break;
        }
        if (done < n) super.unary(op, x, xo + done, o, oo + done, n - done);
    }

    private static int unNeg(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.neg().intoArray(o, oo + i);
        }
        return i;
    }

    private static int unExp(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            exp(v).intoArray(o, oo + i);
        }
        return i;
    }

    private static int unSqrt(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.sqrt().intoArray(o, oo + i);
        }
        return i;
    }

    private static int unRsqrt(float[] x, int xo, float[] o, int oo, int n) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ONE.div(v.sqrt()).intoArray(o, oo + i);
        }
        return i;
    }

    private static int unSquare(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(v).intoArray(o, oo + i);
        }
        return i;
    }

    private static int unReciprocal(float[] x, int xo, float[] o, int oo, int n) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ONE.div(v).intoArray(o, oo + i);
        }
        return i;
    }

    private static int unAbs(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.abs().intoArray(o, oo + i);
        }
        return i;
    }

    private static int unSigmoid(float[] x, int xo, float[] o, int oo, int n) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ONE.div(ONE.add(exp(v.neg()))).intoArray(o, oo + i);
        }
        return i;
    }

    private static int unSilu(float[] x, int xo, float[] o, int oo, int n) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.div(ONE.add(exp(v.neg()))).intoArray(o, oo + i);
        }
        return i;
    }

    @Override
    void unaryBackward(UnaryOp op, float[] xa, float[] ya, float[] ga, float[] gi, int off, int n) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f), TWO = FloatVector.broadcast(S, 2f);
        final FloatVector HALF = FloatVector.broadcast(S, 0.5f), MHALF = FloatVector.broadcast(S, -0.5f);
        int i = off, ub = off + S.loopBound(n);
        switch (op) {
            case NEG:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    g.neg().intoArray(gi, i);
                }
                break;
            case EXP:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.mul(y).intoArray(gi, i);
                }
                break;
            case LOG:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector x = FloatVector.fromArray(S, xa, i);
                    g.div(x).intoArray(gi, i);
                }
                break;
            case SQRT:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.mul(HALF).div(y).intoArray(gi, i);
                }
                break;
            case RSQRT:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.mul(MHALF).mul(y).mul(y).mul(y).intoArray(gi, i);
                }
                break;
            case SQUARE:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector x = FloatVector.fromArray(S, xa, i);
                    g.mul(TWO).mul(x).intoArray(gi, i);
                }
                break;
            case RECIPROCAL:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.neg().mul(y).mul(y).intoArray(gi, i);
                }
                break;
            case TANH:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.mul(ONE.sub(y.mul(y))).intoArray(gi, i);
                }
                break;
            case SIGMOID:
                for (; i < ub; i += L) {
                    FloatVector g = FloatVector.fromArray(S, ga, i);
                    FloatVector y = FloatVector.fromArray(S, ya, i);
                    g.mul(y).mul(ONE.sub(y)).intoArray(gi, i);
                }
                break;
            case SILU:
                i = siluBackward(xa, ga, gi, i, ub);
                break;
            default:
                break;
        }
        if (i < off + n) super.unaryBackward(op, xa, ya, ga, gi, i, off + n - i);
    }

    private static int siluBackward(float[] xa, float[] ga, float[] gi, int i, int ub) {
        final FloatVector ONE = FloatVector.broadcast(S, 1f);
        for (; i < ub; i += L) {
            FloatVector g = FloatVector.fromArray(S, ga, i);
            FloatVector x = FloatVector.fromArray(S, xa, i);
            FloatVector s = ONE.div(ONE.add(exp(x.neg())));
            g.mul(s).mul(ONE.add(x.mul(ONE.sub(s)))).intoArray(gi, i);
        }
        return i;
    }

    @Override
    void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int i = 0, ub = S.loopBound(n);
        switch (op) {
            case ADD:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
                break;
            case SUB:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
                break;
            case MUL:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
                break;
            case DIV:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
                break;
            default:
                break;
        }
        if (i < n) super.binary(op, a, ao + i, b, bo + i, o, oo + i, n - i);
    }

    @Override
    void binaryScalar(BinaryOp op, float[] a, int ao, float s, boolean scalarRight, float[] o, int oo, int n) {
        final FloatVector sv = FloatVector.broadcast(S, s);
        int i = 0, ub = S.loopBound(n);
        switch (op) {
            case ADD:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).add(sv).intoArray(o, oo + i);
                break;
            case SUB:
                if (scalarRight) for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).sub(sv).intoArray(o, oo + i);
                else for (; i < ub; i += L) sv.sub(FloatVector.fromArray(S, a, ao + i)).intoArray(o, oo + i);
                break;
            case MUL:
                for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).mul(sv).intoArray(o, oo + i);
                break;
            case DIV:
                if (scalarRight) for (; i < ub; i += L) FloatVector.fromArray(S, a, ao + i).div(sv).intoArray(o, oo + i);
                else for (; i < ub; i += L) sv.div(FloatVector.fromArray(S, a, ao + i)).intoArray(o, oo + i);
                break;
            default:
                break;
        }
        if (i < n) super.binaryScalar(op, a, ao + i, s, scalarRight, o, oo + i, n - i);
    }


    @Override
    void axpby(float alpha, float[] x, float beta, float[] y, float[] o, int off, int n) {
        FloatVector av = FloatVector.broadcast(S, alpha), bv = FloatVector.broadcast(S, beta);
        int i = off, ub = off + S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector.fromArray(S, x, i).mul(av).add(FloatVector.fromArray(S, y, i).mul(bv)).intoArray(o, i);
        }
        if (i < off + n) super.axpby(alpha, x, beta, y, o, i, off + n - i);
    }

    // ------------------------------------------------------------------ rows: softmax

    @Override
    void softmaxRow(float[] x, float[] o, int off, int len) {
        float m = max(x, off, len);
        FloatVector mv = FloatVector.broadcast(S, m), acc = FloatVector.zero(S);
        int i = off, ub = off + S.loopBound(len);
        for (; i < ub; i += L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, i).sub(mv));
            e.intoArray(o, i);
            acc = acc.add(e);
        }
        double s = laneSum(acc);
        for (; i < off + len; i++) {
            float e = (float) Math.exp(x[i] - m);
            o[i] = e;
            s += e;
        }
        float inv = (float) (1.0 / s);
        FloatVector iv = FloatVector.broadcast(S, inv);
        i = off;
        for (; i < ub; i += L) FloatVector.fromArray(S, o, i).mul(iv).intoArray(o, i);
        for (; i < off + len; i++) o[i] *= inv;
    }

    // ------------------------------------------------------------------ optimiser updates

    @Override
    void adam(float[] p, float[] g, float[] m, float[] v, int off, int n, float lr, float b1, float b2, float eps,
              float wd, float invBc1, float invBc2) {
        FloatVector vb1 = FloatVector.broadcast(S, b1), vb1c = FloatVector.broadcast(S, 1f - b1);
        FloatVector vb2 = FloatVector.broadcast(S, b2), vb2c = FloatVector.broadcast(S, 1f - b2);
        FloatVector vwd = FloatVector.broadcast(S, wd), vlr = FloatVector.broadcast(S, lr), veps = FloatVector.broadcast(S, eps);
        FloatVector vbc1 = FloatVector.broadcast(S, invBc1), vbc2 = FloatVector.broadcast(S, invBc2);
        int i = off, ub = off + S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector gv = FloatVector.fromArray(S, g, i);
            if (wd != 0f) gv = pv.fma(vwd, gv);
            FloatVector mv = FloatVector.fromArray(S, m, i).mul(vb1).add(gv.mul(vb1c));
            FloatVector vv = FloatVector.fromArray(S, v, i).mul(vb2).add(gv.mul(gv).mul(vb2c));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            FloatVector step = vlr.mul(mv.mul(vbc1)).div(vv.mul(vbc2).sqrt().add(veps));
            pv.sub(step).intoArray(p, i);
        }
        if (i < off + n) super.adam(p, g, m, v, i, off + n - i, lr, b1, b2, eps, wd, invBc1, invBc2);
    }

    @Override
    void ema(float[] e, float[] p, int off, int n, float beta) {
        FloatVector bv = FloatVector.broadcast(S, beta), av = FloatVector.broadcast(S, 1f - beta);
        int i = off, ub = off + S.loopBound(n);
        for (; i < ub; i += L) FloatVector.fromArray(S, e, i).mul(bv).add(FloatVector.fromArray(S, p, i).mul(av)).intoArray(e, i);
        if (i < off + n) super.ema(e, p, i, off + n - i, beta);
    }

    // ------------------------------------------------------------------ SiD loss

    @Override
    void sidSums(float[] x, float[] r, float[] f, int off, int n, float alpha, double[] out2) {
        FloatVector av = FloatVector.broadcast(S, alpha), abs = FloatVector.zero(S), sum = FloatVector.zero(S);
        int i = off, ub = off + S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector rv = FloatVector.fromArray(S, r, i);
            FloatVector d = rv.sub(FloatVector.fromArray(S, f, i)), e = rv.sub(FloatVector.fromArray(S, x, i));
            abs = abs.add(e.abs());
            sum = d.fma(e.sub(av.mul(d)), sum);
        }
        double a = laneSum(abs), s = laneSum(sum);
        for (; i < off + n; i++) {
            float d = r[i] - f[i], e = r[i] - x[i];
            a += Math.abs(e);
            s += d * (e - alpha * d);
        }
        out2[0] = a;
        out2[1] = s;
    }

    @Override
    void sidBackward(float[] x, float[] r, float[] f, int off, int n, float alpha, float scale, float[] gx, float[] gr, float[] gf) {
        FloatVector a2 = FloatVector.broadcast(S, 2f * alpha), sc = FloatVector.broadcast(S, scale), nsc = FloatVector.broadcast(S, -scale);
        int i = off, ub = off + S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector rv = FloatVector.fromArray(S, r, i);
            FloatVector d = rv.sub(FloatVector.fromArray(S, f, i)), e = rv.sub(FloatVector.fromArray(S, x, i));
            FloatVector t = e.sub(a2.mul(d));
            d.mul(nsc).intoArray(gx, i);
            t.add(d).mul(sc).intoArray(gr, i);
            t.mul(nsc).intoArray(gf, i);
        }
        if (i < off + n) super.sidBackward(x, r, f, i, off + n - i, alpha, scale, gx, gr, gf);
    }
}
