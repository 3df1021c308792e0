package dev.sfd.tensor;

import dev.sfd.backend.Backend;

/**
 * A flat buffer of elements owned by one backend. CPU storage lives on the Java heap; device storage is
 * off-heap and released by {@link #close()} (idempotent), normally through a {@link TensorScope}.
 */
public abstract class Storage implements AutoCloseable {
    private final DType dtype;
    private final int length;

    protected Storage(DType dtype, int length) {
        this.dtype = dtype;
        this.length = length;
    }

    public final DType dtype() { return dtype; }

    /** Number of elements. */
    public final int length() { return length; }

    public abstract Backend backend();

    /** True once the memory was released; any further use throws. */
    public boolean isClosed() { return false; }

    @Override
    public void close() {}
}
