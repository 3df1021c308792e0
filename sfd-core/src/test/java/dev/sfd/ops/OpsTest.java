package dev.sfd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.DTypeException;
import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.backend.Backends;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Ops} on the reference backend: values, gradients, views and error messages. */
class OpsTest {
    private Backends.Scope scope;

    @BeforeEach
    void useReference() { scope = Backends.use(Backends.reference()); }

    @AfterEach
    void restore() { scope.close(); }

    private static Tensor t(double[] v, int... shape) { return Tensor.of(v, shape); }

    /** 0, 1, 2, ... in the given shape (FLOAT64). */
    private static Tensor iota(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    private static String message(Class<? extends SfdException> type, Executable e) {
        return assertThrows(type, e).getMessage();
    }

    private static void assertMentions(String msg, String... parts) {
        for (String p : parts) assertTrue(msg.contains(p), "message '" + msg + "' should mention '" + p + "'");
    }

    // ------------------------------------------------------------------ broadcasting and gradients

    @Test
    void broadcastingAddWithBackward() {
        Tensor a = iota(2, 3).requiresGrad(true);
        Tensor b = t(new double[] {10, 20, 30}, 3).requiresGrad(true);
        Tensor c = Ops.add(a, b);
        assertEquals(Backends.reference(), c.backend());
        assertArrayEquals(new double[] {10, 21, 32, 13, 24, 35}, c.toDoubleArray(), 0.0);
        Ops.sumAll(Ops.mul(c, iota(2, 3))).backward();           // d/dc = iota
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {3, 5, 7}, b.grad().toDoubleArray(), 0.0);  // summed over the broadcast rows
        assertArrayEquals(new int[] {3}, b.grad().shape());
    }

    @Test
    void broadcastingMulWithBackward() {
        Tensor x = iota(2, 3, 2, 2).requiresGrad(true);                      // [N, C, H, W]
        Tensor s = t(new double[] {1, -1, 2}, 1, 3, 1, 1).requiresGrad(true); // per-channel scale
        Tensor k = Tensor.scalar(DType.FLOAT64, 0.5).requiresGrad(true);      // rank 0
        Tensor y = Ops.mul(Ops.mul(x, s), k);
        assertEquals(-0.5 * 4, y.get(0, 1, 0, 0), 0.0);
        Ops.sumAll(y).backward();
        double[] gx = x.grad().toDoubleArray();
        for (int i = 0; i < gx.length; i++) assertEquals(0.5 * new double[] {1, -1, 2}[(i / 4) % 3], gx[i], 0.0);
        // d/ds_c = 0.5 * sum over n, h, w of x
        double[] xs = x.toDoubleArray(), want = new double[3];
        for (int i = 0; i < xs.length; i++) want[(i / 4) % 3] += 0.5 * xs[i];
        assertArrayEquals(want, s.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new int[] {1, 3, 1, 1}, s.grad().shape());
        double all = 0;
        for (int i = 0; i < xs.length; i++) all += xs[i] * new double[] {1, -1, 2}[(i / 4) % 3];
        assertEquals(all, k.grad().item(), 1e-12);
    }

