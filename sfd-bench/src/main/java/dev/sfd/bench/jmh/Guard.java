package dev.sfd.bench.jmh;

import dev.sfd.backend.cpu.CpuBackend;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The CI performance guard: runs {@link GuardBench} (about two minutes on two busy cores) and checks each
 * figure, a ratio of the best iteration times of an in-run reference (the scalar kernels of the same backend, or
 * OpenBLAS for GEMM) and of the fast kernels, against the floors in {@code guard-floors.properties}. Prints one
 * line per figure with both times and the fast side's allocation per op (JMH GC profiler); exits 1 when a ratio
 * is below its floor.
 *
 * <p>{@code -Dsfd.*} properties given to this JVM are passed to the benchmark JVMs, so a deliberately slowed
 * kernel ({@code -Dsfd.conv.tile=scalar}, {@code -Dsfd.gemm.kernel=scalar}) makes the guard fail. Without the
 * Vector API there is nothing to guard: the figures are printed and the exit code is 0.
 */
public final class Guard {
    private Guard() {}

    /** A guarded figure: ratio = reference time / fast time, so higher is better. */
    record Figure(String name, String fast, String reference, boolean referenceFromScalarRun) {}

    static final List<Figure> FIGURES = List.of(
            new Figure("conv-forward", "convForward", "convForward", true),
            new Figure("conv-backward", "convBackward", "convBackward", true),
            new Figure("gemm", "gemm", "gemm", true),
            new Figure("gemm-vs-openblas", "gemm", "gemmOpenblas", false),
            new Figure("unet-step", "unetStep", "unetStep", true),
            new Figure("sid-loss", "sidLoss", "sidLoss", true));

    public static void main(String[] args) throws RunnerException, IOException {
        List<String> jvmArgs = new ArrayList<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("sfd.") && !k.equals("sfd.threads")) jvmArgs.add("-D" + k + "=" + System.getProperty(k));
        }
        ChainedOptionsBuilder ob = new OptionsBuilder()
                .include(GuardBench.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        if (!jvmArgs.isEmpty()) ob.jvmArgsAppend(jvmArgs.toArray(new String[0]));
        long t0 = System.nanoTime();
        Collection<RunResult> results = new Runner(ob.build()).run();
        Map<String, double[]> score = new HashMap<>(); // "method/kernels" -> {ms per op, bytes per op}
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String key = method + "/" + r.getParams().getParam("kernels");
            Result alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            score.put(key, new double[] {bestIteration(r), alloc == null ? Double.NaN : alloc.getScore()});
        }
        Properties floors = floors();
        boolean vector = new CpuBackend().vectorized();
        Map<String, Double> ratios = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        System.out.printf(Locale.ROOT, "perf guard (JMH, 1 thread, %.0f s; vector kernels: %s; passed to forks: %s)%n",
                (System.nanoTime() - t0) / 1e9, vector, jvmArgs);
        for (Figure f : FIGURES) {
            double[] fast = score.get(f.fast + "/vector");
            double[] ref = f.referenceFromScalarRun ? score.get(f.reference + "/scalar")
                    : min(score.get(f.reference + "/vector"), score.get(f.reference + "/scalar"));
            double ratio = ref[0] / fast[0];
            ratios.put(f.name, ratio);
            double floor = Double.parseDouble(floors.getProperty(f.name, "0"));
            boolean ok = ratio >= floor;
            if (!ok) failed.add(f.name);
            System.out.printf(Locale.ROOT, "guard %-18s ratio %6.2f  floor %5.2f  %-4s  fast %8.3f ms/op  reference %8.3f ms/op  fast alloc %6.0f B/op%n",
                    f.name, ratio, floor, ok ? "ok" : "FAIL", fast[0], ref[0], fast[1]);
        }
        if (!vector) {
            System.out.println("perf guard: no Vector API (scalar fallback): figures reported, not checked");
            return;
        }
        if (!failed.isEmpty()) {
            System.out.println("perf guard FAILED: " + failed + " below their floors (sfd-bench/src/main/resources/dev/sfd/bench/jmh/guard-floors.properties)");
            System.exit(1);
        }
        System.out.println("perf guard passed");
    }

    private static double[] min(double[] a, double[] b) { return a[0] <= b[0] ? a : b; }

    /**
     * The fastest measured iteration (ms/op): other processes on a shared machine only ever add time, and the two
     * sides of a ratio run in different forks at different moments, so the best iteration is steadier than the mean.
     */
    static double bestIteration(RunResult r) {
        double best = Double.POSITIVE_INFINITY;
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) best = Math.min(best, it.getPrimaryResult().getScore());
        }
        return Double.isInfinite(best) ? r.getPrimaryResult().getScore() : best;
    }

    static Properties floors() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Guard.class.getResourceAsStream("guard-floors.properties")) {
            if (in == null) throw new IOException("guard-floors.properties missing from the classpath");
            p.load(in);
        }
        return p;
    }
}
