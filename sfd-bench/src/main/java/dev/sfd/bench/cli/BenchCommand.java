package dev.sfd.bench.cli;

import dev.sfd.backend.Backend;
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.backend.cpu.Parallel;
import dev.sfd.bench.Workloads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sfd bench <gemm|conv3x3>}: quick side-by-side throughput of our CPU kernels and OpenBLAS in one JVM.
 *
 * <p>Method: after a warm-up, ours and the reference are measured in alternating runs (ours, reference,
 * ours, ...); each run repeats the operation for at least {@code --run-ms} and yields the mean time per call.
 * {@code value}/{@code reference} are the <b>best</b> run of each (least disturbed by other load on a shared
 * machine); the medians are printed too. ratio = value / reference. One line per measurement; with
 * {@code --json} each line is one JSON object.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the CPU kernels against OpenBLAS side by side (GFLOP/s).")
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<name>", description = "gemm, conv3x3, conv-weight, unet, sfd-step or sampling")
    String name;

    @Option(names = "--size", split = ",", paramLabel = "N",
            description = "gemm: matrix sizes (default 256,1024,2048); conv3x3/conv-weight: channel counts (default 32,64); "
                    + "unet: batch sizes (default 16,64); sfd-step: remain[,forget] batch (default 32); sampling: batch (default 64)")
    List<Integer> sizes = new ArrayList<>();

    @Option(names = "--config", split = ",", description = "unet/sfd-step/sampling: SongUNet configs (fmnist-s, fmnist-m, cifar-edm)")
    List<String> configs = new ArrayList<>();

    @Option(names = "--model-runs", description = "timed repetitions for unet/sfd-step/sampling (default ${DEFAULT-VALUE})")
    int modelRuns = 3;

    @Option(names = "--json", description = "print one JSON object per line")
    boolean json;

    @Option(names = "--threads", paramLabel = "T", description = "threads for both sides (default: -Dsfd.threads or all processors)")
    Integer threads;

    @Option(names = "--runs", description = "measured runs of each side (default ${DEFAULT-VALUE})")
    int runs = 7;

    @Option(names = "--run-ms", description = "minimum duration of one run in ms (default ${DEFAULT-VALUE})")
    int runMs = 300;

    @Option(names = "--warmup-ms", description = "warm-up per measurement in ms (default ${DEFAULT-VALUE})")
    int warmupMs = 1500;

    @Option(names = "--batch", description = "conv3x3 batch size (default ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--hw", description = "conv3x3 image height = width (default ${DEFAULT-VALUE})")
    int hw = 32;

    @Override
    public Integer call() {
        if (threads != null) {
            // Parallel reads sfd.threads once, when first used: nothing before this line touches it
            System.setProperty("sfd.threads", Integer.toString(threads));
        }
        Backend be = new CpuBackend();
        int t = Parallel.threads();
        Workloads.openblasThreads(t);
        if (!json) {
            System.out.printf(Locale.ROOT, "threads=%d vector=%s java=%s%n", t, ((CpuBackend) be).vectorized(), System.getProperty("java.version"));
        }
        switch (name) {
            case "gemm": {
                for (int n : sizes.isEmpty() ? Arrays.asList(256, 1024, 2048) : sizes) {
                    Workloads.Gemm g = new Workloads.Gemm(n);
                    double diff = g.relativeDifference(be);
                    if (diff > 1e-4) throw new IllegalStateException("gemm " + n + ": ours differs from OpenBLAS by " + diff);
                    report("gemm-" + n, g.flops(), () -> g.ours(be), g::openblas, t);
                }
                return 0;
            }
            case "conv3x3": {
                for (int c : sizes.isEmpty() ? Arrays.asList(32, 64) : sizes) {
                    Workloads.Conv3x3 w = new Workloads.Conv3x3(batch, c, hw);
                    report("conv3x3-fwd-c" + c, w.forwardFlops(), () -> w.forward(be), w::forwardOpenblas, t);
                    report("conv3x3-bwd-c" + c, w.backwardFlops(), () -> w.backward(be), w::backwardOpenblas, t);
                }
                return 0;
            }
            case "conv-weight": {
                // the weight-gradient kernel in its two loop orders (DirectConv), alternating in this JVM
                for (int c : sizes.isEmpty() ? Arrays.asList(32, 64) : sizes) {
                    Workloads.Conv3x3 w = new Workloads.Conv3x3(batch, c, hw);
                    report("conv3x3-wgrad-c" + c, w.forwardFlops(), () -> {
                        System.clearProperty("sfd.conv.weight.order");
                        w.backwardWeight(be);
                    }, () -> {
                        System.setProperty("sfd.conv.weight.order", "channel");
                        w.backwardWeight(be);
                        System.clearProperty("sfd.conv.weight.order");
                    }, t, "channel-outer order");
                }
                return 0;
            }
            case "unet":
                new ModelBench(json, modelRuns, 1).unet(configs.isEmpty() ? List.of("fmnist-s", "fmnist-m") : configs,
                        sizes.isEmpty() ? Arrays.asList(16, 64) : sizes);
                return 0;
            case "sfd-step":
                new ModelBench(json, modelRuns, 1).sfdStep(configs.isEmpty() ? "fmnist-s" : configs.get(0),
                        sizes.isEmpty() ? 32 : sizes.get(0), sizes.size() > 1 ? sizes.get(1) : (sizes.isEmpty() ? 32 : sizes.get(0)));
                return 0;
            case "sampling":
                new ModelBench(json, modelRuns, 1).sampling(configs.isEmpty() ? "fmnist-s" : configs.get(0), sizes.isEmpty() ? 64 : sizes.get(0), 18);
                return 0;
            default:
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown benchmark '" + name + "' (gemm, conv3x3, conv-weight, unet, sfd-step, sampling)");
        }
    }

    private void report(String bench, double flops, Runnable ours, Runnable ref, int t) {
        report(bench, flops, ours, ref, t, "openblas sgemm");
    }

    private void report(String bench, double flops, Runnable ours, Runnable ref, int t, String refImpl) {
        long warmEnd = System.nanoTime() + warmupMs * 1_000_000L;
        while (System.nanoTime() < warmEnd) {
            ours.run();
            ref.run();
        }
        double[] a = new double[runs], b = new double[runs];
        for (int i = 0; i < runs; i++) {
            a[i] = flops / timePerCall(ours) / 1e9;
            b[i] = flops / timePerCall(ref) / 1e9;
        }
        double va = max(a), vb = max(b), ma = median(a), mb = median(b);
        if (json) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("{\"bench\":\"").append(bench).append("\",\"unit\":\"GFLOP/s\"")
              .append(",\"value\":").append(fmt(va))
              .append(",\"reference\":").append(fmt(vb))
              .append(",\"ratio\":").append(fmt(va / vb))
              .append(",\"stat\":\"best\"")
              .append(",\"median\":").append(fmt(ma))
              .append(",\"reference_median\":").append(fmt(mb))
              .append(",\"threads\":").append(t)
              .append(",\"runs\":").append(runs)
              .append(",\"reference_impl\":\"").append(refImpl).append("\"}");
            System.out.println(sb);
        } else {
            System.out.printf(Locale.ROOT, "%-18s ours %7.1f GFLOP/s (median %7.1f)   %s %7.1f (median %7.1f)   ratio %.2f%n",
                    bench, va, ma, refImpl, vb, mb, va / vb);
        }
    }

    /** Mean seconds per call over a run of at least runMs. */
    private double timePerCall(Runnable op) {
        long budget = runMs * 1_000_000L;
        long start = System.nanoTime(), now;
        int calls = 0;
        do {
            op.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < budget);
        return (now - start) / 1e9 / calls;
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.3f", v); }

    private static double max(double[] x) { return Arrays.stream(x).max().orElse(Double.NaN); }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
