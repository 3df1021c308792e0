package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sfd.backend.Backend;
import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.ReduceOp;
import dev.sfd.backend.UnaryOp;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast FLOAT32 kernels other than GEMM/conv (elementwise, broadcast fast paths, reductions, group norm,
 * softmax, resampling, Adam, EMA, SiD loss), on both the Vector API and the plain-Java path, against
 * {@link ReferenceBackend} (double accumulation) on awkward sizes. Outputs start as NaN so a kernel that
 * skips an element fails. Tolerance per element: 1e-5 * sqrt(L) * (|want| + rms(want)), L the reduction length.
 */
class KernelsTest {
    static final int[] SIZES = {1, 7, 33, 129, 257, 100_003};
    final ReferenceBackend ref = new ReferenceBackend();

    static Stream<CpuBackend> backends() { return GemmTest.backends(); }

    /** A test body writes its outputs into {@code outs} using backend {@code be} on inputs fixed by the test. */
    interface Body {
        Tensor[] run(Backend be);
    }

    void compare(String what, double reductionLength, Body body, CpuBackend be) {
        Tensor[] want = body.run(ref), got = body.run(be);
        double tol = 1e-5 * Math.sqrt(Math.max(1, reductionLength));
        for (int t = 0; t < want.length; t++) {
            if (want[t] == null) continue;
            double[] w = want[t].toDoubleArray(), g = got[t].toDoubleArray();
            double rms = 0;
            for (double v : w) if (Double.isFinite(v)) rms += v * v;
            rms = Math.sqrt(rms / Math.max(1, w.length));
            for (int i = 0; i < w.length; i++) {
                if (Double.isNaN(w[i]) && Double.isNaN(g[i])) continue;
                if (w[i] == g[i]) continue;
                double err = Math.abs(g[i] - w[i]) / (Math.abs(w[i]) + rms);
                if (!(err <= tol)) {
                    fail(what + " (vector=" + be.vectorized() + ") output " + t + " element " + i + " of " + Shapes.str(want[t].shape())
                            + ": " + g[i] + " vs reference " + w[i] + " (scaled error " + err + " > " + tol + ")");
                }
            }
        }
    }

    static float[] randn(Random r, int n) { return Naive.randf(r, n); }

