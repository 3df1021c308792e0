package dev.sfd.optim;

import dev.sfd.backend.UnaryOp;
import dev.sfd.nn.Parameter;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.Tensor;
import java.util.List;

/** Gradient clipping and sanitising, applied between backward and the optimiser step. */
public final class GradClip {
    private GradClip() {}

    /** Clamps every gradient element into [-limit, limit] (PyTorch {@code clip_grad_value_}; SFD DDPM). */
    public static void clipValue(List<Parameter> params, double limit) {
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g != null) g.backend().clamp(g, -limit, limit, g);
        }
    }

    /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before clipping. */
    public static double clipNorm(List<Parameter> params, double maxNorm) {
        double sq = 0;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g != null) sq += Ops.sumAll(Ops.square(g)).item();
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm && norm > 0) {
            double s = maxNorm / (norm + 1e-6);
            for (Parameter p : params) {
                Tensor g = p.grad();
                if (g != null) g.backend().binaryScalar(dev.sfd.backend.BinaryOp.MUL, g, s, g);
            }
        }
        return norm;
    }

    /** NaN -> 0, +Inf -> 1e5, -Inf -> -1e5 in place (EDM/SiD sanitiser). */
    public static void sanitize(List<Parameter> params) {
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g != null) g.backend().unary(UnaryOp.NAN_TO_NUM, g, g);
        }
    }
}
