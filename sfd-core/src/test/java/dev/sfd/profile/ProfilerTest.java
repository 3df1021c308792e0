package dev.sfd.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.ops.Ops;
import dev.sfd.random.RandomStream;
import dev.sfd.tensor.DType;
import dev.sfd.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
    /** A small conv net step: forward, loss, backward. */
    private static void step(Tensor x, Tensor w1, Tensor w2) {
        Tensor h = Ops.groupNormSilu(Ops.conv2d(x, w1, null, 1), 2, null, null, 1e-6);
        Tensor y = Ops.conv2d(h, w2, null, 1);
        Ops.meanAll(Ops.square(y)).backward();
    }

    private static Tensor[] inputs() {
        RandomStream rng = new RandomStream(4);
        return new Tensor[] {rng.normal(DType.FLOAT32, 8, 8, 16, 16),
            rng.normal(DType.FLOAT32, 16, 8, 3, 3).requiresGrad(true), rng.normal(DType.FLOAT32, 8, 16, 3, 3).requiresGrad(true)};
    }

    @Test
    void selfTimesAddUpToTheMeasuredWallTime() {
        Tensor[] in = inputs();
        for (int i = 0; i < 3; i++) step(in[0], in[1], in[2]); // warm-up
        long t0 = System.nanoTime();
        Profiler p = Profiler.start();
        for (int i = 0; i < 5; i++) {
            try (var r = Profiler.region("step")) {
                step(in[0], in[1], in[2]);
            }
        }
        Profile prof = p.stop();
        long wall = System.nanoTime() - t0;
        System.out.print(prof.table());
        double sum = prof.selfNanosSum();
        assertEquals(wall, sum, 0.10 * wall, "self times " + sum / 1e6 + " ms vs measured wall " + wall / 1e6 + " ms");
        Profile.Row conv = prof.row(Profiler.Kind.KERNEL, "conv2d");
        assertNotNull(conv, prof.table());
        assertEquals(10, conv.calls());
        assertEquals(5 * 2L * (8 * 16 * 16 * 16 * 8 * 9 + 8 * 8 * 16 * 16 * 16 * 9), conv.flops());
        assertNotNull(prof.row(Profiler.Kind.KERNEL, "conv2dBackwardWeight"));
        Profile.Row rule = prof.row(Profiler.Kind.OP, "conv2d.backward");
        assertNotNull(rule);
        assertTrue(rule.totalNanos() >= rule.selfNanos());
        Profile.Row region = prof.row(Profiler.Kind.OP, "step");
        assertEquals(5, region.calls());
        assertTrue(region.selfNanos() < region.totalNanos() / 2, "kernels nested in the region must not count as its self time");
    }

    @Test
    void threadCpuClockAddsUpToTheThreadsCpuTime() {
        Tensor[] in = inputs();
        for (int i = 0; i < 3; i++) step(in[0], in[1], in[2]); // warm-up
        var mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        Profiler p = Profiler.start(false, Profiler.Clock.THREAD_CPU);
        for (int i = 0; i < 5; i++) {
            try (var r = Profiler.region("step")) {
                step(in[0], in[1], in[2]);
            }
        }
        Profile prof = p.stop();
        long cpu = mx.getCurrentThreadCpuTime() - c0;
        String table = prof.table();
        assertEquals(Profiler.Clock.THREAD_CPU, prof.clock());
        assertTrue(table.contains("\nthread cpu "), table);
        assertEquals(prof.wallNanos(), prof.selfNanosSum(), 0.10 * prof.wallNanos(), table);
        assertEquals(cpu, prof.wallNanos(), 0.10 * cpu, "profile total " + prof.wallNanos() / 1e6 + " ms vs thread CPU " + cpu / 1e6 + " ms");
        assertTrue(prof.row(Profiler.Kind.KERNEL, "conv2d").selfNanos() > 0, table);
        // a sleeping thread uses no CPU: a region around a sleep is (nearly) free on this clock, 300 ms on a wall clock
        Profiler q = Profiler.start(false, Profiler.Clock.THREAD_CPU);
        try (var r = Profiler.region("sleep")) {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Profile slept = q.stop();
        assertTrue(slept.row(Profiler.Kind.OP, "sleep").selfNanos() < 100_000_000L, slept.table());
        // the next profiler measures wall time again
        Profiler w = Profiler.start();
        Profile wall = w.stop();
        assertEquals(Profiler.Clock.WALL, wall.clock());
    }

    @Test
    void disabledHooksAllocateNothing() {
        assertFalse(Profiler.enabled());
        Tensor t = Tensor.zeros(DType.FLOAT32, 4);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 200_000; i++) sink += hooks(t); // compile first
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1_000_000; i++) sink += hooks(t);
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(sink > 0);
        assertTrue(allocated < 4096, "1,000,000 disabled hook calls allocated " + allocated + " bytes");
    }

    private static int hooks(Tensor t) {
        int n = t.backend().hashCode() & 1;
        try (var r = Profiler.region("x")) {
            n += Profiler.enabled() ? 0 : 1;
        }
        return n;
    }

    @Test
    void kernelsAndOpsAreFlightRecorderEvents(@TempDir Path dir) throws Exception {
        Tensor[] in = inputs();
        Path file = dir.resolve("sfd.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("dev.sfd.Kernel");
            rec.enable("dev.sfd.Op");
            rec.start();
            Profiler p = Profiler.start(true);
            step(in[0], in[1], in[2]);
            p.stop();
            rec.stop();
            rec.dump(file);
        }
        assertTrue(Files.size(file) > 0);
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent conv = events.stream().filter(e -> e.getEventType().getName().equals("dev.sfd.Kernel")
                && "conv2dBackwardWeight".equals(e.getString("name"))).findFirst().orElse(null);
        assertNotNull(conv, "no dev.sfd.Kernel event for conv2dBackwardWeight among " + events.size());
        assertTrue(conv.getLong("flops") > 0);
        assertTrue(conv.getString("shapes").contains("[8, 8, 16, 16]"), conv.getString("shapes"));
        assertEquals("cpu", conv.getString("backend").substring(0, 3));
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("dev.sfd.Op") && "conv2d.backward".equals(e.getString("name"))));
    }
}