    static float[] positive(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.1 + Math.abs(r.nextGaussian()));
        return x;
    }

    static Tensor nan(int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        Arrays.fill(d, Float.NaN);
        return Tensor.wrap(d, shape);
    }

    static Tensor t(float[] d, int... shape) { return Tensor.wrap(d.clone(), shape); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void unaryAndBackward(CpuBackend be) {
        Random r = new Random(1);
        for (int n : SIZES) {
            for (UnaryOp op : UnaryOp.values()) {
                boolean pos = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT;
                float[] x = pos ? positive(r, n) : randn(r, n);
                if (op == UnaryOp.NAN_TO_NUM && n >= 3) {
                    x[0] = Float.NaN;
                    x[1] = Float.POSITIVE_INFINITY;
                    x[2] = Float.NEGATIVE_INFINITY;
                }
                float[] g = randn(r, n);
                compare("unary " + op + " n=" + n, 1, b -> {
                    Tensor y = nan(n);
                    b.unary(op, t(x, n), y);
                    return new Tensor[] {y};
                }, be);
                float[] y = new float[n];
                ref.unary(op, t(x, n), Tensor.wrap(y, n));
                compare("unaryBackward " + op + " n=" + n, 1, b -> {
                    Tensor gi = nan(n);
                    b.unaryBackward(op, t(x, n), t(y, n), t(g, n), gi);
                    return new Tensor[] {gi};
                }, be);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void binaryFastPathsAndFallback(CpuBackend be) {
        Random r = new Random(2);
        int[][][] cases = {
            {{7}, {7}}, {{100_003}, {100_003}}, {{3, 33}, {1}}, {{1}, {3, 33}},
            {{2, 5, 3, 7}, {1, 5, 1, 1}}, {{1, 5, 1, 1}, {2, 5, 3, 7}}, {{4, 17, 9, 9}, {17, 1, 1}},
            {{5, 33}, {33}}, {{33}, {5, 33}}, {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {2, 1, 4}},
            {{6, 1}, {1, 5}}, {{64, 32, 16, 16}, {1, 32, 1, 1}},
        };
        for (int[][] c : cases) {
            int[] out = Shapes.broadcast("test", c[0], c[1]);
            for (BinaryOp op : BinaryOp.values()) {
                boolean pos = op == BinaryOp.POW;
                float[] a = pos ? positive(r, Shapes.numel(c[0])) : randn(r, Shapes.numel(c[0]));
                float[] b = op == BinaryOp.DIV ? positive(r, Shapes.numel(c[1])) : randn(r, Shapes.numel(c[1]));
                compare("binary " + op + " " + Shapes.str(c[0]) + " " + Shapes.str(c[1]), 1, be2 -> {
                    Tensor o = nan(out);
                    be2.binary(op, t(a, c[0]), t(b, c[1]), o);
                    return new Tensor[] {o};
                }, be);
            }
        }
        for (int n : SIZES) {
            float[] x = positive(r, n), y = randn(r, n);
            for (BinaryOp op : BinaryOp.values()) {
                compare("binaryScalar " + op + " n=" + n, 1, b -> {
                    Tensor o = nan(n);
                    b.binaryScalar(op, t(x, n), op == BinaryOp.POW ? 1.7 : -0.3, o);
                    return new Tensor[] {o};
                }, be);
            }
            compare("axpby n=" + n, 1, b -> {
                Tensor o = nan(n);
                b.axpby(0.7, t(x, n), -1.3, t(y, n), o);
                return new Tensor[] {o};
            }, be);
            compare("clamp n=" + n, 1, b -> {
                Tensor o = nan(n);
                b.clamp(t(y, n), -0.5, 0.25, o);
                return new Tensor[] {o};
            }, be);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reductions(CpuBackend be) {
        Random r = new Random(3);
        int[][][] cases = {
            {{64, 32, 16, 16}, {1, 32, 1, 1}}, {{3, 5, 7, 9}, {3, 5, 1, 1}}, {{3, 5, 7, 9}, {1, 1, 1, 1}},
            {{129, 33}, {1, 33}}, {{129, 33}, {129, 1}}, {{7}, {1}}, {{100_003}, {1}}, {{2, 3, 4}, {1, 3, 4}},
            {{2, 3, 4}, {2, 1, 4}}, {{2, 3, 4, 5}, {1, 3, 1, 5}}, {{1, 9, 1}, {1, 9, 1}},
        };
        for (int[][] c : cases) {
            float[] x = randn(r, Shapes.numel(c[0]));
            for (ReduceOp op : ReduceOp.values()) {
                compare("reduce " + op + " " + Shapes.str(c[0]) + " -> " + Shapes.str(c[1]), Shapes.numel(c[0]) / Math.max(1, Shapes.numel(c[1])), b -> {
                    Tensor o = nan(c[1]);
                    b.reduce(op, t(x, c[0]), o);
                    return new Tensor[] {o};
                }, be);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void groupNormForwardBackward(CpuBackend be) {
        Random r = new Random(4);
        int[][] shapes = {{2, 32, 8, 8}, {3, 6, 5, 7}, {1, 4}, {5, 12, 33}, {64, 64, 16, 16}};
        int[] groups = {8, 3, 1, 4, 32}; // not [1, 4] in groups of 2: its input gradient is pure cancellation residue
        for (int s = 0; s < shapes.length; s++) {
            int[] shape = shapes[s];
            int g = groups[s], nb = shape[0], c = shape[1], n = Shapes.numel(shape);
            float[] x = randn(r, n);
            if (s == 1) for (int i = 0; i < n; i++) x[i] += 100f; // large mean
            float[] gamma = randn(r, c), beta = randn(r, c), dy = randn(r, n);
            for (boolean affine : new boolean[] {true, false}) {
                compare("groupNorm " + Shapes.str(shape) + " affine=" + affine, (double) n / (nb * g), b -> {
                    Tensor o = nan(shape), mean = nan(nb, g), rstd = nan(nb, g);
                    b.groupNorm(t(x, shape), affine ? t(gamma, c) : null, affine ? t(beta, c) : null, g, 1e-5, o, mean, rstd);
                    return new Tensor[] {o, mean, rstd};
                }, be);
                float[] mean = new float[nb * g], rstd = new float[nb * g];
                ref.groupNorm(t(x, shape), null, null, g, 1e-5, nan(shape), Tensor.wrap(mean, nb, g), Tensor.wrap(rstd, nb, g));
                compare("groupNormBackward " + Shapes.str(shape) + " affine=" + affine, (double) n / c, b -> {
                    Tensor gx = nan(shape), gg = affine ? nan(c) : null, gb = affine ? nan(c) : null;
                    b.groupNormBackward(t(x, shape), affine ? t(gamma, c) : null, t(mean, nb, g), t(rstd, nb, g), g, t(dy, shape), gx, gg, gb);
                    return new Tensor[] {gx, gg, gb};
                }, be);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxForwardBackward(CpuBackend be) {
        Random r = new Random(5);
        for (int len : new int[] {1, 7, 33, 129, 257}) {
            int rows = 5;
            float[] x = randn(r, rows * len), g = randn(r, rows * len);
            for (int i = 0; i < x.length; i++) x[i] *= 8;
            compare("softmax len=" + len, len, b -> {
                Tensor o = nan(rows, len);
                b.softmax(t(x, rows, len), o);
                return new Tensor[] {o};
            }, be);
            float[] y = new float[rows * len];
            ref.softmax(t(x, rows, len), Tensor.wrap(y, rows, len));
            compare("softmaxBackward len=" + len, len, b -> {
                Tensor o = nan(rows, len);
                b.softmaxBackward(t(y, rows, len), t(g, rows, len), o);
                return new Tensor[] {o};
            }, be);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void resampling(CpuBackend be) {
        Random r = new Random(6);
        for (int[] s : new int[][] {{1, 1, 1, 1}, {2, 3, 5, 7}, {64, 32, 16, 16}, {1, 2, 33, 1}}) {
            int n = s[0], c = s[1], h = s[2], w = s[3];
            float[] x = randn(r, n * c * h * w), big = randn(r, n * c * 4 * h * w);
            compare("upsample2x " + Shapes.str(s), 1, b -> {
                Tensor o = nan(n, c, 2 * h, 2 * w);
                b.upsample2x(t(x, s), o);
                return new Tensor[] {o};
            }, be);
            compare("upsample2xBackward " + Shapes.str(s), 4, b -> {
                Tensor o = nan(s);
                b.upsample2xBackward(t(big, n, c, 2 * h, 2 * w), o);
                return new Tensor[] {o};
            }, be);
            compare("avgPool2x " + Shapes.str(s), 4, b -> {
                Tensor o = nan(s);
                b.avgPool2x(t(big, n, c, 2 * h, 2 * w), o);
                return new Tensor[] {o};
            }, be);
            compare("avgPool2xBackward " + Shapes.str(s), 1, b -> {
                Tensor o = nan(n, c, 2 * h, 2 * w);
                b.avgPool2xBackward(t(x, s), o);
                return new Tensor[] {o};
            }, be);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void optimiserUpdates(CpuBackend be) {
        Random r = new Random(7);
        for (int n : SIZES) {
            float[] p = randn(r, n), g = randn(r, n), m = randn(r, n), v = positive(r, n);
            for (double wd : new double[] {0.0, 0.01}) {
                for (double b1 : new double[] {0.0, 0.9}) {
                    compare("adam n=" + n + " wd=" + wd + " b1=" + b1, 1, b -> {
                        Tensor pt = t(p, n), mt = t(m, n), vt = t(v, n);
                        b.adamStep(pt, t(g, n), mt, vt, 1e-3, b1, 0.999, 1e-8, wd, 7);
                        return new Tensor[] {pt, mt, vt};
                    }, be);
                }
            }
            compare("ema n=" + n, 1, b -> {
                Tensor e = t(m, n);
                b.emaUpdate(e, t(p, n), 0.999);
                return new Tensor[] {e};
            }, be);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sidLoss(CpuBackend be) {
        Random r = new Random(8);
        for (int[] s : new int[][] {{1, 1}, {3, 1, 7, 5}, {4, 3, 32, 32}, {2, 129}}) {
            int nb = s[0], n = Shapes.numel(s), d = n / nb;
            float[] x = randn(r, n), yr = randn(r, n), yf = randn(r, n), gl = randn(r, nb);
            compare("sidLoss " + Shapes.str(s), d, b -> {
                Tensor loss = nan(nb), omega = nan(nb);
                b.sidLoss(t(x, s), t(yr, s), t(yf, s), 1.2, loss, omega);
                return new Tensor[] {loss, omega};
            }, be);
            float[] omega = new float[nb];
            ref.sidLoss(t(x, s), t(yr, s), t(yf, s), 1.2, nan(nb), Tensor.wrap(omega, nb));
            compare("sidLossBackward " + Shapes.str(s), 1, b -> {
                Tensor gx = nan(s), gr = nan(s), gf = nan(s);
                b.sidLossBackward(t(x, s), t(yr, s), t(yf, s), 1.2, t(omega, nb), t(gl, nb), gx, gr, gf);
                return new Tensor[] {gx, gr, gf};
            }, be);
        }
    }
}
