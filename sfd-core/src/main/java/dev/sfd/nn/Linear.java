package dev.sfd.nn;

import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;

/** {@code y = x W^T + b}, weight [out, in]; EDM xavier-uniform init with a multiplier, zero bias. */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;

    public Linear(int in, int out, boolean bias, double initScale, RandomStream rng, DType dtype) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Init.xavierUniform(rng, dtype, in, out, initScale, out, in));
        this.bias = bias ? param("bias", Tensor.zeros(dtype, out)) : null;
    }

    public Tensor forward(Tensor x) { return Ops.linear(x, weight.data(), bias == null ? null : bias.data()); }

    /** The weight [out, in]: column {@code j} is what input feature {@code j} adds to the output. */
    public Parameter weight() { return weight; }

    public int inFeatures() { return in; }

    public int outFeatures() { return out; }
}
