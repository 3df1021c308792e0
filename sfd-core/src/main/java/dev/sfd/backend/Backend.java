package dev.sfd.backend;

import dev.sfd.tensor.DType;
import dev.sfd.tensor.Device;
import dev.sfd.tensor.Storage;
import dev.sfd.tensor.Tensor;

/**
 * The primitive kernels a backend provides (the SPI). Everything else (attention, U-Net blocks, losses)
 * is composed from these in {@code dev.sfd.ops} and is backend independent.
 *
 * <p>Contract shared by all methods:
 * <ul>
 *   <li>Every tensor argument belongs to this backend and has the same dtype (FLOAT32 or FLOAT64).</li>
 *   <li>Unless a parameter says otherwise, tensors are <em>dense</em>: contiguous row-major strides and
 *       storage offset 0 ({@link Tensor#isDense()}). Only {@link #copy} accepts arbitrary strided views.</li>
 *   <li>Outputs are preallocated by the caller with the documented shape and are fully overwritten
 *       (never accumulated into) unless the method says "accumulates".</li>
 *   <li>Shapes are already checked by the ops layer; a backend may assume they are consistent.</li>
 *   <li>Elementwise methods ({@code unary}, {@code unaryBackward}, {@code binary}, {@code binaryScalar},
 *       {@code axpby}, {@code clamp}) allow the output to be the same tensor as an input (in-place use by
 *       optimisers and gradient clipping).</li>
 * </ul>
 * Layout conventions: images NCHW; conv weights [Cout, Cin, K, K]; matrices row major.
 */
public interface Backend {

    /** Short name used by {@code -Dsfd.backend} ("cpu", "cpu-scalar", "cuda", "cuda-emu"). */
    String name();

    Device device();

    /** Zero-filled storage of {@code length} elements. */
    Storage allocate(DType dtype, int length);

    /** Storage holding a copy of host data (FLOAT32). */
    Storage upload(float[] data);

    /** Storage holding a copy of host data (FLOAT64). */
    Storage upload(double[] data);

    /** Copies {@code length} elements from {@code offset} of a storage to the host as FLOAT64. */
    double[] downloadDouble(Storage s, int offset, int length);

    /** Copies {@code length} elements from {@code offset} of a storage to the host as FLOAT32. */
    float[] downloadFloat(Storage s, int offset, int length);

    // ------------------------------------------------------------------ memory movement

    /** {@code dst[i] = src[i]} for every index of {@code src.shape()}; both may be strided views, dtypes may differ. */
    void copy(Tensor src, Tensor dst);

    /** Sets every element of a dense tensor to {@code value}. */
    void fill(Tensor out, double value);

    // ------------------------------------------------------------------ elementwise

    /** {@code out = op(x)}; same shape. */
    void unary(UnaryOp op, Tensor x, Tensor out);

