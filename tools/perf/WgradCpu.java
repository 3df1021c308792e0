// One-thread CPU-time harness for BENCHMARKS.md (run: java --add-modules jdk.incubator.vector -Dsfd.threads=1 -cp "sfd-bench/target/classes:sfd-bench/target/lib/*" tools/perf/WgradCpu.java N C HW REPS)
import dev.sfd.backend.cpu.CpuBackend;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.lang.management.ManagementFactory;

public class WgradCpu {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), hw = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        CpuBackend be = new CpuBackend();
        RandomStream rng = new RandomStream(1);
        Tensor x = rng.normal(DType.FLOAT32, n, c, hw, hw), g = rng.normal(DType.FLOAT32, n, c, hw, hw);
        Tensor gw = Tensor.zeros(be, DType.FLOAT32, c, c, 3, 3), gb = Tensor.zeros(be, DType.FLOAT32, c);
        var mx = ManagementFactory.getThreadMXBean();
        double flops = 2.0 * n * c * c * 9 * hw * hw;
        String[] orders = {"sample", "channel"};
        double[][] best = new double[2][1];
        best[0][0] = best[1][0] = Double.MAX_VALUE;
        for (int round = 0; round < 12; round++) {
            for (int o = 0; o < 2; o++) {
                System.setProperty("sfd.conv.weight.order", orders[o]);
                long c0 = mx.getCurrentThreadCpuTime();
                for (int r = 0; r < reps; r++) be.conv2dBackwardWeight(x, g, 1, gw, gb);
                double s = (mx.getCurrentThreadCpuTime() - c0) / 1e9 / reps;
                if (round >= 2) best[o][0] = Math.min(best[o][0], s);
            }
        }
        System.out.printf("n=%d c=%d hw=%d 1 thread, best CPU time per call: sample-outer %.2f ms (%.1f GFLOP/s per CPU-s), channel-outer %.2f ms (%.1f), ratio %.2f%n",
            n, c, hw, best[0][0] * 1e3, flops / best[0][0] / 1e9, best[1][0] * 1e3, flops / best[1][0] / 1e9, best[1][0] / best[0][0]);
    }
}
