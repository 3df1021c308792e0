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
 * Square SGEMM, ours (CpuBackend.matmul) vs OpenBLAS cblas_sgemm with the same thread count, in one fork.
 * GFLOP/s = 2 n^3 / (ms/op * 1e6).
 * <pre>java --add-modules jdk.incubator.vector -cp "sfd-bench/target/classes:sfd-bench/target/lib/*" org.openjdk.jmh.Main GemmBench -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBench {
    @Param({"256", "1024", "2048"})
    public int size;

    private Workloads.Gemm gemm;
    private Backend backend;

    @Setup(Level.Trial)
    public void setup() {
        backend = new CpuBackend();
        Workloads.openblasThreads(Parallel.threads());
        gemm = new Workloads.Gemm(size);
    }

    @Benchmark
    public void sfd() { gemm.ours(backend); }

    @Benchmark
    public void openblas() { gemm.openblas(); }
}
