package dev.sfd.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The process-wide parallel runtime of the CPU backend: one {@link ForkJoinPool} sized by
 * {@code -Dsfd.threads} (default: available processors).
 *
 * <p>{@link #parallelFor} splits {@code [0, n)} into at most {@link #threads()} contiguous chunks of at
 * least {@code grain} items (callers pick the grain so that a chunk is at least ~50 us of work). It runs
 * inline when there is only one chunk, when the pool has one thread, or when called from inside another
 * parallel region (a pool worker or the calling thread while it runs its own chunk): nested regions
 * would only fight for the same cores. The calling thread runs the first chunk itself.
 */
public final class Parallel {
    private static final int THREADS = configuredThreads();
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS, Parallel::newWorker, null, false) : null;
    /** Set while the calling (non-pool) thread executes its own chunk of a region. */
    private static final ThreadLocal<boolean[]> IN_REGION = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {}

    /** Body of a parallel loop over the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Body of a dynamically scheduled loop: {@code worker} in [0, workers) identifies the participant. */
    @FunctionalInterface
    public interface ItemBody {
        void run(int worker, int item);
    }

    /** Number of threads parallel regions use. */
    public static int threads() { return THREADS; }

    /** True when the current thread already runs inside a parallel region (nested regions run inline). */
    public static boolean inRegion() {
        Thread t = Thread.currentThread();
        if (t instanceof Worker) return true;
        return IN_REGION.get()[0];
    }

    /** Runs {@code r} on this thread with every parallel region inside it inline (as if nested). */
    public static void runSequential(Runnable r) {
        boolean[] flag = IN_REGION.get();
        boolean prev = flag[0];
        flag[0] = true;
        try {
            r.run();
        } finally {
            flag[0] = prev;
        }
    }

    /** How many chunks {@link #parallelFor} would use for this work on the current thread. */
    public static int chunks(int n, int grain) {
        if (THREADS <= 1 || n <= 1 || inRegion()) return 1;
        long c = n / Math.max(1, (long) grain);
        return (int) Math.max(1, Math.min(c, Math.min(n, THREADS)));
    }

    /** Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks of at least {@code grain} items. */
    public static void parallelFor(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = chunks(n, grain);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        forChunks(n, chunks, body);
    }

    /** Runs exactly {@code chunks} near-equal contiguous chunks of {@code [0, n)} (inline when nested). */
    public static void forChunks(int n, int chunks, RangeBody body) {
        if (chunks <= 1 || THREADS <= 1 || inRegion()) {
            body.run(0, n);
            return;
        }
        Chunk[] tasks = new Chunk[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            tasks[c - 1] = new Chunk(body, bound(n, chunks, c), bound(n, chunks, c + 1));
            POOL.execute(tasks[c - 1]);
        }
        boolean[] flag = IN_REGION.get();
        boolean prev = flag[0];
        flag[0] = true;
        Throwable failure = null;
        try {
            body.run(0, bound(n, chunks, 1));
        } catch (Throwable t) {
            failure = t;
        } finally {
            flag[0] = prev;
        }
        for (Chunk t : tasks) {
            try {
                t.join();
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException) throw (RuntimeException) failure;
        if (failure instanceof Error) throw (Error) failure;
        if (failure != null) throw new RuntimeException(failure);
    }

    /**
     * Runs {@code body} for every item in {@code [0, items)} with up to {@code workers} participants that take
     * the next item from a shared counter (dynamic scheduling: a participant slowed down by other load on the
     * machine simply takes fewer items). Inline, as worker 0, when nested or when {@code workers <= 1}.
     */
    public static void forDynamic(int items, int workers, ItemBody body) {
        if (items <= 0) return;
        int w = Math.min(items, Math.min(workers, THREADS));
        if (w <= 1 || inRegion()) {
            for (int i = 0; i < items; i++) body.run(0, i);
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        forChunks(w, w, (w0, w1) -> {
            for (int worker = w0; worker < w1; worker++) {
                for (int i; (i = next.getAndIncrement()) < items; ) body.run(worker, i);
            }
        });
    }

    private static int bound(int n, int chunks, int c) { return (int) ((long) n * c / chunks); }

    private static final class Chunk extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient RangeBody body;
        private final int from, to;

        Chunk(RangeBody body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() { body.run(from, to); }
    }

    private static final class Worker extends ForkJoinWorkerThread {
        Worker(ForkJoinPool pool) {
            super(pool);
            setName("sfd-cpu-" + getPoolIndex());
            setDaemon(true);
        }
    }

    private static ForkJoinWorkerThread newWorker(ForkJoinPool pool) { return new Worker(pool); }

    private static int configuredThreads() {
        String p = System.getProperty("sfd.threads");
        int n = Runtime.getRuntime().availableProcessors();
        if (p != null && !p.isBlank()) {
            try {
                n = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                System.getLogger("dev.sfd.backend").log(System.Logger.Level.WARNING, "ignoring -Dsfd.threads=" + p + " (not an integer)");
            }
        }
        return Math.max(1, n);
    }
}
