package dev.sfd.nn;

import dev.sfd.ShapeException;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;

/** A trainable tensor owned by a {@link Module}. Optimisers update {@link #data()} in place. */
public final class Parameter {
    private Tensor data;

    public Parameter(Tensor data) {
        this.data = data.detach().requiresGrad(true);
    }

    public Tensor data() { return data; }

    public Tensor grad() { return data.grad(); }

    public int[] shape() { return data.shape(); }

    public int numel() { return data.numel(); }

    /** Replaces the values (same shape) without touching the optimiser state. */
    public void set(Tensor values) {
        if (!Shapes.equal(values.shape(), data.shape())) {
            throw new ShapeException("parameter of shape " + Shapes.str(data.shape()) + " cannot be set from " + Shapes.str(values.shape()));
        }
        boolean rg = data.requiresGrad();
        Tensor t = values.to(data.dtype()).dense();
        Tensor copy = Tensor.zeros(data.backend(), data.dtype(), data.shape());
        copy.backend().copy(t, copy);
        this.data = copy.requiresGrad(rg);
    }

    /** Frozen parameters receive no gradient (the teacher in SFD). */
    public void setRequiresGrad(boolean on) { data.requiresGrad(on); }

    public boolean requiresGrad() { return data.requiresGrad(); }

    public void zeroGrad() { data.zeroGrad(); }
}
