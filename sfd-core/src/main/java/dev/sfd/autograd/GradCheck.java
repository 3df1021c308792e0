package dev.sfd.autograd;

import dev.sfd.SfdException;
import dev.sfd.backend.Backends;
import dev.sfd.ops.Ops;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.function.Function;

/**
 * Numerical gradient check in FLOAT64 (after PyTorch's gradcheck): compares the autograd gradient of
 * {@code sum(f(inputs) * r)} for a fixed random {@code r} with central differences of step {@code eps = 1e-6}.
 * An element passes when {@code |analytic - numeric| <= atol + rtol * |numeric|} with defaults
 * {@code atol = 1e-6}, {@code rtol = 1e-4}: central differences have O(eps^2) truncation and O(1e-16 / eps)
 * rounding error, so about 1e-8 absolute for well-scaled functions; the margin covers reductions over
 * a few thousand elements.
 */
public final class GradCheck {
    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-6;
    public static final double RTOL = 1e-4;

    private GradCheck() {}

    /** Result of a check: the worst element and whether all passed. */
    public record Result(boolean passed, double maxAbsError, String worst) {}

    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, ATOL, RTOL, inputs);
    }

    public static Result check(Function<Tensor[], Tensor> f, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.FLOAT64) throw new SfdException("GradCheck needs FLOAT64 inputs, got " + t.dtype());
        }
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = inputs[i].dense().detach().requiresGrad(true);
        Tensor out = f.apply(leaves);
        Tensor r = Ops.randn(Backends.current(), DType.FLOAT64, 12345, 0, out.shape());
        Ops.sumAll(Ops.mul(out, r)).backward();

        double worstErr = 0;
        String worst = "none";
        boolean ok = true;
        for (int i = 0; i < leaves.length; i++) {
            double[] base = leaves[i].toDoubleArray();
            double[] analytic = leaves[i].grad() == null ? new double[base.length] : leaves[i].grad().toDoubleArray();
            for (int j = 0; j < base.length; j++) {
                double num = (eval(f, leaves, i, base, j, EPS, r) - eval(f, leaves, i, base, j, -EPS, r)) / (2 * EPS);
                double err = Math.abs(analytic[j] - num);
                if (err > atol + rtol * Math.abs(num)) ok = false;
                if (err > worstErr) {
                    worstErr = err;
                    worst = "input " + i + " element " + j + ": analytic " + analytic[j] + " numeric " + num;
                }
            }
        }
        return new Result(ok, worstErr, worst);
    }

    private static double eval(Function<Tensor[], Tensor> f, Tensor[] leaves, int which, double[] base, int j, double delta, Tensor r) {
        try (var g = Grad.disabled()) {
            Tensor[] in = leaves.clone();
            double[] moved = base.clone();
            moved[j] += delta;
            in[which] = Tensor.of(moved, leaves[which].shape());
            return Ops.sumAll(Ops.mul(f.apply(in), r)).item();
        }
    }
}
