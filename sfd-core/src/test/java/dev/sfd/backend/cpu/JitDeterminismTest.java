package dev.sfd.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sfd.backend.UnaryOp;
import dev.sfd.tensor.Tensor;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels give bitwise the same results on their first calls (Vector API interpreter fallback) as
 * after C2 has compiled them (intrinsics): training runs must be repeatable and resumable bit for bit, and
 * the moment C2 finishes a compilation is a matter of timing. (reduceLanes and the SVML transcendental ops
 * broke this; see VecKernels.)
 */
class JitDeterminismTest {
    /** C2 compiles in the background: keep calling long enough for the compiled code to be installed. */
    static final long WARM_NANOS = 1_500_000_000L;
    static final int WARM_CALLS = 50_000;

    static void sameBeforeAndAfterWarmUp(String what, Supplier<float[]> op) {
        float[] first = op.get();
        float[] last = null;
        long end = System.nanoTime() + WARM_NANOS;
        for (int i = 0; i < WARM_CALLS || System.nanoTime() < end; i++) last = op.get();
        assertArrayEquals(first, last, what + ": result changed once the kernel was JIT-compiled");
    }

    @Test
    void vectorKernelsDoNotDependOnCompilationState() {
        CpuBackend be = new CpuBackend();
        Random r = new Random(1);
        int n = 4099; // many values: SVML's expf and (float) Math.exp disagree in the last bit only now and then
        float[] x = Naive.randf(r, n), g = Naive.randf(r, n), y = Naive.randf(r, n);
        for (int i = 0; i < n; i++) x[i] *= 10;
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.SQRT, UnaryOp.RSQRT}) {
            float[] in = op == UnaryOp.SQRT || op == UnaryOp.RSQRT ? y.clone() : x;
            if (op == UnaryOp.SQRT || op == UnaryOp.RSQRT) for (int i = 0; i < n; i++) in[i] = Math.abs(in[i]) + 0.1f;
            sameBeforeAndAfterWarmUp("unary " + op, () -> {
                float[] o = new float[n];
                be.unary(op, Tensor.wrap(in, n), Tensor.wrap(o, n));
                return o;
            });
        }
        sameBeforeAndAfterWarmUp("unaryBackward SILU", () -> {
            float[] o = new float[n];
            be.unaryBackward(UnaryOp.SILU, Tensor.wrap(x, n), Tensor.wrap(y, n), Tensor.wrap(g, n), Tensor.wrap(o, n));
            return o;
        });
        sameBeforeAndAfterWarmUp("softmax + backward", () -> {
            float[] o = new float[n], gi = new float[n];
            be.softmax(Tensor.wrap(x, 1, n), Tensor.wrap(o, 1, n));
            be.softmaxBackward(Tensor.wrap(o, 1, n), Tensor.wrap(g, 1, n), Tensor.wrap(gi, 1, n));
            float[] both = new float[2 * n];
            System.arraycopy(o, 0, both, 0, n);
            System.arraycopy(gi, 0, both, n, n);
            return both;
        });
        int c = 8, s = 37;
        float[] xs = Naive.randf(r, 2 * c * s), dy = Naive.randf(r, 2 * c * s), gamma = Naive.randf(r, c), beta = Naive.randf(r, c);
        sameBeforeAndAfterWarmUp("groupNorm + backward", () -> {
            float[] o = new float[2 * c * s], mean = new float[4], rstd = new float[4], gx = new float[2 * c * s], gg = new float[c], gb = new float[c];
            be.groupNorm(Tensor.wrap(xs, 2, c, s), Tensor.wrap(gamma, c), Tensor.wrap(beta, c), 2, 1e-5, Tensor.wrap(o, 2, c, s),
                    Tensor.wrap(mean, 2, 2), Tensor.wrap(rstd, 2, 2));
            be.groupNormBackward(Tensor.wrap(xs, 2, c, s), Tensor.wrap(gamma, c), Tensor.wrap(mean, 2, 2), Tensor.wrap(rstd, 2, 2), 2,
                    Tensor.wrap(dy, 2, c, s), Tensor.wrap(gx, 2, c, s), Tensor.wrap(gg, c), Tensor.wrap(gb, c));
            float[] all = new float[o.length + gx.length + 2 * c + 8];
            int p = 0;
            for (float[] part : new float[][] {o, gx, gg, gb, mean, rstd}) {
                System.arraycopy(part, 0, all, p, part.length);
                p += part.length;
            }
            return all;
        });
        sameBeforeAndAfterWarmUp("reduce sum + sidLoss", () -> {
            float[] sum = new float[1], loss = new float[2], omega = new float[2];
            be.reduce(dev.sfd.backend.ReduceOp.SUM, Tensor.wrap(xs, 2, c, s), Tensor.wrap(sum, 1, 1, 1));
            be.sidLoss(Tensor.wrap(xs, 2, c * s), Tensor.wrap(dy, 2, c * s), Tensor.wrap(xs, 2, c * s), 1.2, Tensor.wrap(loss, 2), Tensor.wrap(omega, 2));
            return new float[] {sum[0], loss[0], loss[1], omega[0], omega[1]};
        });
    }
}
