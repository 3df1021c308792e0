package dev.sfd.cuda;

import dev.sfd.SfdException;
import dev.sfd.cuda.jni.SfdKernels;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device memory cache: freed blocks are kept per (rounded) size and handed out again, so a training step
 * that allocates the same intermediates every iteration calls {@code cudaMalloc} only in its first step.
 * On allocation failure the cache is returned to the driver and the allocation retried once; if it still
 * fails the error names the request, the live and cached bytes, and the driver's message.
 *
 * <p>Blocks are reused on the backend's single stream, so a block freed while a queued kernel still reads
 * it is only overwritten by work queued after that kernel (stream order). Thread safe.
 */
final class CachingAllocator {
    /** Sizes round up to 512 bytes (small) or 64 KiB (>= 1 MiB), so slightly different requests share blocks. */
    static long roundUp(long bytes) {
        long q = bytes < (1 << 20) ? 512 : 65536;
        return (bytes + q - 1) / q * q;
    }

    private final SfdKernels k;
    private final String backend;
    private final long limit;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private long live, cached, peak, mallocs;

    /** {@code limit} > 0 caps the bytes held from the driver (live + cached), e.g. to test OOM handling. */
    CachingAllocator(SfdKernels k, String backend, long limit) {
        this.k = k;
        this.backend = backend;
        this.limit = limit;
    }

    /** A block of at least {@code bytes} (0 for 0 bytes); its size for {@link #release} is {@code roundUp(bytes)}. */
    synchronized long acquire(long bytes) {
        if (bytes == 0) return 0;
        long size = roundUp(bytes);
        ArrayDeque<Long> q = free.get(size);
        if (q != null && !q.isEmpty()) {
            long p = q.pop();
            cached -= size;
            return track(p, size);
        }
        long p = tryMalloc(size);
        if (p == 0) {
            emptyCache();
            p = tryMalloc(size);
        }
        if (p == 0) {
            throw new SfdException(String.format(
                    "%s: out of device memory: cannot allocate %s (live tensors hold %s, peak %s%s; the cache was emptied and the allocation retried): %s."
                            + " Free tensors earlier (TensorScope), lower the batch size, or use FLOAT32.",
                    backend, mib(size), mib(live), mib(peak), limit > 0 ? ", limit " + mib(limit) + " (sfd.cuda.memoryLimit)" : "", lastMallocError));
        }
        return track(p, size);
    }

    private String lastMallocError = "";

    private long tryMalloc(long size) {
        if (limit > 0 && live + cached + size > limit) {
            lastMallocError = "would exceed sfd.cuda.memoryLimit";
            return 0;
        }
        long[] out = new long[1];
        int rc = k.sfd_malloc(out, size);
        if (rc != 0) {
            lastMallocError = "sfd_malloc returned CUDA error " + rc + ": " + k.sfd_last_error();
            return 0;
        }
        mallocs++;
        return out[0];
    }

    private long track(long p, long size) {
        live += size;
        peak = Math.max(peak, live);
        return p;
    }

    /** Returns a block to the cache. */
    synchronized void release(long address, long size) {
        if (address == 0) return;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
        live -= size;
        cached += size;
    }

    /** Frees every cached block (cudaFree). */
    synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long p : e.getValue()) {
                int rc = k.sfd_free(p);
                if (rc != 0) throw new SfdException(backend + ": sfd_free failed with CUDA error " + rc + ": " + k.sfd_last_error());
                cached -= e.getKey();
            }
        }
        free.clear();
    }

    synchronized long liveBytes() { return live; }

    synchronized long cachedBytes() { return cached; }

    synchronized long peakBytes() { return peak; }

    /** Number of cudaMalloc calls so far. */
    synchronized long mallocCount() { return mallocs; }

    static String mib(long bytes) {
        return bytes < 1 << 20 ? bytes + " B" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
