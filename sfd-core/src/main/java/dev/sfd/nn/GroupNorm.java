package dev.sfd.nn;

import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/** Group normalisation with affine weight (init 1) and bias (init 0). */
public final class GroupNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int groups;
    private final double eps;

    public GroupNorm(int channels, int groups, double eps, DType dtype) {
        this.groups = groups;
        this.eps = eps;
        this.weight = param("weight", Tensor.ones(dtype, channels));
        this.bias = param("bias", Tensor.zeros(dtype, channels));
    }

    /** EDM's choice: {@code groups = min(32, C / 4)}, eps 1e-6. */
    public static GroupNorm edm(int channels, DType dtype) {
        return new GroupNorm(channels, Math.min(32, channels / 4), 1e-6, dtype);
    }

    public Tensor forward(Tensor x) { return Ops.groupNorm(x, groups, weight.data(), bias.data(), eps); }

    /** {@code silu(forward(x))} as one op that recomputes the normalised tensor in backward instead of keeping it. */
    public Tensor forwardSilu(Tensor x) { return Ops.groupNormSilu(x, groups, weight.data(), bias.data(), eps); }

    public int groups() { return groups; }
}
