package dev.sfd.bench.cli;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.backend.cpu.Parallel;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.ops.Ops;
import dev.sfd.profile.Profile;
import dev.sfd.profile.Profiler;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ScoreForgettingDistillation;
import dev.sfd.unlearn.SfdConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import jdk.jfr.Recording;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sfd profile <unet|sfd-iteration|gemm>}: runs a workload under {@link Profiler} and prints the per-op
 * table (calls, self and total time, GFLOP/s, share of the wall time); {@code --jfr FILE} also writes a Java
 * Flight Recorder file with the {@code dev.sfd.Op} / {@code dev.sfd.Kernel} events.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Per-op profile of a workload (kernels, backward rules, regions) on the cpu or cuda-emu backend.")
public final class ProfileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<workload>", description = "unet (SongUNet forward+backward), sfd-iteration or gemm")
    String workload;

    @Option(names = "--backend", description = "cpu or cuda-emu (default ${DEFAULT-VALUE})")
    String backend = "cpu";

    @Option(names = "--config", description = "unet/sfd-iteration: SongUNet config (default ${DEFAULT-VALUE})")
    String config = "fmnist-s";

    @Option(names = "--size", split = ",", paramLabel = "N",
            description = "unet: batch (default 16); sfd-iteration: remain[,forget] batch (default 8,8); gemm: matrix size (default 512)")
    int[] size;

    @Option(names = "--runs", description = "profiled repetitions after one untimed warm-up (default ${DEFAULT-VALUE})")
    int runs = 2;

    @Option(names = "--threads", description = "CPU worker threads (default: all cores, or -Dsfd.threads)")
    Integer threads;

    @Option(names = "--clock", description = "wall (elapsed time) or cpu (CPU time of the calling thread: not inflated by "
            + "load, needs --threads 1) (default ${DEFAULT-VALUE})")
    String clock = "wall";

    @Option(names = "--jfr", paramLabel = "FILE", description = "also record the events into this Java Flight Recorder file")
    Path jfr;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--runs must be >= 1, got " + runs);
        if (threads != null && threads < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--threads must be >= 1, got " + threads);
        Profiler.Clock clk = switch (clock) {
            case "wall" -> Profiler.Clock.WALL;
            case "cpu" -> Profiler.Clock.THREAD_CPU;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--clock must be wall or cpu, got '" + clock + "'");
        };
        // Parallel reads sfd.threads once, when first used: nothing before this line touches it
        if (threads != null) System.setProperty("sfd.threads", Integer.toString(threads));
        if (clk == Profiler.Clock.THREAD_CPU && !"cpu".equals(backend) || clk == Profiler.Clock.THREAD_CPU && Parallel.threads() != 1)
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--clock cpu measures one thread: it needs --threads 1 and the cpu backend (threads " + Parallel.threads() + ", backend " + backend + ")");
        Backend be = Backends.byName(backend);
        Runnable step;
        try (var s = Backends.use(be)) {
            step = workload(be);
            step.run(); // warm-up (JIT, buffers)
            Recording rec = null;
            if (jfr != null) {
                rec = new Recording();
                rec.enable("dev.sfd.Op");
                rec.enable("dev.sfd.Kernel");
                rec.start();
            }
            Profiler p = Profiler.start(jfr != null, clk);
            for (int i = 0; i < runs; i++) {
                try (var r = Profiler.region(workload)) {
                    step.run();
                }
            }
            Profile prof = p.stop();
            if (rec != null) {
                rec.stop();
                rec.dump(jfr);
                rec.close();
            }
            System.out.printf(Locale.ROOT, "profile %s on %s, %d thread(s), %s clock, %d run(s) after 1 warm-up%n", workload, be.name(),
                    Parallel.threads(), clock, runs);
            System.out.print(prof.table());
            if (jfr != null) System.out.println("jfr events written to " + jfr + " (jfr print --events dev.sfd.Kernel " + jfr + ")");
        }
        return 0;
    }

    private Runnable workload(Backend be) {
        switch (workload) {
            case "unet": {
                int b = size == null ? 16 : size[0];
                EdmPrecond net = SongUnet.create(SongUnetConfig.named(config), 1);
                net.train(false);
                int[] img = net.imageShape();
                RandomStream rng = new RandomStream(2);
                Tensor x = rng.normal(DType.FLOAT32, b, img[0], img[1], img[2]);
                Tensor sigma = Ops.addScalar(rng.uniform(DType.FLOAT32, b), 0.5);
                Tensor labels = Ops.oneHot(new int[b], net.labelDim(), DType.FLOAT32);
                return () -> {
                    net.zeroGrad();
                    Ops.sumAll(net.denoise(x, sigma, labels)).backward();
                };
            }
            case "sfd-iteration": {
                int remain = size == null ? 8 : size[0], forget = size == null ? 8 : (size.length > 1 ? size[1] : size[0]);
                EdmPrecond teacher = SongUnet.create(SongUnetConfig.named(config), 1);
                SfdConfig cfg = SfdConfig.defaults().iterations(Long.MAX_VALUE / 2).batch(remain, forget);
                ScoreForgettingDistillation sfd = new ScoreForgettingDistillation(teacher, ForgetPlan.classes().forget(0).overrideWith(1), cfg);
                return sfd::iterate;
            }
            case "gemm": {
                int n = size == null ? 512 : size[0];
                RandomStream rng = new RandomStream(3);
                Tensor a = rng.normal(DType.FLOAT32, n, n), b = rng.normal(DType.FLOAT32, n, n);
                return () -> Ops.matmul(a, b);
            }
            default:
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown workload '" + workload + "' (unet, sfd-iteration, gemm)");
        }
    }
}
