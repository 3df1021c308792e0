package dev.sfd.bench.jmh;

import dev.sfd.backend.Backend;
import dev.sfd.backend.Backends;
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.bench.Workloads;
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CI performance guard's workloads (run by {@link Guard}), each measured with the fast CPU kernels
 * ({@code kernels=vector}) and with the scalar reference kernels of the same backend ({@code kernels=scalar}:
 * scalar conv tile, scalar GEMM micro-kernel, scalar elementwise and SiD kernels, same drivers and buffers).
 * Their time ratio is the guarded figure: it does not move with machine load the way a time does. GEMM is
 * also compared with single-thread OpenBLAS. One thread throughout ({@code -Dsfd.threads=1}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx1g", "-Dsfd.threads=1"})
@Warmup(iterations = 5, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 6, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Threads(1)
public class GuardBench {
    @Param({"vector", "scalar"})
    public String kernels;

    private Backend be;
    private Workloads.Conv3x3 conv;
    private Workloads.Gemm gemm;
    private EdmPrecond unet;
    private Tensor x, sigma, labels, xg, yReal, yFake, gLoss;

    @Setup(Level.Trial)
    public void setup() {
        be = new CpuBackend("vector".equals(kernels));
        Workloads.openblasThreads(1);
        conv = new Workloads.Conv3x3(4, 32, 32);
        gemm = new Workloads.Gemm(256);
        try (var s = Backends.use(be)) {
            unet = SongUnet.create(SongUnetConfig.tiny(), 1);
            unet.train(false);
            RandomStream rng = new RandomStream(2);
            int[] img = unet.imageShape();
            x = rng.normal(DType.FLOAT32, 4, img[0], img[1], img[2]);
            sigma = Ops.addScalar(rng.uniform(DType.FLOAT32, 4), 0.5);
            labels = Ops.oneHot(new int[] {0, 1, 2, 3}, unet.labelDim(), DType.FLOAT32);
            xg = rng.normal(DType.FLOAT32, 16, 1, 32, 32);
            yReal = rng.normal(DType.FLOAT32, 16, 1, 32, 32);
            yFake = rng.normal(DType.FLOAT32, 16, 1, 32, 32);
            gLoss = rng.uniform(DType.FLOAT32, 16);
        }
    }

    /** conv2d 3x3 forward, batch 4, 32 -> 32 channels, 32x32. */
    @Benchmark
    public void convForward() { conv.forward(be); }

    /** conv2d 3x3 backward data + weight + bias, same shape. */
    @Benchmark
    public void convBackward() { conv.backward(be); }

    /** sgemm 256 x 256 x 256. */
    @Benchmark
    public void gemm() { gemm.ours(be); }

    /** OpenBLAS sgemm 256, one thread (the same in both kernel settings). */
    @Benchmark
    public void gemmOpenblas() { gemm.openblas(); }

    /** Tiny SongUNet forward + backward, batch 4. */
    @Benchmark
    public void unetStep(Blackhole bh) {
        try (var s = Backends.use(be)) {
            unet.zeroGrad();
            Tensor loss = Ops.sumAll(unet.denoise(x, sigma, labels));
            loss.backward();
            bh.consume(loss);
        }
    }

    /** Fused SiD loss forward + backward on [16, 1, 32, 32]. */
    @Benchmark
    public void sidLoss(Blackhole bh) {
        Tensor loss = Tensor.zeros(be, DType.FLOAT32, 16), omega = Tensor.zeros(be, DType.FLOAT32, 16);
        be.sidLoss(xg, yReal, yFake, 1.2, loss, omega);
        Tensor gx = Tensor.zeros(be, DType.FLOAT32, 16, 1, 32, 32), gr = Tensor.zeros(be, DType.FLOAT32, 16, 1, 32, 32),
                gf = Tensor.zeros(be, DType.FLOAT32, 16, 1, 32, 32);
        be.sidLossBackward(xg, yReal, yFake, 1.2, omega, gLoss, gx, gr, gf);
        bh.consume(gf);
    }
}