    @Test
    void leafGradientsNeverShareStorage() {
        // add's backward hands the same gradient tensor to both inputs; each leaf must own its gradient
        Tensor a = iota(3).requiresGrad(true), b = iota(3).requiresGrad(true);
        Ops.sumAll(Ops.add(a, b)).backward();
        assertNotSame(a.grad().storage(), b.grad().storage());
        Ops.sumAll(Ops.mulScalar(a, 2)).backward();                  // accumulates into a.grad in place
        assertArrayEquals(new double[] {3, 3, 3}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, b.grad().toDoubleArray(), 0.0);

        // a gradient passed to backward() is the caller's tensor: accumulation must not write into it
        Tensor x = iota(2).requiresGrad(true);
        Tensor seed = t(new double[] {1, 1}, 2);
        Ops.addScalar(x, 1).backward(seed);
        Ops.addScalar(x, 1).backward(seed);
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 1}, seed.toDoubleArray(), 0.0);
    }

    // ------------------------------------------------------------------ views on non-contiguous inputs

    @Test
    void permuteAndReshapeOfNonContiguousInputs() {
        Tensor x = iota(2, 3, 4);
        Tensor p = Ops.permute(x, 2, 0, 1);                              // [4, 2, 3], a strided view
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(x.get(1, 2, 3), p.get(3, 1, 2), 0.0);
        // reshape of a strided view copies in the view's row-major order
        Tensor r = Ops.reshape(p, 4, 6);
        double[] want = new double[24];
        for (int k = 0, i = 0; k < 4; k++) for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) want[i++] = x.get(n, c, k);
        assertArrayEquals(want, r.toDoubleArray(), 0.0);
        assertArrayEquals(want, Ops.reshape(p, -1).toDoubleArray(), 0.0);
        // transpose twice is the identity
        assertArrayEquals(x.toDoubleArray(), Ops.transpose(Ops.transpose(x, 0, 2), 2, 0).toDoubleArray(), 0.0);
    }

    @Test
    void narrowOfAPermutedViewWithBackward() {
        Tensor x = iota(3, 5).requiresGrad(true);
        Tensor v = Ops.narrow(Ops.permute(x, 1, 0), 0, 1, 3);            // rows 1..3 of x^T: [3, 3]
        assertArrayEquals(new double[] {1, 6, 11, 2, 7, 12, 3, 8, 13}, v.toDoubleArray(), 0.0);
        Ops.sumAll(Ops.mul(v, iota(3, 3))).backward();
        // x[i][j] received v-weight iota[j-1][i] for j in 1..3, else 0
        double[] want = new double[15];
        for (int i = 0; i < 3; i++) for (int j = 1; j <= 3; j++) want[i * 5 + j] = (j - 1) * 3 + i;
        assertArrayEquals(want, x.grad().toDoubleArray(), 0.0);
    }

    @Test
    void concatOfNonContiguousInputsWithBackward() {
        Tensor a = iota(2, 3).requiresGrad(true);
        Tensor b = iota(4, 2).requiresGrad(true);
        Tensor at = Ops.transpose(a, 0, 1);                              // [3, 2]
        Tensor bn = Ops.narrow(b, 0, 1, 3);                              // [3, 2], offset view
        Tensor c = Ops.concat(1, at, bn);                                // [3, 4]
        assertArrayEquals(new double[] {0, 3, 2, 3, 1, 4, 4, 5, 2, 5, 6, 7}, c.toDoubleArray(), 0.0);
        Tensor c0 = Ops.concat(0, at, bn);                               // [6, 2]
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5, 2, 3, 4, 5, 6, 7}, c0.toDoubleArray(), 0.0);
        Ops.sumAll(Ops.mul(c, iota(3, 4))).backward();
        // a[i][j] = at[j][i] sits at c[j][i]; b[r][k] (r = 1..3) sits at c[r-1][2+k]
        assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 0, 2, 3, 6, 7, 10, 11}, b.grad().toDoubleArray(), 0.0);
    }

    @Test
    void matmulAndConvOnTransposedInputs() {
        Tensor a = iota(3, 2), b = iota(3, 4);
        Tensor c = Ops.matmul(Ops.transpose(a, 0, 1), b);                // [2, 3] @ [3, 4]
        double[] want = new double[8];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int p = 0; p < 3; p++) want[i * 4 + j] += a.get(p, i) * b.get(p, j);
        assertArrayEquals(want, c.toDoubleArray(), 0.0);

        Tensor nhwc = iota(1, 3, 3, 2);
        Tensor x = Ops.permute(nhwc, 0, 3, 1, 2);                        // [1, 2, 3, 3]
        Tensor w = t(new double[] {1, 1}, 1, 2, 1, 1);
        Tensor y = Ops.conv2d(x, w, null, 0);                            // sums the two channels
        for (int i = 0; i < 9; i++) assertEquals(nhwc.get(0, i / 3, i % 3, 0) + nhwc.get(0, i / 3, i % 3, 1), y.toDoubleArray()[i], 0.0);
    }

    // ------------------------------------------------------------------ values of ops no other test computes by hand

    @Test
    void linearValuesAndGradientsByHand() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor w = t(new double[] {1, 0, -1, 2, 1, 0}, 2, 3).requiresGrad(true);   // rows: out features
        Tensor b = t(new double[] {0.5, -1}, 2).requiresGrad(true);
        Tensor y = Ops.linear(x, w, b);
        // [1-3+0.5, 2+2-1; 4-6+0.5, 8+5-1]
        assertArrayEquals(new double[] {-1.5, 3, -1.5, 12}, y.toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {-2, 4, -2, 13}, Ops.linear(x, w, null).toDoubleArray(), 0.0, "without bias");
        Ops.sumAll(y).backward();
        assertArrayEquals(new double[] {3, 1, -1, 3, 1, -1}, x.grad().toDoubleArray(), 0.0, "dx = sum of W's rows");
        assertArrayEquals(new double[] {5, 7, 9, 5, 7, 9}, w.grad().toDoubleArray(), 0.0, "dW = sum of x's rows per output");
        assertArrayEquals(new double[] {2, 2}, b.grad().toDoubleArray(), 0.0, "db = batch size");
    }

    @Test
    void smallOpsValuesByHand() {
        Tensor x = t(new double[] {-2, 0.5, 3}, 3);
        assertArrayEquals(new double[] {3, 0.5, -2}, Ops.rsubScalar(x, 1).toDoubleArray(), 0.0, "1 - x");
        assertArrayEquals(new double[] {0, 0, 1e5, -1e5}, Ops.nanToNum(t(new double[] {Double.NaN, 0, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY}, 4)).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {-1, 0.5, 1}, Ops.clamp(x, -1, 1).toDoubleArray(), 0.0);
        Tensor y = t(new double[] {1, 1, 1}, 3);
        assertArrayEquals(new double[] {1, 1, 3}, Ops.maximum(x, y).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {-2, 0.5, 1}, Ops.minimum(x, y).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {-2, 1, 3}, Ops.where(t(new double[] {1, 0, 1}, 3), x, y).toDoubleArray(), 0.0);
        assertEquals(0.5, Ops.meanAll(x).item(), 1e-15);
        assertArrayEquals(new double[] {1.5, 5.5}, Ops.mean(iota(2, 4), new int[] {1}, false).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {2, 3, 4, 5}, Ops.mean(iota(2, 4), new int[] {0}, false).toDoubleArray(), 0.0);
        // broadcast gradient [2, 3] summed back to [3] and to [2, 1]
        Tensor g = iota(2, 3);
        assertArrayEquals(new double[] {3, 5, 7}, Ops.reduceToShape(g, new int[] {3}).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {3, 12}, Ops.reduceToShape(g, new int[] {2, 1}).toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 0, 1}, Ops.oneHot(new int[] {1, -1, 2}, 3, DType.FLOAT64).toDoubleArray(), 0.0,
                "label -1 is the all-zero row");
        double s = Math.exp(1) + Math.exp(2);
        assertArrayEquals(new double[] {Math.exp(1) / s, Math.exp(2) / s}, Ops.softmax(t(new double[] {1, 2}, 1, 2)).toDoubleArray(), 1e-15);
        double[] u = new double[5];
        dev.sfd.random.Philox.uniform(4, 9, u, 0, 5);
        assertArrayEquals(u, Ops.rand(Backends.reference(), DType.FLOAT64, 4, 9, 5).toDoubleArray(), 0.0, "rand is the Philox stream");
    }

    // ------------------------------------------------------------------ error messages

    @Test
    void matmulInnerDimensionMismatchNamesOpAndShapes() {
        String msg = message(ShapeException.class, () -> Ops.matmul(iota(2, 3), iota(4, 5)));
        assertMentions(msg, "matmul", "[2, 3]", "[4, 5]");
        msg = message(ShapeException.class, () -> Ops.matmul(iota(2, 3, 4), iota(3, 4, 5)));
        assertMentions(msg, "matmul", "2", "3");
    }

    @Test
    void convWeightMismatchNamesOpAndShapes() {
        String msg = message(ShapeException.class, () -> Ops.conv2d(iota(1, 3, 5, 5), iota(4, 2, 3, 3), null, 1));
        assertMentions(msg, "conv2d", "[4, 2, 3, 3]", "[1, 3, 5, 5]");
        msg = message(ShapeException.class, () -> Ops.conv2d(iota(1, 3, 5, 5), iota(4, 3, 3, 3), iota(5), 1));
        assertMentions(msg, "conv2d", "bias", "[5]", "[4]");
    }

    @Test
    void broadcastFailureNamesOpAndShapes() {
        String msg = message(ShapeException.class, () -> Ops.add(iota(2, 3), iota(4)));
        assertMentions(msg, "add", "[2, 3]", "[4]");
        msg = message(ShapeException.class, () -> Ops.mul(iota(2, 3, 5), iota(4, 1)));
        assertMentions(msg, "mul", "[2, 3, 5]", "[4, 1]");
    }

    @Test
    void reshapeSizeMismatchNamesOpAndShapes() {
        String msg = message(ShapeException.class, () -> Ops.reshape(iota(2, 3), 4, 2));
        assertMentions(msg, "reshape", "[2, 3]", "[4, 2]");
        msg = message(ShapeException.class, () -> Ops.reshape(iota(2, 3), -1, 4));
        assertMentions(msg, "reshape", "[2, 3]");
    }

    @Test
    void dtypeMismatchNamesOpDtypesAndShapes() {
        Tensor f = Tensor.of(new float[] {1, 2, 3}, 3);
        String msg = message(DTypeException.class, () -> Ops.add(iota(3), f));
        assertMentions(msg, "add", "FLOAT64", "FLOAT32", "[3]");
        msg = message(DTypeException.class, () -> Ops.matmul(iota(2, 3), Tensor.of(new float[6], 3, 2)));
        assertMentions(msg, "matmul", "FLOAT64", "FLOAT32", "[2, 3]", "[3, 2]");
    }
}
