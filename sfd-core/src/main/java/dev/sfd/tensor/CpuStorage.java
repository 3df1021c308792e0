package dev.sfd.tensor;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;

/**
 * Heap storage: exactly one of {@link #f} (FLOAT32) or {@link #d} (FLOAT64) is non-null. It belongs to the
 * heap backend that allocated it (the reference "cpu-scalar" or the fast "cpu"), so ops on its tensors
 * dispatch to that backend; storage made without an owner belongs to {@link Backends#cpu()}.
 */
public final class CpuStorage extends Storage {
    public final float[] f;
    public final double[] d;
    private final Backend owner;

    public CpuStorage(float[] f) { this(f, null); }

    public CpuStorage(double[] d) { this(d, null); }

    /** Wraps {@code f}; {@code owner} null means {@link Backends#cpu()}. */
    public CpuStorage(float[] f, Backend owner) {
        super(DType.FLOAT32, f.length);
        this.f = f;
        this.d = null;
        this.owner = owner;
    }

    /** Wraps {@code d}; {@code owner} null means {@link Backends#cpu()}. */
    public CpuStorage(double[] d, Backend owner) {
        super(DType.FLOAT64, d.length);
        this.f = null;
        this.d = d;
        this.owner = owner;
    }

    public static CpuStorage allocate(DType dtype, int n) {
        return dtype == DType.FLOAT32 ? new CpuStorage(new float[n]) : new CpuStorage(new double[n]);
    }

    @Override
    public Backend backend() { return owner != null ? owner : Backends.cpu(); }
}
