package dev.sfd.optim;

import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.nn.Parameter;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with PyTorch semantics; {@code beta1 = 0} is allowed (SiD/SFD use (0, 0.999)).
 * The update runs as one fused backend kernel per parameter. Parameters without a gradient are skipped.
 */
public final class Adam {
    private final List<Parameter> params;
    private final Tensor[] m;
    private final Tensor[] v;
    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    public Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (lr < 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new SfdException("Adam: invalid hyper-parameters lr=" + lr + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new Tensor[this.params.size()];
        this.v = new Tensor[this.params.size()];
        for (int i = 0; i < m.length; i++) {
            Tensor d = this.params.get(i).data();
            m[i] = Tensor.zeros(d.backend(), d.dtype(), d.shape());
            v[i] = Tensor.zeros(d.backend(), d.dtype(), d.shape());
        }
    }

    public Adam(List<Parameter> params, double lr, double beta1, double beta2) { this(params, lr, beta1, beta2, 1e-8, 0.0); }

    public void setLearningRate(double lr) { this.lr = lr; }

    public double learningRate() { return lr; }

    public long stepCount() { return step; }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        step++;
        for (int i = 0; i < m.length; i++) {
            Parameter p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            Tensor d = p.data();
            d.backend().adamStep(d, g.dense(), m[i], v[i], lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    /**
     * Moments and step count, named {@code m.<i>} / {@code v.<i>} by parameter index, for checkpoints. With
     * {@code beta1 = 0} the first moment is left out: the next step overwrites it with the gradient without reading it
     * ({@code m = 0 * m + g}), so it carries no state and would only double the checkpoint's optimiser share.
     */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        for (int i = 0; i < m.length; i++) {
            if (beta1 != 0) s.put("m." + i, m[i]);
            s.put("v." + i, v[i]);
        }
        return s;
    }

    /** Restores {@link #state()} and the step count ({@code m.<i>} may be absent when {@code beta1 = 0}). */
    public void restore(Map<String, Tensor> state, long stepCount) {
        for (int i = 0; i < m.length; i++) {
            Tensor sm = state.get("m." + i), sv = state.get("v." + i);
            if (sv == null || (sm == null && beta1 != 0)) {
                throw new SfdException("Adam state: missing " + (sv == null ? "second" : "first") + " moment for parameter " + i);
            }
            restoreMoment(sv, v[i], "second", i);
            if (sm != null) restoreMoment(sm, m[i], "first", i);
            else m[i].backend().fill(m[i], 0f);
        }
        this.step = stepCount;
    }

    private static void restoreMoment(Tensor saved, Tensor into, String which, int i) {
        if (!Shapes.equal(saved.shape(), into.shape())) {
            throw new ShapeException("Adam state: " + which + " moment " + i + " has shape " + Shapes.str(saved.shape()) + ", expected " + Shapes.str(into.shape()));
        }
        into.backend().copy(saved.to(into.dtype()), into);
    }
}
