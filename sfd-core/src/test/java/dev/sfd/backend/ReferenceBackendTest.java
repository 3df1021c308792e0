package dev.sfd.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.SfdException;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The reference backend, which {@link BackendContractTest} uses as the oracle for every other backend, checked
 * independently of itself: values computed by hand, naive formulas written out in the test, {@link Math}
 * functions, adjoint identities, central finite differences and the known-answer-tested {@link dev.sfd.random.Philox}.
 * {@link #everyPrimitiveHasAnIndependentTest} fails when a Backend method gains no such test here.
 */
class ReferenceBackendTest {
    private final Backend be = Backends.reference();
    private final SplittableRandom rnd = new SplittableRandom(99);

    private Tensor t(double[] v, int... shape) { return new Tensor(be.upload(v), shape); }

    private Tensor t32(double[] v, int... shape) { return BackendContractTest.upload(be, DType.FLOAT32, v, shape); }

    private Tensor zeros(int... shape) { return Tensor.zeros(be, DType.FLOAT64, shape); }

    private double[] normal(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextDouble() * 2 - 1;
        return v;
    }

    private static double dot(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    /** Central difference of f with respect to every element of the FLOAT64 tensor {@code at} (perturbed in place). */
    private static double[] numericGrad(Tensor at, ToDoubleFunction<Tensor> f) {
        double[] data = ((dev.sfd.tensor.CpuStorage) at.storage()).d;
        double[] g = new double[at.numel()];
        double h = 1e-6;
        for (int i = 0; i < g.length; i++) {
            double keep = data[i];
            data[i] = keep + h;
            double up = f.applyAsDouble(at);
            data[i] = keep - h;
            double down = f.applyAsDouble(at);
            data[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    private static void assertNear(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), what + ": element " + i);
        }
    }

    // ------------------------------------------------------------------ convolution

    @Test
    @BackendContractTest.Covers("conv2d")
    void conv2dByHand() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = t(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 3, 3);
        Tensor out = zeros(1, 1, 3, 3);
        be.conv2d(x, w, t(new double[] {0.5}, 1), 1, out);
        assertArrayEquals(new double[] {12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5}, out.toDoubleArray(), 1e-12);
        // no padding: one output, the full sum; an off-centre kernel picks a shifted pixel
        Tensor one = zeros(1, 1, 1, 1);
        be.conv2d(x, w, null, 0, one);
        assertEquals(45, one.item(), 1e-12);
        Tensor shift = t(new double[] {0, 0, 0, 0, 0, 1, 0, 0, 0}, 1, 1, 3, 3);  // w[1][2]: reads x[y][x+1]
        be.conv2d(x, shift, null, 1, out);
        assertArrayEquals(new double[] {2, 3, 0, 5, 6, 0, 8, 9, 0}, out.toDoubleArray(), 0.0);
        // two input channels, two output channels, K=1: a per-pixel matrix product
        Tensor x2 = t(new double[] {1, 2, 3, 4}, 1, 2, 1, 2);          // channel 0: [1,2], channel 1: [3,4]
        Tensor w2 = t(new double[] {1, 10, -1, 2}, 2, 2, 1, 1);        // out0 = x0 + 10 x1; out1 = -x0 + 2 x1
        Tensor o2 = zeros(1, 2, 1, 2);
        be.conv2d(x2, w2, null, 0, o2);
        assertArrayEquals(new double[] {31, 42, 5, 6}, o2.toDoubleArray(), 0.0);
    }

    @Test
    @BackendContractTest.Covers({"conv2d", "conv2dBackwardData", "conv2dBackwardWeight"})
    void conv2dBackwardIsTheAdjointOfForward() {
        int n = 2, ci = 3, co = 4, h = 5, w = 6, k = 3;
        for (int pad : new int[] {0, 1}) {
            int ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
            Tensor x = t(normal(n * ci * h * w), n, ci, h, w), wt = t(normal(co * ci * k * k), co, ci, k, k);
            Tensor g = t(normal(n * co * ho * wo), n, co, ho, wo);
            Tensor y = zeros(n, co, ho, wo), gx = zeros(n, ci, h, w), gw = zeros(co, ci, k, k), gb = zeros(co);
            be.conv2d(x, wt, null, pad, y);
            be.conv2dBackwardData(g, wt, pad, gx);
            be.conv2dBackwardWeight(x, g, pad, gw, gb);
            // <conv(x, w), g> = <x, conv^T_x(g)> = <w, conv^T_w(g)>
            double lhs = dot(y, g);
            assertEquals(lhs, dot(x, gx), 1e-10 * Math.abs(lhs) + 1e-12, "pad " + pad + ": data adjoint");
            assertEquals(lhs, dot(wt, gw), 1e-10 * Math.abs(lhs) + 1e-12, "pad " + pad + ": weight adjoint");
            double[] gs = g.toDoubleArray(), want = new double[co];
            for (int i = 0; i < gs.length; i++) want[(i / (ho * wo)) % co] += gs[i];
            assertArrayEquals(want, gb.toDoubleArray(), 1e-12, "bias gradient = per-channel sum");
        }
    }

    // ------------------------------------------------------------------ matmul

    @Test
    @BackendContractTest.Covers("matmul")
    void matmulByHandAndNaiveFormula() {
        Tensor a = t(new double[] {1, 2, 3, 4, 5, 6}, 1, 2, 3), b = t(new double[] {7, 8, 9, 10, 11, 12}, 1, 3, 2);
        Tensor c = zeros(1, 2, 2);
        be.matmul(a, b, c, false, false, 1, 0);
        assertArrayEquals(new double[] {58, 64, 139, 154}, c.toDoubleArray(), 0.0);
        Tensor c2 = t(new double[] {1, 1, 1, 1}, 1, 2, 2);
        be.matmul(a, b, c2, false, false, 2, -3);
        assertArrayEquals(new double[] {113, 125, 275, 305}, c2.toDoubleArray(), 0.0);

        int batch = 3, m = 4, k = 5, n = 6;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor A = ta ? t(normal(k * m), 1, k, m) : t(normal(m * k), 1, m, k);   // batch 1 broadcasts
                Tensor B = tb ? t(normal(batch * n * k), batch, n, k) : t(normal(batch * k * n), batch, k, n);
                Tensor C = t(normal(batch * m * n), batch, m, n);
                double[] c0 = C.toDoubleArray();
                be.matmul(A, B, C, ta, tb, 0.5, 2.0);
                for (int bi = 0; bi < batch; bi++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                s += (ta ? A.get(0, p, i) : A.get(0, i, p)) * (tb ? B.get(bi, j, p) : B.get(bi, p, j));
                            }
                            assertEquals(0.5 * s + 2.0 * c0[(bi * m + i) * n + j], C.get(bi, i, j), 1e-12, "transA=" + ta + " transB=" + tb);
                        }
                    }
                }
            }
        }
        // beta = 0 does not read c
        Tensor nan = zeros(1, 2, 2);
        be.fill(nan, Double.NaN);
        be.matmul(a, b, nan, false, false, 1, 0);
        assertArrayEquals(new double[] {58, 64, 139, 154}, nan.toDoubleArray(), 0.0);
    }

    @Test
    @BackendContractTest.Covers("matmul")
    void float32ResultsAreTheDoubleComputationRoundedOnce() {
        double[] av = new double[7 * 33], bv = new double[33 * 5];
        for (int i = 0; i < av.length; i++) av[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < bv.length; i++) bv[i] = (float) (rnd.nextDouble() - 0.5);
        Tensor c64 = zeros(1, 7, 5), c32 = Tensor.zeros(be, DType.FLOAT32, 1, 7, 5);
        be.matmul(t(av, 1, 7, 33), t(bv, 1, 33, 5), c64, false, false, 1, 0);
        be.matmul(t32(av, 1, 7, 33), t32(bv, 1, 33, 5), c32, false, false, 1, 0);
        double[] d = c64.toDoubleArray();
        float[] f = c32.toFloatArray();
        for (int i = 0; i < d.length; i++) assertEquals((float) d[i], f[i], 0.0f);
    }

    // ------------------------------------------------------------------ normalisation and softmax

    @Test
    @BackendContractTest.Covers("groupNorm")
    void groupNormByHand() {
        Tensor x = t(new double[] {1, 2, 3, 4}, 1, 2, 2);               // N=1, C=2, L=2
        Tensor out = zeros(1, 2, 2), mean = zeros(1, 1), rstd = zeros(1, 1);
        double eps = 1e-5;
        be.groupNorm(x, t(new double[] {2, -1}, 2), t(new double[] {0.5, 0}, 2), 1, eps, out, mean, rstd);
        double r = 1 / Math.sqrt(1.25 + eps);                          // mean 2.5, biased variance 1.25
        assertEquals(2.5, mean.item(), 1e-15);
        assertEquals(r, rstd.item(), 1e-15);
        assertArrayEquals(new double[] {2 * -1.5 * r + 0.5, 2 * -0.5 * r + 0.5, -0.5 * r, -1.5 * r}, out.toDoubleArray(), 1e-12);

        Tensor mean2 = zeros(1, 2), rstd2 = zeros(1, 2);
        be.groupNorm(x, null, null, 2, eps, out, mean2, rstd2);         // each channel its own group: variance 0.25
        assertArrayEquals(new double[] {1.5, 3.5}, mean2.toDoubleArray(), 1e-15);
        double r2 = 1 / Math.sqrt(0.25 + eps);
        assertArrayEquals(new double[] {-0.5 * r2, 0.5 * r2, -0.5 * r2, 0.5 * r2}, out.toDoubleArray(), 1e-12);
    }

    @Test
    @BackendContractTest.Covers({"groupNorm", "groupNormBackward"})
    void groupNormBackwardMatchesFiniteDifferences() {
        int n = 2, c = 4, hw = 3, groups = 2;
        double eps = 1e-3;
        Tensor x = t(normal(n * c * hw), n, c, hw), gamma = t(normal(c), c), beta = t(normal(c), c);
        Tensor g = t(normal(n * c * hw), n, c, hw);
        ToDoubleFunction<Tensor> loss = ignored -> {
            Tensor o = zeros(n, c, hw);
            be.groupNorm(x, gamma, beta, groups, eps, o, zeros(n, groups), zeros(n, groups));
            return dot(o, g);
        };
        Tensor mean = zeros(n, groups), rstd = zeros(n, groups), o = zeros(n, c, hw);
        be.groupNorm(x, gamma, beta, groups, eps, o, mean, rstd);
        Tensor gx = zeros(n, c, hw), gg = zeros(c), gb = zeros(c);
        be.groupNormBackward(x, gamma, mean, rstd, groups, g, gx, gg, gb);
        assertNear(numericGrad(x, loss), gx.toDoubleArray(), 1e-6, "d/dx");
        assertNear(numericGrad(gamma, loss), gg.toDoubleArray(), 1e-6, "d/dgamma");
        assertNear(numericGrad(beta, loss), gb.toDoubleArray(), 1e-6, "d/dbeta");
    }

    @Test
    @BackendContractTest.Covers({"softmax", "softmaxBackward"})
    void softmaxByHandAndBackwardByFiniteDifferences() {
        Tensor x = t(new double[] {1, 2, 3, 1000, 1000, 1000}, 2, 3), y = zeros(2, 3);
        be.softmax(x, y);
        double s = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new double[] {Math.exp(1) / s, Math.exp(2) / s, Math.exp(3) / s, 1 / 3.0, 1 / 3.0, 1 / 3.0}, y.toDoubleArray(), 1e-15);

        Tensor z = t(normal(12), 3, 4), g = t(normal(12), 3, 4), yz = zeros(3, 4), gi = zeros(3, 4);
        be.softmax(z, yz);
        be.softmaxBackward(yz, g, gi);
        assertNear(numericGrad(z, in -> {
            Tensor o = zeros(3, 4);
            be.softmax(in, o);
            return dot(o, g);
        }), gi.toDoubleArray(), 1e-7, "softmax backward");
    }

    // ------------------------------------------------------------------ elementwise

    @Test
    @BackendContractTest.Covers("unaryBackward")
    void unaryBackwardMatchesFiniteDifferencesForEveryOp() {
        for (UnaryOp op : UnaryOp.values()) {
            double[] v = normal(9);
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (op) {
                    case LOG, SQRT, RSQRT -> 0.2 + Math.abs(v[i]) * 2;
                    default -> v[i] + (v[i] >= 0 ? 0.1 : -0.1);   // away from the kinks of ABS and RELU
                };
            }
            Tensor x = t(v, 9), y = zeros(9), g = t(normal(9), 9), gi = zeros(9);
            be.unary(op, x, y);
            be.unaryBackward(op, x, y, g, gi);
            double[] want = (op == UnaryOp.SIGN || op == UnaryOp.NAN_TO_NUM) ? new double[9] : numericGrad(x, in -> {
                Tensor o = zeros(9);
                be.unary(op, in, o);
                return dot(o, g);
            });
            assertNear(want, gi.toDoubleArray(), 1e-7, "unaryBackward " + op);
        }
        // at 0: RELU passes nothing, ABS has derivative sign(0) = 0
        Tensor zero = t(new double[] {0, 0}, 2), one = t(new double[] {1, 1}, 2), gi = zeros(2), y = zeros(2);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.ABS, UnaryOp.SIGN}) {
            be.unary(op, zero, y);
            be.unaryBackward(op, zero, y, one, gi);
            assertArrayEquals(new double[] {0, 0}, gi.toDoubleArray(), 0.0, op + " at 0");
        }
    }

    @Test
    @BackendContractTest.Covers("unary")
    void unaryValuesByHand() {
        Tensor x = t(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -2.5, 0}, 5), y = zeros(5);
        be.unary(UnaryOp.NAN_TO_NUM, x, y);
        assertArrayEquals(new double[] {0, 1e5, -1e5, -2.5, 0}, y.toDoubleArray(), 0.0);
        Tensor z = t(new double[] {-800, 0, 800, -2}, 4);
        Tensor s = zeros(4);
        be.unary(UnaryOp.SIGMOID, z, s);
        assertArrayEquals(new double[] {0, 0.5, 1, 1 / (1 + Math.exp(2))}, s.toDoubleArray(), 1e-15);
        be.unary(UnaryOp.SILU, z, s);
        assertArrayEquals(new double[] {-0.0, 0, 800, -2 / (1 + Math.exp(2))}, s.toDoubleArray(), 1e-15);
        be.unary(UnaryOp.SIGN, z, s);
        assertArrayEquals(new double[] {-1, 0, 1, -1}, s.toDoubleArray(), 0.0);
    }

    @Test
    @BackendContractTest.Covers({"binary", "reduce"})
    void broadcastingAndReductionsByHand() {
        Tensor col = t(new double[] {1, 2}, 2, 1), row = t(new double[] {10, 20, 30}, 3), out = zeros(2, 3);
        be.binary(BinaryOp.ADD, col, row, out);
        assertArrayEquals(new double[] {11, 21, 31, 12, 22, 32}, out.toDoubleArray(), 0.0);
        be.binary(BinaryOp.SUB, row, col, out);
        assertArrayEquals(new double[] {9, 19, 29, 8, 18, 28}, out.toDoubleArray(), 0.0);
        be.binary(BinaryOp.POW, col, t(new double[] {3}), out);            // rank-0 operand
        assertArrayEquals(new double[] {1, 1, 1, 8, 8, 8}, out.toDoubleArray(), 0.0);

        Tensor m = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r0 = zeros(1, 3), r1 = zeros(2, 1), all = zeros(1, 1);
        be.reduce(ReduceOp.SUM, m, r0);
        assertArrayEquals(new double[] {5, 7, 9}, r0.toDoubleArray(), 0.0);
        be.reduce(ReduceOp.SUM, m, r1);
        assertArrayEquals(new double[] {6, 15}, r1.toDoubleArray(), 0.0);
        be.reduce(ReduceOp.MAX, m, r1);
        assertArrayEquals(new double[] {3, 6}, r1.toDoubleArray(), 0.0);
        be.reduce(ReduceOp.MAX, t(new double[] {-3, -1, -2}, 1, 3), all);
        assertEquals(-1, all.item());
    }

    @Test
    @BackendContractTest.Covers({"upsample2x", "upsample2xBackward", "avgPool2x", "avgPool2xBackward"})
    void resamplingByHand() {
        Tensor x = t(new double[] {1, 2, 3, 4}, 1, 1, 2, 2), up = zeros(1, 1, 4, 4);
        be.upsample2x(x, up);
        assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.toDoubleArray(), 0.0);
        Tensor back = zeros(1, 1, 2, 2);
        be.upsample2xBackward(up, back);
        assertArrayEquals(new double[] {4, 8, 12, 16}, back.toDoubleArray(), 0.0);
        Tensor pooled = zeros(1, 1, 2, 2);
        be.avgPool2x(up, pooled);
        assertArrayEquals(new double[] {1, 2, 3, 4}, pooled.toDoubleArray(), 0.0);
        Tensor spread = zeros(1, 1, 4, 4);
        be.avgPool2xBackward(x, spread);
        assertArrayEquals(new double[] {.25, .25, .5, .5, .25, .25, .5, .5, .75, .75, 1, 1, .75, .75, 1, 1}, spread.toDoubleArray(), 0.0);
    }

    @Test
    @BackendContractTest.Covers({"copy", "fill"})
    void copyConvertsDtypesAndRespectsStrides() {
        Tensor src = t(new double[] {0.1, 1, 2, 3, 4, 5}, 2, 3);
        Tensor dst = Tensor.zeros(be, DType.FLOAT32, 3, 2);
        be.copy(Ops.transpose(src, 0, 1), dst);
        assertArrayEquals(new float[] {0.1f, 3, 1, 4, 2, 5}, dst.toFloatArray(), 0.0f);
        assertThrows(SfdException.class, () -> be.fill(Ops.transpose(src, 0, 1), 0), "non-dense output is rejected");
    }

    // ------------------------------------------------------------------ optimiser and SiD

    @Test
    @BackendContractTest.Covers({"adamStep", "emaUpdate"})
    void adamAndEmaByHand() {
        Tensor p = t(new double[] {1, 1}, 2), g = t(new double[] {0.5, -2}, 2), m = zeros(2), v = zeros(2);
        be.adamStep(p, g, m, v, 0.1, 0.9, 0.999, 1e-8, 0, 1);
        // first step: m = 0.1 g, v = 0.001 g^2, bias-corrected m/sqrt(v) = sign(g)
        assertArrayEquals(new double[] {0.05, -0.2}, m.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.00025, 0.004}, v.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1 - 0.1 * 0.5 / (0.5 + 1e-8), 1 + 0.1 * 2 / (2 + 1e-8)}, p.toDoubleArray(), 1e-12);

        // beta1 = 0 and weight decay: g' = g + wd p, m = g', step 2: bias correction 1 - 0.9^2
        Tensor p2 = t(new double[] {2}, 1), g2 = t(new double[] {1}, 1), m2 = t(new double[] {5}, 1), v2 = t(new double[] {0.5}, 1);
        be.adamStep(p2, g2, m2, v2, 0.01, 0.0, 0.9, 1e-8, 0.5, 2);
        double gp = 1 + 0.5 * 2, vv = 0.9 * 0.5 + 0.1 * gp * gp;
        assertEquals(gp, m2.item(), 1e-15);
        assertEquals(vv, v2.item(), 1e-15);
        assertEquals(2 - 0.01 * gp / (Math.sqrt(vv / (1 - 0.81)) + 1e-8), p2.item(), 1e-14);
        assertThrows(SfdException.class, () -> be.adamStep(p2, g2, m2, v2, 0.01, 0.9, 0.9, 1e-8, 0, 0));

        Tensor e = t(new double[] {1, 2}, 2);
        be.emaUpdate(e, t(new double[] {3, 4}, 2), 0.75);
        assertArrayEquals(new double[] {1.5, 2.5}, e.toDoubleArray(), 1e-15);
    }

    @Test
    @BackendContractTest.Covers({"sidLoss", "sidLossBackward"})
    void sidLossNaiveFormulaAndFiniteDifferences() {
        int n = 2, d = 6;
        double alpha = 1.2;
        Tensor x = t(normal(n * d), n, d), r = t(normal(n * d), n, d), f = t(normal(n * d), n, d);
        Tensor loss = zeros(n), omega = zeros(n);
        be.sidLoss(x, r, f, alpha, loss, omega);
        for (int s = 0; s < n; s++) {
            double abs = 0, sum = 0;
            for (int i = 0; i < d; i++) {
                double xi = x.get(s, i), ri = r.get(s, i), fi = f.get(s, i);
                abs += Math.abs(ri - xi);
                sum += (ri - fi) * ((ri - xi) - alpha * (ri - fi));
            }
            assertEquals(Math.max(abs / d, 1e-5), omega.get(s), 1e-15);
            assertEquals(sum / Math.max(abs / d, 1e-5), loss.get(s), 1e-12);
        }
        Tensor same = zeros(n);
        be.sidLoss(x, x, f, alpha, same, omega);
        assertArrayEquals(new double[] {1e-5, 1e-5}, omega.toDoubleArray(), 0.0);

        // gradients of sum_n gl[n] loss_n with omega held fixed
        Tensor gl = t(new double[] {0.7, -1.3}, n);
        double[] om = {0.8, 1.7};
        ToDoubleFunction<Tensor> fixedOmegaLoss = ignored -> {
            double total = 0;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < d; i++) {
                    double xi = x.get(s, i), ri = r.get(s, i), fi = f.get(s, i);
                    total += gl.get(s) * (ri - fi) * ((ri - xi) - alpha * (ri - fi)) / om[s];
                }
            }
            return total;
        };
        Tensor gx = zeros(n, d), gr = zeros(n, d), gf = zeros(n, d);
        be.sidLossBackward(x, r, f, alpha, t(om, n), gl, gx, gr, gf);
        assertNear(numericGrad(x, fixedOmegaLoss), gx.toDoubleArray(), 1e-7, "d/dxg");
        assertNear(numericGrad(r, fixedOmegaLoss), gr.toDoubleArray(), 1e-7, "d/dyReal");
        assertNear(numericGrad(f, fixedOmegaLoss), gf.toDoubleArray(), 1e-7, "d/dyFake");
    }

    // ------------------------------------------------------------------ independent formulas for every op

    @Test
    @BackendContractTest.Covers("unary")
    void everyUnaryOpMatchesMath() {
        double[] v = {-2.5, -0.3, 0.4, 1.7, 3.0};
        Tensor x = t(v, 5), y = zeros(5);
        for (UnaryOp op : UnaryOp.values()) {
            be.unary(op, x, y);
            double[] got = y.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                double a = v[i], want = switch (op) {
                    case NEG -> -a;
                    case EXP -> Math.exp(a);
                    case LOG -> Math.log(a);
                    case SQRT -> Math.sqrt(a);
                    case RSQRT -> 1 / Math.sqrt(a);
                    case SQUARE -> a * a;
                    case RECIPROCAL -> 1 / a;
                    case ABS -> Math.abs(a);
                    case SIGN -> Math.signum(a);
                    case SIN -> Math.sin(a);
                    case COS -> Math.cos(a);
                    case TANH -> Math.tanh(a);
                    case SIGMOID -> 1 / (1 + Math.exp(-a));
                    case SILU -> a / (1 + Math.exp(-a));
                    case RELU -> Math.max(a, 0);
                    case NAN_TO_NUM -> a;
                };
                if (Double.isNaN(want)) assertTrue(Double.isNaN(got[i]), op + "(" + a + ") = " + got[i] + ", expected NaN");
                else assertEquals(want, got[i], 1e-14 * (1 + Math.abs(want)), op + "(" + a + ")");
            }
        }
    }

    @Test
    @BackendContractTest.Covers({"binary", "binaryScalar"})
    void everyBinaryOpMatchesItsFormula() {
        double[] a = {-2, 0.5, 3, 4}, b = {3, -0.25, 3, 0.5};
        Tensor ta = t(a, 4), tb = t(b, 4), out = zeros(4);
        for (BinaryOp op : BinaryOp.values()) {
            be.binary(op, ta, tb, out);
            double[] got = out.toDoubleArray();
            for (int i = 0; i < 4; i++) assertEquals(apply(op, a[i], b[i]), got[i], 1e-14, op + "(" + a[i] + ", " + b[i] + ")");
            be.binaryScalar(op, ta, 1.5, out);
            got = out.toDoubleArray();
            for (int i = 0; i < 4; i++) assertEquals(apply(op, a[i], 1.5), got[i], 1e-14, op + "(" + a[i] + ", scalar 1.5)");
        }
    }

    private static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> Math.pow(a, b);
        };
    }

    @Test
    @BackendContractTest.Covers({"axpby", "clamp", "fill"})
    void axpbyClampAndFillByHand() {
        Tensor x = t(new double[] {1, -2, 3}, 3), y = t(new double[] {10, 20, -30}, 3), out = zeros(3);
        be.axpby(2, x, -0.5, y, out);
        assertArrayEquals(new double[] {-3, -14, 21}, out.toDoubleArray(), 0.0);
        be.axpby(2, x, -0.5, y, y);                                   // out may alias an input
        assertArrayEquals(new double[] {-3, -14, 21}, y.toDoubleArray(), 0.0);
        be.clamp(t(new double[] {-5, -1, 0.5, 1, 7}, 5), -1, 1, out = zeros(5));
        assertArrayEquals(new double[] {-1, -1, 0.5, 1, 1}, out.toDoubleArray(), 0.0);
        be.fill(out, 2.5);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5, 2.5}, out.toDoubleArray(), 0.0);
        Tensor f32 = Tensor.zeros(be, DType.FLOAT32, 2);
        be.fill(f32, 0.1);
        assertArrayEquals(new float[] {0.1f, 0.1f}, f32.toFloatArray(), 0.0f);
    }

    @Test
    @BackendContractTest.Covers({"randomNormal", "randomUniform"})
    void randomDrawsAreThePhiloxStream() {
        int n = 11;                                                   // not a multiple of 4: a partial last block
        for (DType dt : DType.values()) {
            Tensor z = Tensor.zeros(be, dt, n), u = Tensor.zeros(be, dt, n);
            be.randomNormal(7, 3, z);
            be.randomUniform(7, 3, u);
            double[] wantZ = new double[n], wantU = new double[n];
            if (dt == DType.FLOAT32) {
                float[] fz = new float[n], fu = new float[n];
                dev.sfd.random.Philox.normal(7, 3, fz, 0, n);
                dev.sfd.random.Philox.uniform(7, 3, fu, 0, n);
                assertArrayEquals(fz, z.toFloatArray(), 0.0f, "FLOAT32 normals");
                assertArrayEquals(fu, u.toFloatArray(), 0.0f, "FLOAT32 uniforms");
            } else {
                dev.sfd.random.Philox.normal(7, 3, wantZ, 0, n);
                dev.sfd.random.Philox.uniform(7, 3, wantU, 0, n);
                assertArrayEquals(wantZ, z.toDoubleArray(), 0.0, dt + " normals");
                assertArrayEquals(wantU, u.toDoubleArray(), 0.0, dt + " uniforms");
            }
        }
    }

    @Test
    @BackendContractTest.Covers("reduce")
    void reductionsOverEveryAxisAgainstLoops() {
        int a = 2, b = 3, c = 4;
        double[] v = normal(a * b * c);
        Tensor x = t(v, a, b, c);
        for (ReduceOp op : ReduceOp.values()) {
            for (int axis = 0; axis < 3; axis++) {
                int[] shape = {a, b, c};
                shape[axis] = 1;
                Tensor out = zeros(shape);
                be.reduce(op, x, out);
                double[] got = out.toDoubleArray();
                int k = 0;
                for (int i = 0; i < shape[0]; i++) for (int j = 0; j < shape[1]; j++) for (int l = 0; l < shape[2]; l++) {
                    double acc = op == ReduceOp.SUM ? 0 : Double.NEGATIVE_INFINITY;
                    int len = new int[] {a, b, c}[axis];
                    for (int r = 0; r < len; r++) {
                        int ii = axis == 0 ? r : i, jj = axis == 1 ? r : j, ll = axis == 2 ? r : l;
                        double e = v[(ii * b + jj) * c + ll];
                        acc = op == ReduceOp.SUM ? acc + e : Math.max(acc, e);
                    }
                    assertEquals(acc, got[k++], 1e-14, op + " over axis " + axis);
                }
            }
        }
    }

    /** Every Backend method (but tensor creation and read-back) has a test above that does not use the reference as its oracle. */
    @Test
    void everyPrimitiveHasAnIndependentTest() {
        java.util.Set<String> spi = new java.util.TreeSet<>();
        for (java.lang.reflect.Method m : Backend.class.getMethods()) spi.add(m.getName());
        spi.removeAll(java.util.Set.of("name", "device", "allocate", "upload", "downloadDouble", "downloadFloat"));
        for (java.lang.reflect.Method m : ReferenceBackendTest.class.getDeclaredMethods()) {
            BackendContractTest.Covers c = m.getAnnotation(BackendContractTest.Covers.class);
            if (c != null) spi.removeAll(java.util.List.of(c.value()));
        }
        assertTrue(spi.isEmpty(), "Backend primitives without an independent test of the reference: " + spi);
    }

    @Test
    void tensorsOfTheReferenceDispatchToTheReference() {
        Tensor a = t(new double[] {1, 2}, 2);
        assertEquals(be, a.backend());
        assertEquals(be, Ops.add(a, a).backend());
        assertTrue(Shapes.equal(new int[] {2}, Ops.add(a, a).shape()));
    }
}
