// One-thread CPU-time harness for BENCHMARKS.md: CPU seconds of one SFD iteration (fmnist-s, random teacher), as the
// calling thread's CPU time and as the whole process's (GC and JIT threads included), best and median of RUNS after
// WARMUP untimed iterations. Run: java --add-modules jdk.incubator.vector -Dsfd.threads=1 [GC flags] \
//   -cp "sfd-bench/target/classes:sfd-bench/target/lib/*" tools/perf/SfdIterCpu.java REMAIN FORGET WARMUP RUNS
import dev.sfd.diffusion.EdmPrecond;
import dev.sfd.models.SongUnet;
import dev.sfd.models.SongUnetConfig;
import dev.sfd.unlearn.ForgetPlan;
import dev.sfd.unlearn.ScoreForgettingDistillation;
import dev.sfd.unlearn.SfdConfig;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

public class SfdIterCpu {
    public static void main(String[] a) {
        int remain = Integer.parseInt(a[0]), forget = Integer.parseInt(a[1]), warmup = Integer.parseInt(a[2]), runs = Integer.parseInt(a[3]);
        EdmPrecond teacher = SongUnet.create(SongUnetConfig.named("fmnist-s"), 1);
        SfdConfig cfg = SfdConfig.defaults().iterations(Long.MAX_VALUE / 2).batch(remain, forget);
        ScoreForgettingDistillation sfd = new ScoreForgettingDistillation(teacher, ForgetPlan.classes().forget(0).overrideWith(1), cfg);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmup; i++) sfd.iterate();
        double[] th = new double[runs], pr = new double[runs];
        long alloc0 = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < runs; i++) {
            long t0 = mx.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime();
            sfd.iterate();
            th[i] = (mx.getCurrentThreadCpuTime() - t0) / 1e9;
            pr[i] = (os.getProcessCpuTime() - p0) / 1e9;
        }
        double allocMb = (mx.getThreadAllocatedBytes(id) - alloc0) / 1e6 / runs;
        long gcMs = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) gcMs += gc.getCollectionTime();
        double[] ts = th.clone(), ps = pr.clone();
        Arrays.sort(ts);
        Arrays.sort(ps);
        System.out.printf("sfd-iteration fmnist-s %d+%d, CPU s per iteration: thread best %.2f median %.2f, process best %.2f median %.2f (runs %s / %s); allocated %.0f MB per iteration; GC time over the run %d ms%n",
            remain, forget, ts[0], ts[runs / 2], ps[0], ps[runs / 2], Arrays.toString(th), Arrays.toString(pr), allocMb, gcMs);
    }
}
