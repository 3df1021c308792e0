package dev.sfd.backend.cpu;

import dev.sfd.backend.*;
import dev.sfd.tensor.*;

/** Scalar reference kernels for every SPI primitive (PLACEHOLDER: being written). */
public class ReferenceBackend implements Backend {
    @Override public String name() { return "cpu-scalar"; }
    @Override public Device device() { return Device.CPU; }
    @Override public Storage allocate(DType dtype, int length) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public Storage upload(float[] data) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public Storage upload(double[] data) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public double[] downloadDouble(Storage s, int offset, int length) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public float[] downloadFloat(Storage s, int offset, int length) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void copy(Tensor src, Tensor dst) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void fill(Tensor out, double value) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void unary(UnaryOp op, Tensor x, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void binaryScalar(BinaryOp op, Tensor x, double s, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void clamp(Tensor x, double lo, double hi, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void reduce(ReduceOp op, Tensor x, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void conv2d(Tensor x, Tensor w, Tensor bias, int pad, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void conv2dBackwardData(Tensor gradOut, Tensor w, int pad, Tensor gradX) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void conv2dBackwardWeight(Tensor x, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, double eps, Tensor out, Tensor mean, Tensor rstd) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void groupNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, int groups, Tensor gradOut, Tensor gradX, Tensor gradGamma, Tensor gradBeta) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void softmax(Tensor x, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void softmaxBackward(Tensor y, Tensor gradOut, Tensor gradIn) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void upsample2x(Tensor x, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void upsample2xBackward(Tensor gradOut, Tensor gradIn) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void avgPool2x(Tensor x, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void avgPool2xBackward(Tensor gradOut, Tensor gradIn) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void randomNormal(long seed, long counter, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void randomUniform(long seed, long counter, Tensor out) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, double weightDecay, long step) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void emaUpdate(Tensor ema, Tensor param, double beta) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor loss, Tensor omega) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
    @Override public void sidLossBackward(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor omega, Tensor gradLoss, Tensor gradXg, Tensor gradReal, Tensor gradFake) { throw new UnsupportedOperationException("ReferenceBackend: not written yet"); }
}
