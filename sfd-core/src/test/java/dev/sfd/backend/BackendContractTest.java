package dev.sfd.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sfd.ops.Ops;
import dev.sfd.random.Philox;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link Backend} meets: each SPI primitive of the backend under test ({@link #backend()})
 * is run on awkward shapes (sizes 1, 7, 33, 129, batch 1, odd H/W, broadcast operands, strided views) and
 * compared with {@link Backends#reference()} on identical inputs, in FLOAT32 and FLOAT64. Subclasses name the
 * backend; {@link #everyPrimitiveHasAContractTest} fails when an SPI method gains no test here.
 *
 * <p>Tolerances. An element passes when {@code |got - want| <= tol * (|want| + rms(want))}, where the
 * rms term keeps elements that cancel towards 0 from demanding impossible relative accuracy, and
 * {@code tol = base * sqrt(max(1, L))} with {@code L} the reduction length behind one output element
 * (K for GEMM, Ci*K*K for conv, the group size for group norm, 1 for elementwise ops) and
 * {@code base = 1e-10} for FLOAT64, {@code 1e-5} for FLOAT32. A FLOAT32 kernel that accumulates in float
 * stays well inside this (its error grows like sqrt(L) * 6e-8 for random data); an indexing mistake gives
 * errors of order 1. NaN matches NaN. Philox uniforms must match bit-exactly, normals to 1e-6 (docs/philox.md).
 *
 * <p>Outputs are pre-filled with garbage (NaN on the backend under test, 12345 on the reference) so an
 * element a kernel forgets to write, or an output it accumulates into, fails the comparison.
 *
 * <p>Aliasing (Backend's contract, relied on by ops, optimisers and gradient accumulation; tested in
 * {@link #elementwiseKernelsAllowOutToAliasAnInput}): the elementwise kernels with the output equal to an input.
 */
public abstract class BackendContractTest {

    /** The backend under test. */
    protected abstract Backend backend();

    protected final Backend ref = Backends.reference();

    /** Names the SPI primitives a contract test exercises; read by {@link #everyPrimitiveHasAContractTest}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    protected @interface Covers {
        String[] value();
    }

    /** SPI methods that every test uses implicitly (tensor creation and read-back). */
    private static final Set<String> INFRASTRUCTURE = Set.of("name", "device", "allocate", "upload", "downloadDouble", "downloadFloat");

    // =================================================================== pairs of tensors

    /** The same data as a tensor of the backend under test ({@code t}) and of the reference ({@code r}). */
    protected record P(Tensor t, Tensor r) {
        P map(UnaryOperator<Tensor> f) { return new P(f.apply(t), f.apply(r)); }
    }

    /** Picks one side of a pair (null-safe), so a kernel call is written once for both backends. */
    protected interface Side {
        Tensor of(P p);
    }

    protected interface Kernel {
        void run(Backend be, Side side);
    }

    /** Runs a kernel on the backend under test and on the reference. */
    protected void both(Kernel k) {
        k.run(backend(), p -> p == null ? null : p.t());
        k.run(ref, p -> p == null ? null : p.r());
    }

    private SplittableRandom rnd = new SplittableRandom(20240611);

    protected static Tensor upload(Backend be, DType dt, double[] v, int... shape) {
        if (dt == DType.FLOAT64) return new Tensor(be.upload(v), shape);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new Tensor(be.upload(f), shape);
    }

    protected P data(DType dt, double[] v, int... shape) {
        return new P(upload(backend(), dt, v, shape), upload(ref, dt, v, shape));
    }

    protected P randn(DType dt, int... shape) { return randn(dt, 1.0, 0.0, shape); }

    protected P randn(DType dt, double scale, double shift, int... shape) {
        double[] v = new double[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = shift + scale * gaussian();
        return data(dt, v, shape);
    }

    protected P uniform(DType dt, double lo, double hi, int... shape) {
        double[] v = new double[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return data(dt, v, shape);
    }

    /** Values with |v| in [0.5, 2] and random sign: safe divisors. */
    protected P awayFromZero(DType dt, int... shape) {
        double[] v = new double[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (rnd.nextBoolean() ? 1 : -1) * (0.5 + 1.5 * rnd.nextDouble());
        return data(dt, v, shape);
    }

    private double gaussian() {
        double u1 = 1.0 - rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** An output pair pre-filled with garbage: NaN under test, 12345 on the reference. */
    protected P out(DType dt, int... shape) {
        Tensor t = Tensor.zeros(backend(), dt, shape), r = Tensor.zeros(ref, dt, shape);
        backend().fill(t, Double.NaN);
        ref.fill(r, 12345);
        return new P(t, r);
    }

    // =================================================================== comparison

    protected static double tolerance(DType dt, double reductionLength) {
        return (dt == DType.FLOAT64 ? 1e-10 : 1e-5) * Math.sqrt(Math.max(1.0, reductionLength));
    }

    protected static void assertClose(String what, P p, double reductionLength) {
        assertClose(what, p.t(), p.r(), tolerance(p.r().dtype(), reductionLength));
    }

    protected static void assertClose(String what, Tensor got, Tensor want, double tol) {
        assertEquals(Shapes.str(want.shape()), Shapes.str(got.shape()), what + ": shape");
        double[] g = got.toDoubleArray(), w = want.toDoubleArray();
        double ss = 0;
        int finite = 0;
        for (double v : w) {
            if (Double.isFinite(v)) {
                ss += v * v;
                finite++;
            }
        }
        double rms = finite == 0 ? 0 : Math.sqrt(ss / finite);
        for (int i = 0; i < w.length; i++) {
            if (g[i] == w[i] || (Double.isNaN(g[i]) && Double.isNaN(w[i]))) continue;
            double err = Math.abs(g[i] - w[i]) / (Math.abs(w[i]) + rms);
            if (!(err <= tol)) {
                fail(what + ": element " + i + " of " + Shapes.str(want.shape()) + " is " + g[i] + ", reference " + w[i]
                        + " (scaled error " + err + " > " + tol + ")");
            }
        }
    }

    protected static void assertExact(String what, P p) {
        double[] g = p.t().toDoubleArray(), w = p.r().toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            if (Double.doubleToLongBits(g[i]) != Double.doubleToLongBits(w[i])) {
                fail(what + ": element " + i + " is " + g[i] + ", expected exactly " + w[i]);
            }
        }
    }

    private static String dims(int... s) { return Arrays.toString(s); }

    // =================================================================== coverage

    @Test
    void everyPrimitiveHasAContractTest() {
        Set<String> spi = new TreeSet<>();
        for (Method m : Backend.class.getMethods()) spi.add(m.getName());
        Set<String> covered = new TreeSet<>();
        for (Method m : BackendContractTest.class.getDeclaredMethods()) {
            Covers c = m.getAnnotation(Covers.class);
            if (c != null) covered.addAll(List.of(c.value()));
        }
        Set<String> unknown = new TreeSet<>(covered);
        unknown.removeAll(spi);
        assertTrue(unknown.isEmpty(), "@Covers names that are not Backend methods: " + unknown);
        spi.removeAll(INFRASTRUCTURE);
        spi.removeAll(covered);
        assertTrue(spi.isEmpty(), "Backend primitives without a contract test in BackendContractTest: " + spi);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void storageRoundTrip(DType dt) {
        double[] v = {1.5, -2.25, 3e-3, 7};
        Tensor t = upload(backend(), dt, v, 4);
        assertEquals(dt, t.dtype());
        assertEquals(backend(), t.backend(), "tensors of a backend's storage dispatch to that backend");
        assertEquals(-2.25, backend().downloadDouble(t.storage(), 1, 1)[0]);
        assertEquals(3e-3f, backend().downloadFloat(t.storage(), 2, 1)[0]);
        Tensor z = Tensor.zeros(backend(), dt, 3, 5);
        for (double d : z.toDoubleArray()) assertEquals(0.0, d);
    }

    // =================================================================== memory movement

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("copy")
    void copyStridedViewsAndDtypes(DType dt) {
        P x = randn(dt, 2, 3, 5, 7);
        // permuted source
        checkCopy("permute", x.map(t -> Ops.permute(t, 3, 1, 0, 2)), dt);
        // narrowed twice: offset and non-unit strides
        checkCopy("narrow", x.map(t -> Ops.narrow(Ops.narrow(t, 2, 1, 3), 3, 2, 4)), dt);
        // narrowed and permuted
        checkCopy("narrow+permute", x.map(t -> Ops.permute(Ops.narrow(t, 1, 1, 2), 0, 3, 2, 1)), dt);
        // stride-0 (expanded) source
        checkCopy("expand", x.map(t -> new Tensor(t.storage(), new int[] {4, 7}, new int[] {0, 1}, 7)), dt);
        // every-other-element vectors of the awkward sizes
        for (int n : new int[] {1, 7, 33, 129}) {
            P v = randn(dt, 2 * n + 1);
            checkCopy("stride 2, n=" + n, v.map(t -> new Tensor(t.storage(), new int[] {n}, new int[] {2}, 1)), dt);
        }
        // rank 0 and all-ones shapes
        checkCopy("rank 0", randn(dt, 1).map(t -> new Tensor(t.storage(), new int[0], new int[0], 0)), dt);
        checkCopy("[1,1,1]", randn(dt, 3).map(t -> new Tensor(t.storage(), new int[] {1, 1, 1}, new int[] {5, 9, 2}, 2)), dt);

        // strided destination: a permuted [5,5] block written into columns 2..6 of a [5,9] matrix; the rest is kept
        P big = randn(dt, 5, 9);
        P src = randn(dt, 5, 5).map(t -> Ops.permute(t, 1, 0));
        P dst = big.map(t -> Ops.narrow(t, 1, 2, 5));
        both((be, s) -> be.copy(s.of(src), s.of(dst)));
        assertClose("copy into strided destination", big, 1);
        assertEquals(big.r().get(4, 8), big.t().get(4, 8));
        assertEquals(src.r().get(3, 1), big.t().get(3, 3), 0.0);
    }

    private void checkCopy(String what, P src, DType dt) {
        for (DType to : DType.values()) {
            P dst = out(to, src.r().shape());
            both((be, s) -> be.copy(s.of(src), s.of(dst)));
            assertExact("copy " + what + " " + dt + "->" + to, dst);
            // against the elements themselves, read through the view's strides
            double[] flat = dst.r().toDoubleArray();
            int[] shape = src.r().shape();
            int[] idx = new int[shape.length];
            for (int i = 0; i < flat.length; i++) {
                double want = src.r().get(idx);
                assertEquals(to == DType.FLOAT32 ? (float) want : want, flat[i], 0.0, "copy " + what + " element " + Arrays.toString(idx));
                for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("fill")
    void fill(DType dt) {
        for (int n : new int[] {1, 7, 33, 129}) {
            for (double v : new double[] {0, -3.25, 1e-3}) {
                P o = out(dt, n);
                both((be, s) -> be.fill(s.of(o), v));
                assertExact("fill " + n, o);
                assertEquals(dt == DType.FLOAT32 ? (float) v : v, o.t().get(n - 1), 0.0);
            }
        }
    }

    // =================================================================== elementwise

    private static final int[][] ELEMENTWISE_SHAPES = {{1}, {7}, {33}, {3, 43}};

    /** Inputs inside the op's domain, with a 0 where the op is defined there, and NaN/Inf for NAN_TO_NUM. */
    private P unaryInput(UnaryOp op, DType dt, int[] shape) {
        switch (op) {
            case LOG, SQRT, RSQRT: return uniform(dt, 0.1, 3.0, shape);
            case RECIPROCAL: return awayFromZero(dt, shape);
            default:
                double[] v = new double[Shapes.numel(shape)];
                for (int i = 0; i < v.length; i++) v[i] = 2 * gaussian();
                v[0] = 0.0;
                if (op == UnaryOp.NAN_TO_NUM && v.length >= 7) {
                    v[1] = Double.NaN;
                    v[3] = Double.POSITIVE_INFINITY;
                    v[6] = Double.NEGATIVE_INFINITY;
                }
                return data(dt, v, shape);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("unary")
    void unaryEveryOp(DType dt) {
        for (UnaryOp op : UnaryOp.values()) {
            for (int[] shape : ELEMENTWISE_SHAPES) {
                P x = unaryInput(op, dt, shape), o = out(dt, shape);
                both((be, s) -> be.unary(op, s.of(x), s.of(o)));
                assertClose("unary " + op + " " + dims(shape), o, 1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("unaryBackward")
    void unaryBackwardEveryOp(DType dt) {
        for (UnaryOp op : UnaryOp.values()) {
            for (int[] shape : ELEMENTWISE_SHAPES) {
                P x = unaryInput(op, dt, shape), g = randn(dt, shape), y = out(dt, shape), gi = out(dt, shape);
                both((be, s) -> {
                    be.unary(op, s.of(x), s.of(y));
                    be.unaryBackward(op, s.of(x), s.of(y), s.of(g), s.of(gi));
                });
                assertClose("unaryBackward " + op + " " + dims(shape), gi, 1);
            }
        }
    }

    private static final int[][][] BROADCAST_PAIRS = {
        {{2, 3, 5, 7}, {2, 3, 5, 7}},
        {{2, 3, 5, 7}, {2, 3, 1, 1}},
        {{2, 3, 1, 1}, {2, 3, 5, 7}},
        {{1, 3, 1, 1}, {2, 3, 5, 7}},
        {{2, 3, 5, 7}, {}},
        {{}, {33}},
        {{1, 3, 1, 7}, {2, 1, 5, 1}},
        {{129}, {1}},
        {{5, 7}, {7}},
        {{7}, {3, 1, 7}},
        {{1}, {1}},
    };

    private P binaryRight(BinaryOp op, DType dt, int[] shape) {
        return op == BinaryOp.DIV ? awayFromZero(dt, shape) : randn(dt, shape);
    }

    private P binaryLeft(BinaryOp op, DType dt, int[] shape) {
        return op == BinaryOp.POW ? uniform(dt, 0.5, 2.0, shape) : randn(dt, shape);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("binary")
    void binaryBroadcasting(DType dt) {
        for (BinaryOp op : BinaryOp.values()) {
            for (int[][] pair : BROADCAST_PAIRS) {
                P a = binaryLeft(op, dt, pair[0]), b = binaryRight(op, dt, pair[1]);
                P o = out(dt, Shapes.broadcast("test", pair[0], pair[1]));
                both((be, s) -> be.binary(op, s.of(a), s.of(b), s.of(o)));
                assertClose("binary " + op + " " + dims(pair[0]) + " with " + dims(pair[1]), o, 1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("binaryScalar")
    void binaryScalarEveryOp(DType dt) {
        for (BinaryOp op : BinaryOp.values()) {
            double[] scalars = op == BinaryOp.POW ? new double[] {2, 0.5, -1.5, 3} : new double[] {2.5, -0.75};
            for (int[] shape : ELEMENTWISE_SHAPES) {
                for (double sc : scalars) {
                    P x = binaryLeft(op, dt, shape), o = out(dt, shape);
                    both((be, s) -> be.binaryScalar(op, s.of(x), sc, s.of(o)));
                    assertClose("binaryScalar " + op + " " + sc + " " + dims(shape), o, 1);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"axpby", "clamp"})
    void axpbyAndClamp(DType dt) {
        for (int[] shape : ELEMENTWISE_SHAPES) {
            P x = randn(dt, shape), y = randn(dt, shape);
            for (double[] ab : new double[][] {{1, 1}, {2.5, -0.5}, {0, 3}, {-1, 0}}) {
                P o = out(dt, shape);
                both((be, s) -> be.axpby(ab[0], s.of(x), ab[1], s.of(y), s.of(o)));
                assertClose("axpby " + Arrays.toString(ab) + " " + dims(shape), o, 1);
            }
            for (double[] lh : new double[][] {{-0.5, 0.5}, {0, 1}, {-10, 10}, {0.3, 0.3}}) {
                P o = out(dt, shape);
                both((be, s) -> be.clamp(s.of(x), lh[0], lh[1], s.of(o)));
                assertClose("clamp " + Arrays.toString(lh) + " " + dims(shape), o, 1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"unary", "unaryBackward", "binary", "binaryScalar", "axpby", "clamp"})
    void elementwiseKernelsAllowOutToAliasAnInput(DType dt) {
        int[] shape = {3, 43};
        P a = randn(dt, shape), b = randn(dt, 1, 43), y = randn(dt, shape), g = randn(dt, shape), sy = out(dt, shape);
        both((be, s) -> be.unary(UnaryOp.SIGMOID, s.of(a), s.of(sy)));
        both((be, s) -> be.unaryBackward(UnaryOp.SIGMOID, s.of(a), s.of(sy), s.of(g), s.of(g)));   // gradIn == gradOut
        assertClose("unaryBackward gradIn == gradOut", g, 1);
        both((be, s) -> be.unary(UnaryOp.TANH, s.of(a), s.of(a)));
        assertClose("unary out == x", a, 1);
        both((be, s) -> be.clamp(s.of(a), -0.5, 0.5, s.of(a)));
        assertClose("clamp out == x", a, 1);
        both((be, s) -> be.binary(BinaryOp.ADD, s.of(a), s.of(b), s.of(a)));          // Ops.expandTo
        assertClose("binary out == a", a, 1);
        both((be, s) -> be.binaryScalar(BinaryOp.ADD, s.of(a), 1.0, s.of(a)));        // Ops.geMask
        assertClose("binaryScalar out == x", a, 1);
        both((be, s) -> be.axpby(1.0, s.of(a), 1.0, s.of(y), s.of(a)));              // Tensor.accumulateGrad
        assertClose("axpby out == x", a, 1);
    }

    // =================================================================== reductions

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("reduce")
    void reduceOverAxisSets(DType dt) {
        int[] shape = {3, 7, 5, 33};
        int[][] axisSets = {{}, {0}, {1}, {3}, {0, 2}, {1, 3}, {1, 2, 3}, {0, 1, 2, 3}};
        for (ReduceOp op : ReduceOp.values()) {
            P x = randn(dt, shape);
            for (int[] axes : axisSets) checkReduce(op, x, axes, dt);
            checkReduce(op, randn(dt, 129), new int[] {0}, dt);
            checkReduce(op, randn(dt, 1, 7, 1), new int[] {1}, dt);
            checkReduce(op, randn(dt, 1, 7, 1), new int[] {0, 2}, dt);
            checkReduce(op, randn(dt, 33, 1), new int[] {0}, dt);
        }
    }

    private void checkReduce(ReduceOp op, P x, int[] axes, DType dt) {
        int[] kept = x.r().shape();
        int len = 1;
        for (int a : axes) {
            len *= kept[a];
            kept[a] = 1;
        }
        P o = out(dt, kept);
        both((be, s) -> be.reduce(op, s.of(x), s.of(o)));
        assertClose("reduce " + op + " of " + dims(x.r().shape()) + " over " + dims(axes), o, len);
    }

    // =================================================================== linear algebra

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers("matmul")
    void matmulTransposesAlphaBetaAndBatchBroadcast(DType dt) {
        int[][] cases = { // batch, batchA, batchB, M, K, N
            {1, 1, 1, 1, 1, 1}, {3, 3, 3, 7, 33, 5}, {3, 1, 3, 7, 5, 33}, {2, 2, 1, 33, 7, 9},
            {1, 1, 1, 129, 7, 33}, {2, 2, 2, 5, 129, 1}, {4, 1, 4, 1, 7, 1},
        };
        for (int[] c : cases) {
            int batch = c[0], ba = c[1], bb = c[2], m = c[3], k = c[4], n = c[5];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    P a = randn(dt, ta ? new int[] {ba, k, m} : new int[] {ba, m, k});
                    P b = randn(dt, tb ? new int[] {bb, n, k} : new int[] {bb, k, n});
                    for (double[] ab : new double[][] {{1, 0}, {0.5, -1.5}}) {
                        P cc = ab[1] == 0 ? out(dt, batch, m, n) : randn(dt, batch, m, n);
                        both((be, s) -> be.matmul(s.of(a), s.of(b), s.of(cc), ta, tb, ab[0], ab[1]));
                        assertClose("matmul " + Arrays.toString(c) + " transA=" + ta + " transB=" + tb + " alpha,beta=" + Arrays.toString(ab), cc, k);
                    }
                }
            }
        }
    }

    // =================================================================== convolution

    private static final int[][] CONV_CASES = { // N, Ci, Co, H, W, K, pad
        {1, 1, 1, 1, 1, 1, 0}, {2, 3, 5, 7, 9, 3, 1}, {1, 4, 2, 7, 5, 3, 0}, {2, 3, 4, 5, 7, 1, 0},
        {1, 2, 3, 1, 1, 3, 1}, {2, 5, 3, 9, 3, 1, 1}, {1, 33, 7, 5, 3, 3, 1}, {1, 2, 2, 4, 6, 3, 0},
    };

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"conv2d", "conv2dBackwardData", "conv2dBackwardWeight"})
    void conv2dForwardAndBackward(DType dt) {
        for (int[] c : CONV_CASES) {
            int n = c[0], ci = c[1], co = c[2], h = c[3], w = c[4], k = c[5], pad = c[6];
            int ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
            String what = "conv2d " + Arrays.toString(c);
            P x = randn(dt, n, ci, h, w), wt = randn(dt, co, ci, k, k), bias = randn(dt, co), g = randn(dt, n, co, ho, wo);
            for (boolean withBias : new boolean[] {true, false}) {
                P o = out(dt, n, co, ho, wo);
                both((be, s) -> be.conv2d(s.of(x), s.of(wt), withBias ? s.of(bias) : null, pad, s.of(o)));
                assertClose(what + " bias=" + withBias, o, ci * k * k);
            }
            P gx = out(dt, n, ci, h, w);
            both((be, s) -> be.conv2dBackwardData(s.of(g), s.of(wt), pad, s.of(gx)));
            assertClose(what + " backward data", gx, co * k * k);
            for (boolean withBias : new boolean[] {true, false}) {
                P gw = out(dt, co, ci, k, k), gb = out(dt, co);
                both((be, s) -> be.conv2dBackwardWeight(s.of(x), s.of(g), pad, s.of(gw), withBias ? s.of(gb) : null));
                assertClose(what + " backward weight", gw, n * ho * wo);
                if (withBias) assertClose(what + " backward bias", gb, n * ho * wo);
            }
        }
    }

    // =================================================================== normalisation

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"groupNorm", "groupNormBackward"})
    void groupNormForwardAndBackward(DType dt) {
        checkGroupNorm(dt, new int[] {2, 6, 5, 7}, 1, true, true);
        checkGroupNorm(dt, new int[] {2, 6, 5, 7}, 2, true, false);
        checkGroupNorm(dt, new int[] {2, 6, 5, 7}, 3, false, true);
        checkGroupNorm(dt, new int[] {2, 6, 5, 7}, 6, false, false);
        checkGroupNorm(dt, new int[] {1, 4, 33}, 2, true, true);
        checkGroupNorm(dt, new int[] {3, 8}, 4, true, true);
        checkGroupNorm(dt, new int[] {1, 32, 3, 3}, 32, true, true);
    }

    private void checkGroupNorm(DType dt, int[] shape, int groups, boolean withGamma, boolean withBeta) {
        String what = "groupNorm " + dims(shape) + " groups=" + groups + " gamma=" + withGamma + " beta=" + withBeta;
        int n = shape[0], c = shape[1], groupSize = Shapes.numel(shape) / (n * groups);
        // a mean offset of 10 catches a FLOAT32 one-pass variance that cancels catastrophically
        P x = randn(dt, 2.0, 10.0, shape), gamma = withGamma ? randn(dt, 1.0, 1.0, c) : null, beta = withBeta ? randn(dt, c) : null;
        P o = out(dt, shape), mean = out(dt, n, groups), rstd = out(dt, n, groups);
        both((be, s) -> be.groupNorm(s.of(x), s.of(gamma), s.of(beta), groups, 1e-5, s.of(o), s.of(mean), s.of(rstd)));
        assertClose(what, o, groupSize);
        assertClose(what + " mean", mean, groupSize);
        assertClose(what + " rstd", rstd, groupSize);

        P g = randn(dt, shape), gx = out(dt, shape);
        P gg = withGamma ? out(dt, c) : null, gb = withBeta ? out(dt, c) : null;
        both((be, s) -> be.groupNormBackward(s.of(x), s.of(gamma), s.of(mean), s.of(rstd), groups, s.of(g), s.of(gx), s.of(gg), s.of(gb)));
        assertClose(what + " backward x", gx, groupSize);
        int perChannel = Shapes.numel(shape) / c;
        if (withGamma) assertClose(what + " backward gamma", gg, perChannel);
        if (withBeta) assertClose(what + " backward beta", gb, perChannel);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"softmax", "softmaxBackward"})
    void softmaxForwardAndBackward(DType dt) {
        int[][] shapes = {{1}, {7}, {3, 33}, {2, 5, 129}, {4, 1}};
        for (int[] shape : shapes) {
            for (double scale : new double[] {1, 50}) {   // 50: exp overflows without the max shift
                int len = shape[shape.length - 1];
                P x = randn(dt, scale, 0, shape), y = out(dt, shape), g = randn(dt, shape), gi = out(dt, shape);
                both((be, s) -> {
                    be.softmax(s.of(x), s.of(y));
                    be.softmaxBackward(s.of(y), s.of(g), s.of(gi));
                });
                assertClose("softmax " + dims(shape) + " scale " + scale, y, len);
                assertClose("softmaxBackward " + dims(shape) + " scale " + scale, gi, len);
                for (double v : y.t().toDoubleArray()) assertTrue(Double.isFinite(v), "softmax " + dims(shape) + " is finite");
            }
        }
    }

    // =================================================================== resampling

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"upsample2x", "upsample2xBackward", "avgPool2x", "avgPool2xBackward"})
    void resampling(DType dt) {
        for (int[] s : new int[][] {{1, 1, 1, 1}, {2, 3, 5, 7}, {1, 4, 8, 6}, {1, 1, 1, 33}}) {
            int n = s[0], c = s[1], h = s[2], w = s[3];
            P x = randn(dt, s), up = out(dt, n, c, 2 * h, 2 * w), g = randn(dt, n, c, 2 * h, 2 * w), gi = out(dt, s);
            both((be, side) -> {
                be.upsample2x(side.of(x), side.of(up));
                be.upsample2xBackward(side.of(g), side.of(gi));
            });
            assertClose("upsample2x " + dims(s), up, 1);
            assertClose("upsample2xBackward " + dims(s), gi, 4);

            P big = randn(dt, n, c, 2 * h, 2 * w), pooled = out(dt, s), gp = randn(dt, s), gBig = out(dt, n, c, 2 * h, 2 * w);
            both((be, side) -> {
                be.avgPool2x(side.of(big), side.of(pooled));
                be.avgPool2xBackward(side.of(gp), side.of(gBig));
            });
            assertClose("avgPool2x " + dims(n, c, 2 * h, 2 * w), pooled, 4);
            assertClose("avgPool2xBackward " + dims(s), gBig, 1);
        }
    }

    // =================================================================== random numbers

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"randomNormal", "randomUniform"})
    void philoxStreamsMatchTheNormativeDefinition(DType dt) {
        long[] seeds = {0, 7, 0x0123_4567_89AB_CDEFL, -1};
        long[] counters = {0, 5, 0xFFFF_FFFEL, -3};   // 0xFFFFFFFE: the low word carries into the high word mid-draw
        for (long seed : seeds) {
            for (long counter : counters) {
                for (int n : new int[] {1, 7, 33, 129}) {
                    P u = out(dt, n), z = out(dt, 3, n);
                    both((be, s) -> {
                        be.randomUniform(seed, counter, s.of(u));
                        be.randomNormal(seed, counter, s.of(z));
                    });
                    String what = " seed=" + seed + " counter=" + counter + " n=" + n;
                    assertExact("randomUniform" + what, u);
                    assertClose("randomNormal" + what, z.t(), z.r(), 1e-6);
                    double[] direct = new double[3 * n];
                    Philox.normal(seed, counter, direct, 0, direct.length);
                    assertClose("randomNormal vs Philox" + what, z.t(), upload(ref, DType.FLOAT64, direct, 3, n), 1e-6);
                }
            }
        }
    }

    // =================================================================== fused optimiser updates

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"adamStep", "emaUpdate"})
    void adamAndEma(DType dt) {
        double[][] configs = { // lr, beta1, beta2, eps, weightDecay, step
            {1e-3, 0.9, 0.999, 1e-8, 0, 1}, {1e-2, 0.0, 0.999, 1e-8, 0.01, 10}, {5e-4, 0.5, 0.99, 1e-6, 0, 1000},
        };
        for (int n : new int[] {1, 7, 129}) {
            for (double[] cf : configs) {
                P p = randn(dt, n), g = randn(dt, n), m = randn(dt, 0.1, 0, n), v = uniform(dt, 0.01, 1, n);
                both((be, s) -> be.adamStep(s.of(p), s.of(g), s.of(m), s.of(v), cf[0], cf[1], cf[2], cf[3], cf[4], (long) cf[5]));
                String what = "adamStep n=" + n + " " + Arrays.toString(cf);
                assertClose(what + " param", p, 1);
                assertClose(what + " m", m, 1);
                assertClose(what + " v", v, 1);
            }
            for (double beta : new double[] {0.999, 0.5, 0, 1}) {
                P e = randn(dt, n), p = randn(dt, n);
                both((be, s) -> be.emaUpdate(s.of(e), s.of(p), beta));
                assertClose("emaUpdate n=" + n + " beta=" + beta, e, 1);
            }
        }
    }

    // =================================================================== fused SiD loss

    @ParameterizedTest
    @EnumSource(DType.class)
    @Covers({"sidLoss", "sidLossBackward"})
    void sidLossForwardAndBackward(DType dt) {
        for (int[] shape : new int[][] {{3, 2, 5, 7}, {1, 7}, {2, 129}, {4, 1}}) {
            int n = shape[0], d = Shapes.numel(shape) / n;
            for (double alpha : new double[] {1.2, 1.0}) {
                P x = randn(dt, shape), r = randn(dt, shape), f = randn(dt, shape);
                checkSid(dt, shape, alpha, x, r, f, d);
                // yReal == xg: omega falls back to its floor 1e-5
                checkSid(dt, shape, alpha, x, x, f, d);
                P omega = uniform(dt, 0.5, 2.0, n), gl = randn(dt, n);
                P gx = out(dt, shape), gr = out(dt, shape), gf = out(dt, shape);
                both((be, s) -> be.sidLossBackward(s.of(x), s.of(r), s.of(f), alpha, s.of(omega), s.of(gl), s.of(gx), s.of(gr), s.of(gf)));
                String what = "sidLossBackward " + dims(shape) + " alpha=" + alpha;
                assertClose(what + " xg", gx, 1);
                assertClose(what + " yReal", gr, 1);
                assertClose(what + " yFake", gf, 1);
            }
        }
    }

    private void checkSid(DType dt, int[] shape, double alpha, P x, P r, P f, int d) {
        P loss = out(dt, shape[0]), omega = out(dt, shape[0]);
        both((be, s) -> be.sidLoss(s.of(x), s.of(r), s.of(f), alpha, s.of(loss), s.of(omega)));
        assertClose("sidLoss " + dims(shape) + " alpha=" + alpha, loss, d);
        assertClose("sidLoss omega " + dims(shape), omega, d);
    }

    // =================================================================== through the ops layer, on strided inputs

    @ParameterizedTest
    @EnumSource(DType.class)
    void opsOnPermutedAndNarrowedInputs(DType dt) {
        P x = randn(dt, 4, 7, 33);
        P y = randn(dt, 33, 7, 6);
        P xp = x.map(t -> Ops.permute(t, 2, 1, 0));                 // [33, 7, 4]
        P yn = y.map(t -> Ops.narrow(t, 2, 1, 4));                  // [33, 7, 4]
        assertClose("Ops.add strided", opsBoth(xp, yn, Ops::add), 1);
        assertClose("Ops.mul strided with [.,1,1]", opsBoth(xp, randn(dt, 33, 1, 1), Ops::mul), 1);
        assertClose("Ops.sum strided", xp.map(t -> Ops.sum(t, new int[] {0, 2}, false)), 33 * 4);
        assertClose("Ops.softmax narrowed", yn.map(Ops::softmax), 4);

        P a = randn(dt, 33, 7), b = randn(dt, 33, 9);
        P at = a.map(t -> Ops.transpose(t, 0, 1));                  // [7, 33], strided
        assertClose("Ops.matmul transposed", opsBoth(at, b, Ops::matmul), 33);

        P nhwc = randn(dt, 2, 7, 5, 3);
        P nchw = nhwc.map(t -> Ops.permute(t, 0, 3, 1, 2));
        P w = randn(dt, 4, 3, 3, 3), bias = randn(dt, 4);
        P conv = new P(Ops.conv2d(nchw.t(), w.t(), bias.t(), 1), Ops.conv2d(nchw.r(), w.r(), bias.r(), 1));
        assertClose("Ops.conv2d on a permuted input", conv, 27);
        assertClose("Ops.groupNorm on a permuted input", nchw.map(t -> Ops.groupNorm(t, 3, null, null, 1e-5)), 35);

        P cat = new P(Ops.concat(1, xp.t(), yn.t()), Ops.concat(1, xp.r(), yn.r()));
        assertClose("Ops.concat strided", cat, 1);
    }

    private static P opsBoth(P a, P b, java.util.function.BinaryOperator<Tensor> op) {
        return new P(op.apply(a.t(), b.t()), op.apply(a.r(), b.r()));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void opsBackwardThroughAConvBlock(DType dt) {
        P x = randn(dt, 2, 4, 5, 7), w = randn(dt, 0.3, 0, 6, 4, 3, 3), bias = randn(dt, 6);
        P gamma = randn(dt, 1.0, 1.0, 6), scale = randn(dt, 1, 6, 1, 1);
        Tensor[][] leaves = {{x.t(), w.t(), bias.t(), gamma.t(), scale.t()}, {x.r(), w.r(), bias.r(), gamma.r(), scale.r()}};
        for (Tensor[] side : leaves) {
            for (Tensor t : side) t.requiresGrad(true);
            Tensor h = Ops.conv2d(side[0], side[1], side[2], 1);
            h = Ops.groupNorm(h, 3, side[3], null, 1e-5);
            h = Ops.silu(h);
            h = Ops.avgPool2x(Ops.narrow(Ops.narrow(h, 2, 0, 4), 3, 0, 6));
            h = Ops.mul(h, side[4]);
            Ops.sumAll(Ops.square(h)).backward();
        }
        String[] names = {"x", "w", "bias", "gamma", "scale"};
        for (int i = 0; i < names.length; i++) {
            assertClose("grad " + names[i], new P(leaves[0][i].grad(), leaves[1][i].grad()), 200);
        }
    }
}
