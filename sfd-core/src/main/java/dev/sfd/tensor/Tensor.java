package dev.sfd.tensor;

import dev.sfd.DTypeException;
import dev.sfd.SfdException;
import dev.sfd.ShapeException;
import dev.sfd.autograd.Autograd;
import dev.sfd.autograd.Grad;
import dev.sfd.autograd.Node;
import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.ops.Ops;
import java.util.Arrays;

/**
 * An n-dimensional array of FLOAT32 or FLOAT64 values on one backend, with an optional place on the
 * autograd tape. A tensor is a view (shape, strides, offset) of a {@link Storage}; views share storage.
 * Ops never modify their inputs; the few in-place methods say so in their name ({@code *_}).
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;
    private final int numel;

    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;

    /** Low-level constructor; prefer the factories. */
    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        this.numel = Shapes.numel(shape);
    }

    /** A dense tensor over a whole storage. */
    public Tensor(Storage storage, int... shape) {
        this(storage, shape, Shapes.contiguousStrides(shape), 0);
        if (storage.length() < numel) {
            throw new ShapeException("storage of " + storage.length() + " elements is too small for shape " + Shapes.str(shape));
        }
    }

    // ------------------------------------------------------------------ factories

    public static Tensor zeros(DType dtype, int... shape) { return zeros(Backends.current(), dtype, shape); }

    public static Tensor zeros(Backend backend, DType dtype, int... shape) {
        return new Tensor(backend.allocate(dtype, Shapes.numel(shape)), shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        t.backend().fill(t, value);
        return t;
    }

    public static Tensor ones(DType dtype, int... shape) { return full(dtype, 1.0, shape); }

    /** FLOAT32 tensor holding a copy of {@code data}. */
    public static Tensor of(float[] data, int... shape) {
        check(data.length, shape);
        return new Tensor(Backends.current().upload(data), shape);
    }

    /** FLOAT64 tensor holding a copy of {@code data}. */
    public static Tensor of(double[] data, int... shape) {
        check(data.length, shape);
        return new Tensor(Backends.current().upload(data), shape);
    }

    /** FLOAT32 tensor that wraps (does not copy) a heap array; CPU backend only. */
    public static Tensor wrap(float[] data, int... shape) {
        check(data.length, shape);
        return new Tensor(new CpuStorage(data), shape);
    }

    /** FLOAT64 tensor that wraps (does not copy) a heap array; CPU backend only. */
    public static Tensor wrap(double[] data, int... shape) {
        check(data.length, shape);
        return new Tensor(new CpuStorage(data), shape);
    }

    /** Rank-0 tensor. */
    public static Tensor scalar(DType dtype, double value) {
        return dtype == DType.FLOAT32 ? of(new float[] {(float) value}) : of(new double[] {value});
    }

    private static void check(int n, int[] shape) {
        if (Shapes.numel(shape) != n) {
            throw new ShapeException("data of " + n + " elements does not fit shape " + Shapes.str(shape) + " (" + Shapes.numel(shape) + " elements)");
        }
    }

    // ------------------------------------------------------------------ metadata

    public int[] shape() { return shape.clone(); }

    public int dim(int axis) { return shape[Shapes.axis("dim", axis, shape.length)]; }

    public int rank() { return shape.length; }

    public int numel() { return numel; }

    public int[] strides() { return strides.clone(); }

    public int offset() { return offset; }

    public DType dtype() { return storage.dtype(); }

    public Storage storage() {
        if (storage.isClosed()) throw new SfdException("tensor " + Shapes.str(shape) + " was used after its storage was closed");
        return storage;
    }

    /** The backend that owns the storage (a timing view of it while a {@link dev.sfd.profile.Profiler} runs). */
    public Backend backend() { return dev.sfd.profile.Profiler.wrap(storage.backend()); }

    public Device device() { return storage.backend().device(); }

    /** Contiguous row-major strides and offset 0: what backend kernels expect. */
    public boolean isDense() {
        if (offset != 0) return false;
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != acc) return false;
            acc *= shape[i];
        }
        return true;
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as requiring a gradient (or not). Not allowed on op results. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) throw new SfdException("cannot clear requiresGrad on the result of op '" + gradFn.op() + "'; use detach()");
        this.requiresGrad = on;
        return this;
    }

    public Node gradFn() { return gradFn; }

    /** Accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) {
        if (g != null && !Shapes.equal(g.shape, shape)) {
            throw new ShapeException("setGrad: gradient shape " + Shapes.str(g.shape) + " does not match " + Shapes.str(shape));
        }
        this.grad = g;
    }

    public void zeroGrad() { this.grad = null; }

    /** Adds to the leaf gradient (called by the engine). */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            // Always a fresh copy: the incoming tensor may also reach another leaf (add's backward hands one
            // gradient to both inputs) or be the caller's backward(gradient) seed, and later accumulation
            // writes into grad in place.
            grad = Ops.contiguousCopy(g.detach());
        } else {
            try (var s = Grad.disabled()) {
                backend().axpby(1.0, grad, 1.0, g.dense(), grad);
            }
        }
    }

    /**
     * Records this tensor as the output of an op (called by {@code dev.sfd.ops}): it requires a gradient when
     * grad mode is on and some input does.
     */
    public Tensor recordOp(String op, Tensor[] inputs, Node.BackwardFn backward) {
        if (CHECK_NAN) checkFinite(op);
        if (!Grad.isEnabled()) return this;
        boolean any = false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad) { any = true; break; }
        if (!any) return this;
        this.requiresGrad = true;
        this.gradFn = new Node(op, inputs, backward);
        return this;
    }

    /** {@code -Dsfd.checkNaN=true}: every op checks its output and names the first op that produced NaN or Inf. */
    private static final boolean CHECK_NAN = Boolean.getBoolean("sfd.checkNaN");

    private void checkFinite(String op) {
        double[] v = toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new dev.sfd.NumericsException("op '" + op + "' produced " + v[i] + " at flat index " + i + " of its output " + Shapes.str(shape)
                        + " (sfd.checkNaN=true)");
            }
        }
    }

    /** Back-propagates from a scalar (numel 1) tensor with seed 1. */
    public void backward() {
        if (numel != 1) throw new ShapeException("backward() without a gradient needs a scalar, got shape " + Shapes.str(shape));
        Tensor seed = Tensor.zeros(backend(), dtype(), shape);
        backend().fill(seed, 1.0);
        Autograd.backward(this, seed);
    }

    /** Back-propagates an explicit output gradient. */
    public void backward(Tensor gradient) { Autograd.backward(this, gradient); }

    /** A tensor sharing storage but cut from the tape. */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset); }

    // ------------------------------------------------------------------ host access

    /** Dense copy as FLOAT32 on the host. */
    public float[] toFloatArray() {
        Tensor d = dense();
        return d.backend().downloadFloat(d.storage(), 0, numel);
    }

    /** Dense copy as FLOAT64 on the host. */
    public double[] toDoubleArray() {
        Tensor d = dense();
        return d.backend().downloadDouble(d.storage(), 0, numel);
    }

    /** Value of a one-element tensor. */
    public double item() {
        if (numel != 1) throw new ShapeException("item() needs one element, tensor has shape " + Shapes.str(shape));
        return backend().downloadDouble(storage(), offset, 1)[0];
    }

    /** Element at a multi-index (slow; for tests and small tensors). */
    public double get(int... index) {
        if (index.length != shape.length) throw new ShapeException("get: index of rank " + index.length + " for shape " + Shapes.str(shape));
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new ShapeException("get: index " + Arrays.toString(index) + " out of bounds for " + Shapes.str(shape));
            p += index[i] * strides[i];
        }
        return backend().downloadDouble(storage(), p, 1)[0];
    }

    // ------------------------------------------------------------------ fluent ops (see dev.sfd.ops.Ops)

    public Tensor dense() { return isDense() ? this : Ops.contiguousCopy(this); }
    public Tensor to(DType dtype) { return dtype == dtype() ? this : Ops.cast(this, dtype); }
    public Tensor add(Tensor o) { return Ops.add(this, o); }
    public Tensor sub(Tensor o) { return Ops.sub(this, o); }
    public Tensor mul(Tensor o) { return Ops.mul(this, o); }
    public Tensor div(Tensor o) { return Ops.div(this, o); }
    public Tensor add(double s) { return Ops.addScalar(this, s); }
    public Tensor mul(double s) { return Ops.mulScalar(this, s); }
    public Tensor neg() { return Ops.neg(this); }
    public Tensor square() { return Ops.square(this); }
    public Tensor sqrt() { return Ops.sqrt(this); }
    public Tensor exp() { return Ops.exp(this); }
    public Tensor log() { return Ops.log(this); }
    public Tensor abs() { return Ops.abs(this); }
    public Tensor silu() { return Ops.silu(this); }
    public Tensor sigmoid() { return Ops.sigmoid(this); }
    public Tensor sum() { return Ops.sumAll(this); }
    public Tensor mean() { return Ops.meanAll(this); }
    public Tensor sum(int axis, boolean keepDim) { return Ops.sum(this, new int[] {axis}, keepDim); }
    public Tensor mean(int axis, boolean keepDim) { return Ops.mean(this, new int[] {axis}, keepDim); }
    public Tensor matmul(Tensor o) { return Ops.matmul(this, o); }
    public Tensor reshape(int... newShape) { return Ops.reshape(this, newShape); }
    public Tensor permute(int... axes) { return Ops.permute(this, axes); }
    public Tensor transpose(int a, int b) { return Ops.transpose(this, a, b); }
    public Tensor narrow(int axis, int start, int length) { return Ops.narrow(this, axis, start, length); }
    public Tensor softmax() { return Ops.softmax(this); }

    /** Checks that another tensor has the same dtype and backend (for ops). */
    public void requireCompatible(String op, Tensor o) {
        if (o.dtype() != dtype()) throw new DTypeException(op + ": dtype mismatch " + dtype() + Shapes.str(shape) + " vs " + o.dtype() + Shapes.str(o.shape));
        if (o.backend() != backend()) throw new SfdException(op + ": tensors live on different backends (" + backend().name() + " vs " + o.backend().name() + ")");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype()).append(Shapes.str(shape));
        if (numel <= 16) sb.append(' ').append(Arrays.toString(toDoubleArray()));
        if (gradFn != null) sb.append(", op=").append(gradFn.op());
        else if (requiresGrad) sb.append(", requiresGrad");
        return sb.append(')').toString();
    }
}
