package dev.sfd.cuda;

import dev.sfd.SfdException;
import dev.sfd.backend.Backend;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Storage;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Device memory of a {@link CudaBackend} (host memory in the emulated flavour). Released by {@link #close()}
 * (idempotent; normally via {@link dev.sfd.tensor.TensorScope}) or, as a fallback, when it becomes
 * unreachable; the block goes back to the backend's {@link CachingAllocator}. Any use after close throws.
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    private final long address;
    private final long blockBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaBackend backend, DType dtype, int length, long address, long blockBytes) {
        super(dtype, length);
        this.backend = backend;
        this.address = address;
        this.blockBytes = blockBytes;
        this.cleanable = CLEANER.register(this, new Release(backend.allocator(), address, blockBytes));
    }

    /** Must not capture the storage, or it would never become unreachable. */
    private record Release(CachingAllocator allocator, long address, long bytes) implements Runnable {
        @Override
        public void run() { allocator.release(address, bytes); }
    }

    @Override
    public Backend backend() { return backend; }

    /** Device address of element 0; throws once closed. */
    public long address() {
        if (closed.get()) throw new SfdException(backend.name() + ": use of CUDA storage (" + dtype() + ", " + length() + " elements) after close()");
        return address;
    }

    /** Bytes of the allocator block behind this storage (>= length * element size). */
    long blockBytes() { return blockBytes; }

    @Override
    public boolean isClosed() { return closed.get(); }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) cleanable.clean();
    }
}
