package dev.sfd.nn;

import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;

/** Inverted dropout, active only in training mode; draws from the module tree's random stream. */
public final class Dropout extends Module {
    private final double p;

    public Dropout(double p) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
    }

    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        return Ops.dropout(x, p, random().seed(), random().next(x.numel()));
    }

    public double p() { return p; }
}
