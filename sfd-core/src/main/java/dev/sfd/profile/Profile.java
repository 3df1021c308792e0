package dev.sfd.profile;

import java.util.List;
import java.util.Locale;

/**
 * What a {@link Profiler} measured: one row per kernel, op or the time outside both, sorted by self time, and
 * the profiled total time. The rows' self times add up to that total.
 *
 * @param rows      sorted by self time, largest first
 * @param wallNanos from {@link Profiler#start()} to {@link Profiler#stop()} on the profiler's clock (elapsed time, or
 *                  the starting thread's CPU time for {@link Profiler.Clock#THREAD_CPU})
 * @param clock     what the times measure
 */
public record Profile(List<Row> rows, long wallNanos, Profiler.Clock clock) {
    /** A wall-clock profile. */
    public Profile(List<Row> rows, long wallNanos) { this(rows, wallNanos, Profiler.Clock.WALL); }

    /**
     * One aggregated name.
     *
     * @param kind       kernel (backend primitive), op (backward rule or region) or other
     * @param name       e.g. {@code conv2dBackwardWeight}, {@code conv2d.backward}
     * @param calls      number of calls
     * @param selfNanos  time not spent in nested calls
     * @param totalNanos time including nested calls
     * @param flops      floating-point operations (0 where not counted)
     * @param bytes      bytes of the tensor arguments (kernels)
     */
    public record Row(Profiler.Kind kind, String name, long calls, long selfNanos, long totalNanos, long flops, long bytes) {
        /** GFLOP/s over the self time, or NaN when FLOPs are not counted. */
        public double gflops() { return flops == 0 || selfNanos == 0 ? Double.NaN : flops / (double) selfNanos; }
    }

    /** Sum of all rows' self times. */
    public long selfNanosSum() {
        long s = 0;
        for (Row r : rows) s += r.selfNanos;
        return s;
    }

    /** The row of that kind and name, or null. */
    public Row row(Profiler.Kind kind, String name) {
        for (Row r : rows) if (r.kind == kind && r.name.equals(name)) return r;
        return null;
    }

    /**
     * A {@code torch.profiler}-like table: name, kind, calls, self ms, total ms, GFLOP/s, share of the total; the last
     * line is the total ({@code wall}, or {@code thread cpu} for a {@link Profiler.Clock#THREAD_CPU} profile).
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-34s %-6s %7s %10s %10s %9s %7s%n", "name", "kind", "calls", "self ms", "total ms", "GFLOP/s", "share"));
        for (Row r : rows) {
            double g = r.gflops();
            sb.append(String.format(Locale.ROOT, "%-34s %-6s %7d %10s %10s %9s %6.1f%%%n", r.name, r.kind.name().toLowerCase(Locale.ROOT),
                    r.calls, Profiler.ms(r.selfNanos), Profiler.ms(r.totalNanos), Double.isNaN(g) ? "-" : String.format(Locale.ROOT, "%.1f", g),
                    100.0 * r.selfNanos / Math.max(1, wallNanos)));
        }
        sb.append(String.format(Locale.ROOT, "%-34s %-6s %7s %10s%n", clock == Profiler.Clock.THREAD_CPU ? "thread cpu" : "wall", "", "",
                Profiler.ms(wallNanos)));
        return sb.toString();
    }
}