    /**
     * {@code gradIn = gradOut * op'(x)}; {@code y = op(x)} is passed too so rules such as exp, sqrt,
     * sigmoid can use the output. SIGN, RELU-at-0 and NAN_TO_NUM have derivative 0 / step as usual.
     */
    void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn);

    /** {@code out = a op b} where {@code a} and {@code b} broadcast (numpy rules) to {@code out.shape()}. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** {@code out = x op s} with a scalar right operand (POW: x^s). */
    void binaryScalar(BinaryOp op, Tensor x, double s, Tensor out);

    /** {@code out = alpha * x + beta * y}, same shapes. */
    void axpby(double alpha, Tensor x, double beta, Tensor y, Tensor out);

    /** {@code out = min(max(x, lo), hi)}. */
    void clamp(Tensor x, double lo, double hi, Tensor out);

    // ------------------------------------------------------------------ reductions

    /**
     * Reduces {@code x} to {@code out}, whose shape has the same rank with every reduced dimension set to 1
     * (the reduced axes are exactly those where the sizes differ).
     */
    void reduce(ReduceOp op, Tensor x, Tensor out);

    // ------------------------------------------------------------------ linear algebra

    /**
     * Batched matrix product {@code c[b] = alpha * op(a[b]) @ op(b[b]) + beta * c[b]}.
     * {@code a} is [B or 1, M, K] (or [.., K, M] when transA), {@code b} is [B or 1, K, N] (or [.., N, K] when
     * transB), {@code c} is [B, M, N]. A batch size of 1 on a or b broadcasts. With beta = 0, c is not read.
     */
    void matmul(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, double alpha, double beta);

    // ------------------------------------------------------------------ convolution (stride 1, zero padding)

    /** out[N,Co,Ho,Wo] = conv(x[N,Ci,H,W], w[Co,Ci,K,K]) + bias[Co] (bias may be null); Ho = H + 2 pad - K + 1. */
    void conv2d(Tensor x, Tensor w, Tensor bias, int pad, Tensor out);

    /** gradX[N,Ci,H,W] = gradient of conv2d with respect to its input. */
    void conv2dBackwardData(Tensor gradOut, Tensor w, int pad, Tensor gradX);

    /** gradW[Co,Ci,K,K] and (if non-null) gradBias[Co]; overwritten, not accumulated. */
    void conv2dBackwardWeight(Tensor x, Tensor gradOut, int pad, Tensor gradW, Tensor gradBias);

    // ------------------------------------------------------------------ normalisation

    /**
     * Group norm over x[N,C,*] (any trailing spatial dims): per (n, group) statistics over C/groups channels
     * and all spatial positions, biased variance. Writes out, mean[N,G], rstd[N,G] = 1/sqrt(var+eps).
     * gamma, beta are [C] (may be null: identity affine).
     */
    void groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** Backward of {@link #groupNorm}; gradGamma/gradBeta may be null when gamma/beta were null. Overwrites. */
    void groupNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, int groups, Tensor gradOut,
                           Tensor gradX, Tensor gradGamma, Tensor gradBeta);

    /** Softmax over the last dimension. */
    void softmax(Tensor x, Tensor out);

    /** gradIn = y * (gradOut - sum(gradOut * y, last dim)). */
    void softmaxBackward(Tensor y, Tensor gradOut, Tensor gradIn);

    // ------------------------------------------------------------------ resampling (NCHW, factor 2)

    /** Nearest-neighbour 2x upsampling: out[N,C,2H,2W]. */
    void upsample2x(Tensor x, Tensor out);

    /** gradIn[N,C,H,W] = sum of the 2x2 block of gradOut[N,C,2H,2W]. */
    void upsample2xBackward(Tensor gradOut, Tensor gradIn);

    /** 2x2 average pooling, stride 2 (H, W even): out[N,C,H/2,W/2]. */
    void avgPool2x(Tensor x, Tensor out);

    /** gradIn[N,C,H,W] = gradOut / 4 spread over each 2x2 block. */
    void avgPool2xBackward(Tensor gradOut, Tensor gradIn);

    // ------------------------------------------------------------------ random numbers (Philox-4x32-10)

    /**
     * Fills a dense tensor with standard normal draws: element i uses the Philox stream (key = seed,
     * counter = counter + i / 4 ...) exactly as {@link dev.sfd.random.Philox} defines, so every backend
     * produces identical numbers.
     */
    void randomNormal(long seed, long counter, Tensor out);

    /** Uniform [0, 1) draws, same stream layout as {@link #randomNormal}. */
    void randomUniform(long seed, long counter, Tensor out);

    // ------------------------------------------------------------------ fused optimiser updates

    /**
     * One Adam step in place (PyTorch semantics, decoupled bias correction):
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps),
     * with L2 weight decay {@code g += wd * p} applied first when wd != 0.
     */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                  double eps, double weightDecay, long step);

    /** ema = beta * ema + (1 - beta) * param, in place. */
    void emaUpdate(Tensor ema, Tensor param, double beta);

    // ------------------------------------------------------------------ fused SiD generator loss

    /**
     * The SiD generator loss (SPEC-SFD section 6) per sample, for xg, yReal, yFake of shape [N, D...]:
     * omega_n = max(mean_i |yReal - xg|, 1e-5) (no gradient);
     * loss_n = sum_i (yReal - yFake) * ((yReal - xg) - alpha (yReal - yFake)) / omega_n.
     * Writes loss[N] and omega[N].
     */
    void sidLoss(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor loss, Tensor omega);

    /**
     * Gradients of sum_n gradLoss[n] * loss_n with omega held constant, written to gradXg, gradReal, gradFake
     * (each shape of xg). With r = yReal, f = yFake, x = xg, d = r - f:
     * dL/dx = -d / omega; dL/dr = ((r - x) - 2 alpha d + d) / omega; dL/df = -((r - x) - 2 alpha d) / omega.
     */
    void sidLossBackward(Tensor xg, Tensor yReal, Tensor yFake, double alpha, Tensor omega, Tensor gradLoss,
                         Tensor gradXg, Tensor gradReal, Tensor gradFake);
}
