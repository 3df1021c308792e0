package dev.sfd.nn;

import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/**
 * EDM's Conv2d: optional 2x resampling applied before a k x k convolution (stride 1, padding k/2).
 * {@code up} = nearest 2x upsampling, {@code down} = 2x2 average pooling (EDM's [1,1] resample filter,
 * kept as the {@code resample_filter} buffer so state dicts match PyTorch). k = 0 means "no weights".
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int kernel;
    private final boolean up;
    private final boolean down;

    public Conv2d(int in, int out, int kernel, boolean bias, boolean up, boolean down, double initScale, RandomStream rng, DType dtype) {
        if (up && down) throw new IllegalArgumentException("Conv2d cannot both upsample and downsample");
        this.kernel = kernel;
        this.up = up;
        this.down = down;
        if (kernel > 0) {
            int fanIn = in * kernel * kernel, fanOut = out * kernel * kernel;
            this.weight = param("weight", Init.xavierUniform(rng, dtype, fanIn, fanOut, initScale, out, in, kernel, kernel));
            this.bias = bias ? param("bias", Tensor.zeros(dtype, out)) : null;
        } else {
            this.weight = null;
            this.bias = null;
        }
        if (up || down) buffer("resample_filter", Tensor.full(dtype, 0.25, 1, 1, 2, 2));
    }

    /** Plain convolution with bias (no resampling). */
    public Conv2d(int in, int out, int kernel, double initScale, RandomStream rng, DType dtype) {
        this(in, out, kernel, true, false, false, initScale, rng, dtype);
    }

    public Tensor forward(Tensor x) {
        if (up) x = Ops.upsample2x(x);
        if (down) x = Ops.avgPool2x(x);
        if (weight == null) return x;
        return Ops.conv2d(x, weight.data(), bias == null ? null : bias.data(), kernel / 2);
    }
}
