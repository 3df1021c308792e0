// One-thread CPU-time harness for BENCHMARKS.md (run: java --add-modules jdk.incubator.vector -Dsfd.threads=1 -cp "sfd-bench/target/classes:sfd-bench/target/lib/*" tools/perf/ConvCpu.java N C HW REPS)
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.lang.management.ManagementFactory;

public class ConvCpu {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), hw = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        CpuBackend be = new CpuBackend();
        RandomStream rng = new RandomStream(1);
        Tensor x = rng.normal(DType.FLOAT32, n, c, hw, hw), g = rng.normal(DType.FLOAT32, n, c, hw, hw), w = rng.normal(DType.FLOAT32, c, c, 3, 3);
        Tensor out = Tensor.zeros(be, DType.FLOAT32, n, c, hw, hw), gx = Tensor.zeros(be, DType.FLOAT32, n, c, hw, hw);
        Tensor gw = Tensor.zeros(be, DType.FLOAT32, c, c, 3, 3), gb = Tensor.zeros(be, DType.FLOAT32, c);
        var mx = ManagementFactory.getThreadMXBean();
        double flops = 2.0 * n * c * c * 9 * hw * hw;
        Runnable[] ops = {() -> be.conv2d(x, w, null, 1, out), () -> be.conv2dBackwardData(g, w, 1, gx), () -> be.conv2dBackwardWeight(x, g, 1, gw, gb)};
        String[] names = {"forward", "backwardData", "backwardWeight"};
        double[] best = {1e9, 1e9, 1e9};
        for (int round = 0; round < 10; round++) for (int o = 0; o < 3; o++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int r = 0; r < reps; r++) ops[o].run();
            double s = (mx.getCurrentThreadCpuTime() - c0) / 1e9 / reps;
            if (round >= 2) best[o] = Math.min(best[o], s);
        }
        StringBuilder sb = new StringBuilder("n=" + n + " c=" + c + " hw=" + hw + " 1 thread, GFLOP per CPU-second:");
        for (int o = 0; o < 3; o++) sb.append(String.format(" %s %.1f", names[o], flops / best[o] / 1e9));
        System.out.println(sb);
    }
}
