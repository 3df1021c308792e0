package dev.sfd.tensor;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;

/** Heap storage: exactly one of {@link #f} (FLOAT32) or {@link #d} (FLOAT64) is non-null. */
public final class CpuStorage extends Storage {
    public final float[] f;
    public final double[] d;

    public CpuStorage(float[] f) {
        super(DType.FLOAT32, f.length);
        this.f = f;
        this.d = null;
    }

    public CpuStorage(double[] d) {
        super(DType.FLOAT64, d.length);
        this.f = null;
        this.d = d;
    }

    public static CpuStorage allocate(DType dtype, int n) {
        return dtype == DType.FLOAT32 ? new CpuStorage(new float[n]) : new CpuStorage(new double[n]);
    }

    @Override
    public Backend backend() { return Backends.cpu(); }
}
