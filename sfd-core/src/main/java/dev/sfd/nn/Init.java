package dev.sfd.nn;

import dev.sfd.backend.Backends;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;

/** Weight initialisation schemes of EDM's {@code weight_init} (SPEC-EDM 5.2). */
public final class Init {
    private Init() {}

    /** {@code scale * sqrt(6 / (fanIn + fanOut)) * U(-1, 1)}. */
    public static Tensor xavierUniform(RandomStream rng, DType dtype, int fanIn, int fanOut, double scale, int... shape) {
        return uniformPm(rng, dtype, scale * Math.sqrt(6.0 / (fanIn + fanOut)), shape);
    }

    /** {@code scale * sqrt(3 / fanIn) * U(-1, 1)}. */
    public static Tensor kaimingUniform(RandomStream rng, DType dtype, int fanIn, double scale, int... shape) {
        return uniformPm(rng, dtype, scale * Math.sqrt(3.0 / fanIn), shape);
    }

    /** {@code a * U(-1, 1)}. */
    public static Tensor uniformPm(RandomStream rng, DType dtype, double a, int... shape) {
        int n = Shapes.numel(shape);
        Tensor u = Ops.rand(Backends.current(), dtype, rng.seed(), rng.next(n), shape);
        return Ops.addScalar(Ops.mulScalar(u, 2 * a), -a);
    }
}
