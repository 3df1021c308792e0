package dev.sfd.profile;

import dev.sfd.backend.Backend;
import dev.sfd.backend.BinaryOp;
import dev.sfd.backend.ReduceOp;
import dev.sfd.backend.UnaryOp;
import dev.sfd.profile.Profiler.Kind;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Device;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A timing view of a backend: every primitive is delegated unchanged and reported to the {@link Profiler} as a
 * kernel call. Only handed out by {@link Profiler#wrap} while profiling is on. Storage stays owned by the
 * delegate, so tensors made through this view are ordinary tensors of the delegate.
 */
final class ProfilingBackend implements Backend {
    private static final Map<Backend, ProfilingBackend> VIEWS = new ConcurrentHashMap<>();

    private final Backend d;

    private ProfilingBackend(Backend d) { this.d = d; }

    static ProfilingBackend of(Backend b) { return VIEWS.computeIfAbsent(b, ProfilingBackend::new); }

    private void run(String name, long flops, Runnable body, Tensor... args) {
        Object e = Profiler.enter(Kind.KERNEL);
        try {
            body.run();
        } finally {
            long bytes = 0;
            for (Tensor t : args) if (t != null) bytes += (long) t.numel() * (t.dtype() == DType.FLOAT64 ? 8 : 4);
            Profiler.exit(Kind.KERNEL, name, e, flops, bytes, args);
        }
    }

    /** Multiply-adds x 2 of a stride-1 convolution producing {@code out} from {@code ci} input channels and K x K taps. */
    private static long convFlops(Tensor out, int ci, int k) {
        return 2L * out.numel() * ci * k * k;
    }

    @Override public String name() { return d.name(); }
    @Override public Device device() { return d.device(); }
    @Override public Storage allocate(DType dtype, int length) { return d.allocate(dtype, length); }
    @Override public Storage upload(float[] data) { return d.upload(data); }
    @Override public Storage upload(double[] data) { return d.upload(data); }
    @Override public double[] downloadDouble(Storage s, int offset, int length) { return d.downloadDouble(s, offset, length); }
    @Override public float[] downloadFloat(Storage s, int offset, int length) { return d.downloadFloat(s, offset, length); }

    @Override public void copy(Tensor src, Tensor dst) { run("copy", 0, () -> d.copy(src, dst), src, dst); }
    @Override public void fill(Tensor out, double value) { run("fill", 0, () -> d.fill(out, value), out); }
    @Override public void unary(UnaryOp op, Tensor x, Tensor out) { run("unary." + op, 0, () -> d.unary(op, x, out), x, out); }
    @Override public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        run("unaryBackward." + op, 0, () -> d.unaryBackward(op, x, y, gradOut, gradIn), x, y, gradOut, gradIn);
    }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) { run("binary." + op, 0, () -> d.binary(op, a, b, out), a, b, out); }
    @Override public void binaryScalar(BinaryOp op, Tensor x, double s, Tensor out) { run("binaryScalar." + op, 0, () -> d.binaryScalar(op, x, s, out), x, out); }
    @Override public void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out) { run("axpby", 2L * out.numel(), () -> d.axpby(alpha, x, beta, y, out), x, y, out); }
    @Override public void clamp(Tensor x, double lo, double hi, Tensor out) { run("clamp", 0, () -> d.clamp(x, lo, hi, out), x, out); }
    @Override public void reduce(ReduceOp op, Tensor x, Tensor out) { run("reduce." + op, x.numel(), () -> d.reduce(op, x, out), x, out); }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta) {
        int k = transA ? a.dim(a.rank() - 2) : a.dim(a.rank() - 1);
        run("matmul", 2L * c.numel() * k, () -> d.matmul(a, b, c, transA, transB, alpha, beta), a, b, c);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, int pad, Tensor out) {
        run("conv2d", convFlops(out, w.dim(1), w.dim(2)), () -> d.conv2d(x, w, bias, pad, out), x, w, bias, out);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, int pad, Tensor gradX) {
        run("conv2dBackwardData", convFlops(gradOut, w.dim(1), w.dim(2)), () -> d.conv2dBackwardData(gradOut, w, pad, gradX), gradOut, w, gradX);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias) {
        run("conv2dBackwardWeight", convFlops(gradOut, gradW.dim(1), gradW.dim(2)), () -> d.conv2dBackwardWeight(x, gradOut, pad, gradW, gradBias),
                x, gradOut, gradW, gradBias);
    }

    @Override
    public void groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, double eps, Tensor out, Tensor mean, Tensor rstd) {
        run("groupNorm", 0, () -> d.groupNorm(x, gamma, beta, groups, eps, out, mean, rstd), x, gamma, beta, out);
    }

    @Override
    public void groupNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, int groups, Tensor gradOut, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        run("groupNormBackward", 0, () -> d.groupNormBackward(x, gamma, mean, rstd, groups, gradOut, gradX, gradGamma, gradBeta), x, gradOut, gradX);
    }

    @Override public void softmax(Tensor x, Tensor out) { run("softmax", 0, () -> d.softmax(x, out), x, out); }
    @Override public void softmaxBackward(Tensor y, Tensor gradOut, Tensor gradIn) { run("softmaxBackward", 0, () -> d.softmaxBackward(y, gradOut, gradIn), y, gradOut, gradIn); }
    @Override public void upsample2x(Tensor x, Tensor out) { run("upsample2x", 0, () -> d.upsample2x(x, out), x, out); }
    @Override public void upsample2xBackward(Tensor gradOut, Tensor gradIn) { run("upsample2xBackward", 0, () -> d.upsample2xBackward(gradOut, gradIn), gradOut, gradIn); }
    @Override public void avgPool2x(Tensor x, Tensor out) { run("avgPool2x", 0, () -> d.avgPool2x(x, out), x, out); }
    @Override public void avgPool2xBackward(Tensor gradOut, Tensor gradIn) { run("avgPool2xBackward", 0, () -> d.avgPool2xBackward(gradOut, gradIn), gradOut, gradIn); }
    @Override public void randomNormal(long seed, long counter, Tensor out) { run("randomNormal", 0, () -> d.randomNormal(seed, counter, out), out); }
    @Override public void randomUniform(long seed, long counter, Tensor out) { run("randomUniform", 0, () -> d.randomUniform(seed, counter, out), out); }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        run("adamStep", 0, () -> d.adamStep(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step), param, grad, m, v);
    }

    @Override public void emaUpdate(Tensor ema, Tensor param, double beta) { run("emaUpdate", 0, () -> d.emaUpdate(ema, param, beta), ema, param); }

    @Override
    public void sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor loss, Tensor omega) {
        run("sidLoss", 0, () -> d.sidLoss(xg, yReal, yFake, alpha, loss, omega), xg, yReal, yFake);
    }

    @Override
    public void sidLossBackward(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor omega, Tensor gradLoss, Tensor gradXg, Tensor gradReal, Tensor gradFake) {
        run("sidLossBackward", 0, () -> d.sidLossBackward(xg, yReal, yFake, alpha, omega, gradLoss, gradXg, gradReal, gradFake), xg, yReal, yFake, gradXg, gradReal, gradFake);
    }

    @Override public String toString() { return d.toString(); }
}
