package dev.sfd.bench.jmh;

import dev.sfd.backend.Backend;
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.backend.cpu.Parallel;
import dev.sfd.bench.Workloads;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * conv2d 3x3 pad 1, batch 64, 32x32, C -> C channels: ours (direct Vector API convolution, no im2col) forward and backward
 * (data + weight + bias) vs the OpenBLAS GEMM with the same FLOPs (see {@link Workloads.Conv3x3}).
 * GFLOP/s: forward 2*64*C*C*9*1024 flops per op, backward twice that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Conv3x3Bench {
    @Param({"32", "64"})
    public int channels;

    private Workloads.Conv3x3 conv;
    private Backend backend;

    @Setup(Level.Trial)
    public void setup() {
        backend = new CpuBackend();
        Workloads.openblasThreads(Parallel.threads());
        conv = new Workloads.Conv3x3(64, channels, 32);
    }

    @Benchmark
    public void forwardSfd() { conv.forward(backend); }

    @Benchmark
    public void backwardSfd() { conv.backward(backend); }

    @Benchmark
    public void forwardOpenblasGemm() { conv.forwardOpenblas(); }

    @Benchmark
    public void backwardOpenblasGemm() { conv.backwardOpenblas(); }
}
