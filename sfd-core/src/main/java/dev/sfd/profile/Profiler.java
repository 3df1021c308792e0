package dev.sfd.profile;

import dev.sfd.backend.Backend;
import dev.sfd.tensor.Shapes;
import dev.sfd.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-op profiling of the library: every backend primitive call (a <i>kernel</i>: {@code conv2d},
 * {@code matmul}, ...) and every autograd backward rule or named {@link #region region} (an <i>op</i>) is timed
 * on the thread that calls it, aggregated by name into a {@link Profile} (calls, self time, total time, FLOPs,
 * share) and, when Java Flight Recorder is recording, emitted as {@link OpEvent}/{@link KernelEvent}s.
 *
 * <pre>{@code
 * Profiler p = Profiler.start();
 * net.denoise(x, sigma, labels).sum().backward();
 * System.out.print(p.stop().table());
 * }</pre>
 *
 * <p>Self time is a call's duration minus the durations of the calls nested in it on the same thread (a kernel
 * inside a backward rule is the rule's child); the time between top-level calls is reported as the row
 * {@code (outside ops and kernels)}, so the rows' self times add up to the profiled wall time. Work that a
 * kernel hands to pool threads counts as the kernel's own time.
 *
 * <p>Cost when off: the hooks ({@link #wrap}, {@link #enabled}, {@link #region}) read one volatile field and
 * allocate nothing. JFR events are emitted while a profiler runs that was started with JFR on, after
 * {@link #jfr(boolean) jfr(true)}, or always when the JVM was started with {@code -XX:StartFlightRecording} or
 * {@code -Dsfd.jfr=true} (a recording started later, e.g. with {@code jcmd JFR.start}, needs {@code -Dsfd.jfr=true}).
 */
public final class Profiler {
    /** What a row measures. */
    public enum Kind { KERNEL, OP, OTHER }

    /**
     * What the times are measured in. {@link #WALL}: elapsed time ({@link System#nanoTime}). {@link #THREAD_CPU}: the
     * CPU time of the thread that makes the call, which load on the machine does not inflate; it covers only work
     * done on that thread, so it describes a whole workload only at one thread ({@code -Dsfd.threads=1}).
     */
    public enum Clock { WALL, THREAD_CPU }

    private static final Object LOCK = new Object();
    private static volatile Profiler active;
    private static volatile boolean jfrAlways = initialJfr();
    /** True when the hooks have anything to do. */
    private static volatile boolean on = jfrAlways;

    /** Whether {@link #now} reads the thread's CPU time (set while a THREAD_CPU profiler runs). */
    private static volatile boolean cpuClock;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static final ThreadLocal<Frames> FRAMES = ThreadLocal.withInitial(Frames::new);

    private final Thread owner = Thread.currentThread();
    private final Clock clock;
    private final long t0;
    private final boolean jfr;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private long topLevelNanos;

    private Profiler(boolean jfr, Clock clock) {
        this.jfr = jfr;
        this.clock = clock;
        this.t0 = clock == Clock.THREAD_CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** The current time on the running profiler's clock, for the calling thread. */
    private static long now() { return cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime(); }

    /** {@code -Dsfd.jfr=true}, or Flight Recorder already running when this class loads ({@code -XX:StartFlightRecording}). */
    private static boolean initialJfr() {
        if (Boolean.getBoolean("sfd.jfr")) return true;
        try {
            return jdk.jfr.FlightRecorder.isInitialized();
        } catch (LinkageError e) {
            return false; // no jdk.jfr module: only explicit profiling
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts profiling (one profiler at a time per process); JFR events only if the JVM asked for them. */
    public static Profiler start() { return start(false); }

    /** Starts profiling; with {@code jfr} the calls are also emitted as JFR events (for a running recording). */
    public static Profiler start(boolean jfr) { return start(jfr, Clock.WALL); }

    /**
     * Starts profiling on the given clock; with {@code jfr} the calls are also emitted as JFR events. With
     * {@link Clock#THREAD_CPU} the profile's total is the starting thread's CPU time and the rows are CPU time of
     * the threads that made the calls (JFR events keep wall-clock times).
     *
     * @throws UnsupportedOperationException THREAD_CPU on a JVM without thread CPU time
     */
    public static Profiler start(boolean jfr, Clock clock) {
        if (clock == Clock.THREAD_CPU && !(THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()))
            throw new UnsupportedOperationException("this JVM does not measure thread CPU time (Clock.THREAD_CPU)");
        synchronized (LOCK) {
            if (active != null) throw new IllegalStateException("a Profiler is already running (started on thread " + active.owner.getName() + ")");
            Profiler p = new Profiler(jfr || jfrAlways, clock);
            cpuClock = clock == Clock.THREAD_CPU;
            active = p;
            on = true;
            return p;
        }
    }

    /** The clock this profiler measures with. */
    public Clock clock() { return clock; }

    /** Stops profiling and returns the aggregated profile. */
    public Profile stop() {
        long wall = now() - t0;
        synchronized (LOCK) {
            if (active != this) throw new IllegalStateException("this Profiler is not running");
            active = null;
            cpuClock = false;
            on = jfrAlways;
        }
        List<Profile.Row> out = new ArrayList<>();
        synchronized (rows) {
            for (Row r : rows.values()) out.add(new Profile.Row(r.kind, r.name, r.calls, r.self, r.total, r.flops, r.bytes));
            long outside = Math.max(0, wall - topLevelNanos);
            out.add(new Profile.Row(Kind.OTHER, "(outside ops and kernels)", 1, outside, outside, 0, 0));
        }
        out.sort(Comparator.comparingLong(Profile.Row::selfNanos).reversed());
        return new Profile(out, wall, clock);
    }

    /** Emits JFR events from now on in every run (also without a running profiler), or stops doing so. */
    public static void jfr(boolean always) {
        synchronized (LOCK) {
            jfrAlways = always;
            on = always || active != null;
        }
    }

    // ------------------------------------------------------------------ hooks

    /** True while a profiler runs or JFR events are requested: callers skip all profiling work otherwise. */
    public static boolean enabled() { return on; }

    /** The backend to dispatch to: {@code b} itself when profiling is off, else a timing view of it. */
    public static Backend wrap(Backend b) {
        if (!on || b instanceof ProfilingBackend) return b;
        return ProfilingBackend.of(b);
    }

    /** A timed named region (an op row); a shared no-op when profiling is off. Close it on the same thread. */
    public static Region region(String name) {
        if (!on) return Region.NOOP;
        return new Region(name, enter(Kind.OP));
    }

    /** A timed span opened by {@link #region}. */
    public static class Region implements AutoCloseable {
        static final Region NOOP = new Region(null, null);
        private final String name;
        private final OpEvent event;

        Region(String name, OpEvent event) {
            this.name = name;
            this.event = event;
        }

        @Override
        public void close() {
            if (name != null) exit(Kind.OP, name, event, 0, 0, null);
        }
    }

    /** Opens a timed call on this thread; returns the JFR event to finish (or null). Only call when {@link #enabled}. */
    static <E> E enter(Kind kind) {
        Frames f = FRAMES.get();
        f.push(now());
        Profiler p = active;
        if ((p != null && p.jfr) || jfrAlways) {
            jdk.jfr.Event e = kind == Kind.KERNEL ? new KernelEvent() : new OpEvent();
            e.begin();
            @SuppressWarnings("unchecked") E ev = (E) e;
            return ev;
        }
        return null;
    }

    /** Closes the innermost call opened by {@link #enter} on this thread. */
    static void exit(Kind kind, String name, Object event, long flops, long bytes, Tensor[] args) {
        Frames f = FRAMES.get();
        long now = now();
        long dur = now - f.start[f.depth - 1];
        long self = dur - f.child[f.depth - 1];
        f.depth--;
        if (f.depth > 0) f.child[f.depth - 1] += dur;
        Profiler p = active;
        if (p != null) p.add(kind, name, dur, self, flops, bytes, f.depth == 0 && Thread.currentThread() == p.owner);
        if (event instanceof KernelEvent e) {
            e.end();
            if (e.shouldCommit()) {
                e.name = name;
                e.shapes = shapes(args);
                e.backend = backendName(args);
                e.flops = flops;
                e.bytes = bytes;
                e.commit();
            }
        } else if (event instanceof OpEvent e) {
            e.end();
            if (e.shouldCommit()) {
                e.name = name;
                e.shapes = shapes(args);
                e.backend = backendName(args);
                e.flops = flops;
                e.bytes = bytes;
                e.commit();
            }
        }
    }

    private void add(Kind kind, String name, long dur, long self, long flops, long bytes, boolean topLevel) {
        synchronized (rows) {
            Row r = rows.computeIfAbsent(kind + ":" + name, k -> new Row(kind, name));
            r.calls++;
            r.total += dur;
            r.self += self;
            r.flops += flops;
            r.bytes += bytes;
            if (topLevel) topLevelNanos += dur;
        }
    }

    private static String shapes(Tensor[] args) {
        if (args == null) return "";
        StringBuilder sb = new StringBuilder();
        for (Tensor t : args) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(t == null ? "-" : Shapes.str(t.shape()));
        }
        return sb.toString();
    }

    private static String backendName(Tensor[] args) {
        if (args != null) for (Tensor t : args) if (t != null) return t.storage().backend().name();
        return "";
    }

    private static final class Row {
        final Kind kind;
        final String name;
        long calls, self, total, flops, bytes;

        Row(Kind kind, String name) {
            this.kind = kind;
            this.name = name;
        }
    }

    /** Per-thread stack of open calls: start times and time spent in nested calls. */
    private static final class Frames {
        long[] start = new long[32];
        long[] child = new long[32];
        int depth;

        void push(long t) {
            if (depth == start.length) {
                start = java.util.Arrays.copyOf(start, depth * 2);
                child = java.util.Arrays.copyOf(child, depth * 2);
            }
            start[depth] = t;
            child[depth] = 0;
            depth++;
        }
    }

    /** Formats nanoseconds as milliseconds for tables. */
    static String ms(long nanos) { return String.format(Locale.ROOT, "%.1f", nanos / 1e6); }
}
